/**
 * Runs the controller manager on a worker thread, seen from cloudcore's main thread as an ordinary runnable.
 *
 * Why a thread: with the embedded API server, every write fans out to the manager's informers. In-process, the
 * server's event loop paid for both ends of that watch (encrypting and writing each event, then decrypting, parsing,
 * caching and queueing it, then the reconciles): about a third of its CPU per created object. kube-controller-manager
 * is a separate process for the same reason. A thread keeps the single binary and one lifecycle, while the manager
 * still talks to the API server over its HTTPS port with the admin kubeconfig, exactly as it would to a real cluster.
 *
 * Contract (what the module runtime expects of `start`): it resolves after a clean stop once `signal` aborts, and
 * rejects on a crash: the manager failing, the thread throwing, or the thread exiting unasked. Stopping waits for the
 * manager's own grace period plus `terminateAfterMs`, then terminates the thread, so a stuck worker cannot keep the
 * process alive. Logs go out through the host's logger; metrics reach the host's registry through `collect`.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { ControllerManager } from '../manager';
import { compileOptions, type ControllerManagerOptions } from '../options';
import type { HostMessage, MetricFamily, WorkerData, WorkerMessage } from './protocol';

export interface ControllerManagerWorkerConfig {
  kubeconfigPath: string;
  log: Logger;
  options?: ControllerManagerOptions;
  /** Added to the manager's shutdownGraceMs before the thread is terminated. Default 1000. */
  terminateAfterMs?: number;
  /** Longest wait for the worker's metrics at scrape time; a slower worker contributes none. Default 2000. */
  collectTimeoutMs?: number;
}

export interface ControllerManagerWorker extends ControllerManager {
  /** The running worker's metric families, for merging into the host's /metrics; none while it is not running. */
  collect(): Promise<MetricFamily[]>;
}

export class WorkerCrashError extends Error {
  override readonly name = 'WorkerCrashError';
  readonly code = 'CONTROLLER_MANAGER_WORKER_CRASHED';
}

/** Options are checked here, on the host, so a bad one fails at construction, as in-process. */
export function createControllerManagerWorker(config: ControllerManagerWorkerConfig): ControllerManagerWorker {
  const graceMs = compileOptions(config.options).shutdownGraceMs + (config.terminateAfterMs ?? 1000);
  const collectTimeoutMs = config.collectTimeoutMs ?? 2000;
  let running: RunningWorker | undefined;
  return {
    async start(signal: AbortSignal): Promise<void> {
      if (running) throw new Error('the controller manager worker is already running');
      const data: WorkerData = { kubeconfigPath: config.kubeconfigPath, options: config.options ?? {}, logLevel: config.log.level };
      const current = new RunningWorker(data, config.log);
      running = current;
      try {
        await current.run(signal, graceMs);
      } finally {
        running = undefined;
      }
    },
    collect: () => running?.collect(collectTimeoutMs) ?? Promise.resolve([]),
  };
}

/** One thread, from start to exit. */
class RunningWorker {
  private readonly worker: Worker;
  private readonly collecting = new Map<number, (metrics: MetricFamily[]) => void>();
  private nextId = 1;

  constructor(
    data: WorkerData,
    private readonly log: Logger,
  ) {
    const entry = workerEntry();
    this.worker = new Worker(entry.file, {
      workerData: data,
      name: 'controllermanager',
      ...(entry.execArgv ? { execArgv: entry.execArgv } : {}),
    });
  }

  run(signal: AbortSignal, graceMs: number): Promise<void> {
    const worker = this.worker;
    return new Promise<void>((resolve, reject) => {
      let killTimer: NodeJS.Timeout | undefined;
      let settled = false;
      const finish = (error: Error | undefined): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', requestStop);
        clearTimeout(killTimer);
        for (const answer of this.collecting.values()) answer([]);
        this.collecting.clear();
        // After `stopped` or `failed` the thread has nothing left to do; terminate it rather than wait for handles
        // (keep-alive sockets, timers) a library may have left open.
        void worker.terminate().finally(() => (error ? reject(error) : resolve()));
      };
      const requestStop = (): void => {
        this.post({ type: 'stop' });
        killTimer = setTimeout(() => {
          this.log.warn({ graceMs }, 'controller manager worker did not stop in time; terminating it');
          finish(undefined);
        }, graceMs);
      };
      worker.on('message', (message: WorkerMessage) => {
        switch (message.type) {
          case 'log':
            relog(this.log, message.line);
            return;
          case 'metrics':
            this.collecting.get(message.id)?.(message.metrics);
            this.collecting.delete(message.id);
            return;
          case 'stopped':
            finish(undefined);
            return;
          case 'failed': {
            const error = new WorkerCrashError(`controller manager failed: ${message.error.message}`);
            if (message.error.stack) error.stack = `${error.name}: ${error.message}\n(in the worker) ${message.error.stack}`;
            finish(error);
            return;
          }
        }
      });
      worker.on('error', (error) => finish(new WorkerCrashError(`controller manager worker threw: ${error.message}`, { cause: error })));
      worker.on('exit', (code) => {
        if (signal.aborted && code === 0) finish(undefined);
        else finish(new WorkerCrashError(`controller manager worker exited with code ${code} without being asked to stop`));
      });
      if (signal.aborted) requestStop();
      else signal.addEventListener('abort', requestStop, { once: true });
    });
  }

  collect(timeoutMs: number): Promise<MetricFamily[]> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.collecting.delete(id);
        this.log.debug({ timeoutMs }, 'controller manager worker did not answer a metrics scrape in time');
        resolve([]);
      }, timeoutMs);
      timer.unref();
      this.collecting.set(id, (metrics) => {
        clearTimeout(timer);
        resolve(metrics);
      });
      this.post({ type: 'collect', id });
    });
  }

  private post(message: HostMessage): void {
    this.worker.postMessage(message);
  }
}

const PINO_LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

/** Logs a worker's JSON line through the host's logger: same fields, the host's time and bindings. */
export function relog(log: Logger, line: string): void {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    log.warn({ line }, 'unreadable log line from the controller manager worker');
    return;
  }
  const { level, msg, ...fields } = record;
  const method = typeof level === 'string' && PINO_LEVELS.has(level) ? (level as 'info') : 'info';
  if (msg === undefined) log[method](fields);
  else log[method](fields, String(msg));
}

/**
 * The compiled entry next to this file; when cloudcore runs from its TypeScript sources (tests), the .ts entry loaded
 * through the same swc require hook the process-level tests use.
 */
function workerEntry(): { file: string; execArgv?: string[] } {
  if (__filename.endsWith('.ts')) {
    return { file: join(__dirname, 'main.ts'), execArgv: ['--require', join(__dirname, '../../../pkg/cli/testing/register-ts.js')] };
  }
  return { file: join(__dirname, 'main.js') };
}
