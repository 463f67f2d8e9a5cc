import { runCoreCli, type CliIO } from '../pkg/cli';
import { CLOUDCORE_CONFIG_PATH, cloudCoreConfigSpec } from './config';
import { run } from './run';

/** The cloudcore command line, callable in-process (tests) or from main.ts. */
export function main(argv: readonly string[], io: CliIO): Promise<number> {
  return runCoreCli(argv, io, {
    name: 'cloudcore',
    summary: 'The cloud side of KubeEdge: streams Kubernetes objects to edge nodes and their status back.',
    spec: cloudCoreConfigSpec(),
    defaultConfigPath: CLOUDCORE_CONFIG_PATH,
    run: (options, signal) => run(options, signal),
  });
}
