import { formatHostPort, type HostPort } from '../config/address';
import type { Logger } from '../log';
import type { Registry } from 'prom-client';
import { createMetricsRegistry, startMonitorServer, type HealthCheck } from '../metrics';
import { createRuntimeMetrics, ModuleRuntime, type Module, type RestartOptions } from '../modules';
import { aborted, within } from '../timing';

/** A module the daemon runs, optionally with a health check of its own for /healthz. */
export interface DaemonModule extends Module {
  readonly healthCheck?: HealthCheck;
}

export interface DaemonOptions {
  /** The program, for log lines and metric labels. */
  readonly program: string;
  readonly logger: Logger;
  readonly monitorBindAddress: HostPort;
  /** Started in this order, stopped in reverse. */
  readonly modules: readonly DaemonModule[];
  /** Longest wait for everything to stop after shutdown starts. */
  readonly shutdownGraceMs: number;
  /** How crashed modules are restarted; the runtime's default when absent. */
  readonly restart?: RestartOptions;
  /** The registry /metrics serves; created here when absent. Pass one to let parts built earlier report on it. */
  readonly registry?: Registry;
}

export type DaemonErrorCode = 'MODULE_FAILED' | 'SHUTDOWN_TIMEOUT';

export class DaemonError extends Error {
  override readonly name = 'DaemonError';

  constructor(
    readonly code: DaemonErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Runs the program until `signal` aborts (or a module fails for good): metrics registry, monitor server, then the
 * module runtime with the modules; then stops them all within the grace period. Resolves when everything has stopped.
 */
export async function runDaemon(options: DaemonOptions, signal: AbortSignal): Promise<void> {
  const { logger, modules } = options;
  const stopMonitor = new AbortController();
  const registry = options.registry ?? createMetricsRegistry({ defaultLabels: { program: options.program } });
  const runtime = new ModuleRuntime({
    log: logger,
    metrics: createRuntimeMetrics(registry),
    ...(options.restart ? { restart: options.restart } : {}),
  });
  for (const module of modules) runtime.register(module);

  const healthChecks: HealthCheck[] = [
    { name: 'modules', check: () => assertModulesRunning(runtime) },
    ...modules.flatMap((module) => (module.healthCheck ? [module.healthCheck] : [])),
  ];
  const monitor = await startMonitorServer({
    bindAddress: options.monitorBindAddress,
    registry,
    healthChecks,
    signal: stopMonitor.signal,
  });
  logger.info({ address: formatHostPort(monitor.address) }, 'monitor server listening (/metrics, /healthz)');
  logger.info({ modules: runtime.moduleNames }, modules.length === 0 ? 'no modules enabled' : 'starting modules');
  runtime.start();

  let failure: DaemonError | undefined;
  const failed = runtime.failed.catch((cause: unknown) => {
    failure = new DaemonError('MODULE_FAILED', describeReason(cause), { cause });
  });
  await Promise.race([aborted(signal), failed]);
  logger.info({ reason: describeReason(failure ?? signal.reason) }, 'shutting down');

  const late = await runtime.stop(options.shutdownGraceMs);
  stopMonitor.abort();
  await within(1000, monitor.closed);
  if (late.length > 0) {
    throw new DaemonError(
      'SHUTDOWN_TIMEOUT',
      `not everything stopped within ${options.shutdownGraceMs}ms (still running: ${late.join(', ')})`,
    );
  }
  if (failure) {
    logger.error({ err: failure.cause }, 'stopped after a module failed');
    throw failure;
  }
  logger.info('stopped');
}

/** /healthz fails while any module is crashed or waiting to be restarted. */
function assertModulesRunning(runtime: ModuleRuntime): void {
  const unwell = Object.entries(runtime.moduleStates()).filter(([, state]) => state !== 'running');
  if (unwell.length > 0) throw new Error(unwell.map(([name, state]) => `${name} is ${state}`).join(', '));
}

function describeReason(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}
