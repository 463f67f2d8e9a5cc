/**
 * The messages between cloudcore's main thread (the host) and the controller manager's worker thread. Both sides
 * switch exhaustively on `type`. Everything here must survive structured clone: no functions, no class instances.
 */
import type { Registry } from 'prom-client';
import type { ControllerManagerOptions } from '../options';

/** What the worker is started with (its `workerData`). */
export interface WorkerData {
  kubeconfigPath: string;
  options: ControllerManagerOptions;
  /** The host logger's level: lines below it are not even sent. */
  logLevel: string;
}

export type HostMessage =
  /** Stop the controllers (the manager's own grace period applies), then answer `stopped`. */
  | { type: 'stop' }
  /** Answer `metrics` with the same id: the worker registry's families as prom-client JSON. */
  | { type: 'collect'; id: number };

export type WorkerMessage =
  /** One pino JSON line, without time, pid and hostname: the host logs it again through its own logger. */
  | { type: 'log'; line: string }
  | { type: 'metrics'; id: number; metrics: MetricFamily[] }
  /** The manager stopped after `stop`; every log line it wrote was sent before this. */
  | { type: 'stopped' }
  /** The manager failed on its own (not after `stop`): a crash of the module. */
  | { type: 'failed'; error: SerializedError };

/** One metric family as `Registry.getMetricsAsJSON` gives it (prom-client does not export the type). */
export type MetricFamily = Awaited<ReturnType<Registry['getMetricsAsJSON']>>[number];

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) return { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
  return { name: 'Error', message: String(error) };
}
