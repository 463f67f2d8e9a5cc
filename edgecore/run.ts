import { enabledModules, type ModuleCatalogue } from '../pkg/config';
import { runDaemon, type DaemonModule } from '../pkg/cli';
import type { Logger } from '../pkg/log';
import { EDGECORE_MODULES, type EdgeCoreConfig, type EdgeCoreModule } from './config';

export interface RunOptions {
  readonly config: EdgeCoreConfig;
  readonly logger: Logger;
  /** Longest wait for everything to stop after SIGINT/SIGTERM. Default 10 s. */
  readonly shutdownGraceMs?: number;
  /** Must be the catalogue the config was validated with. */
  readonly catalogue?: ModuleCatalogue<EdgeCoreModule>;
}

/** Runs edgecore until `signal` aborts; resolves once everything has stopped. */
export async function run(options: RunOptions, signal: AbortSignal): Promise<void> {
  const names = enabledModules(options.config.modules, options.catalogue ?? EDGECORE_MODULES);
  // One factory per implemented module; the catalogue refuses to enable the others at config load, so an enabled
  // name without a factory here is a programming error.
  const modules: DaemonModule[] = names.map((name) => {
    throw new Error(`module ${name} is marked implemented but has no factory in run.ts`);
  });
  await runDaemon(
    {
      program: 'edgecore',
      logger: options.logger,
      monitorBindAddress: options.config.monitorServer.bindAddress,
      modules,
      shutdownGraceMs: options.shutdownGraceMs ?? 10_000,
    },
    signal,
  );
}
