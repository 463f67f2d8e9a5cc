import { runCoreCli, type CliIO } from '../pkg/cli';
import { EDGECORE_CONFIG_PATH, edgeCoreConfigSpec } from './config';
import { run } from './run';

/** The edgecore command line, callable in-process (tests) or from main.ts. */
export function main(argv: readonly string[], io: CliIO): Promise<number> {
  return runCoreCli(argv, io, {
    name: 'edgecore',
    summary: 'The edge side of KubeEdge: runs pods and devices on this host and keeps working offline.',
    spec: edgeCoreConfigSpec(),
    defaultConfigPath: EDGECORE_CONFIG_PATH,
    run: (options, signal) => run(options, signal),
  });
}
