/**
 * Runs a level-triggered reconciler over a work queue: `workers` loops take keys and call `reconcile(key, signal)`,
 * which rereads the state it needs, is idempotent, and either returns (optionally asking to be called again after a
 * delay) or throws. A thrown TerminalError is logged and dropped; anything else is retried with the key's back-off.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { controllerMetrics, type ReconcileResult } from './metrics';
import type { WorkQueue } from './workqueue';

export type ReconcileOutcome = { requeueAfterMs?: number } | void;

export type Reconciler<K> = (key: K, signal: AbortSignal) => Promise<ReconcileOutcome> | ReconcileOutcome;

/** A failure that retrying cannot fix (an invalid spec, a missing owner that will not come back): the key is dropped. */
export class TerminalError extends Error {
  override readonly name = 'TerminalError';
  readonly code = 'RECONCILE_TERMINAL';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }

  /** Wraps another error as terminal, keeping it as the cause. */
  static wrap(error: unknown): TerminalError {
    return error instanceof TerminalError ? error : new TerminalError(error instanceof Error ? error.message : String(error), { cause: error });
  }
}

export interface ControllerOptions<K> {
  name: string;
  queue: WorkQueue<K>;
  /** Keys reconciled at once (never the same key twice: the queue sees to it). */
  workers: number;
  reconcile: Reconciler<K>;
  log: Logger;
  /** Aborting stops the controller: workers finish their current key (which sees this signal) and exit. */
  signal: AbortSignal;
  registry?: Registry;
}

/**
 * Resolves when the controller has stopped: after `signal` aborts, the queue is shut down and every worker has finished
 * its current key. Keys still queued are left: the next start relists and reconciles everything anyway.
 */
export async function runController<K>(options: ControllerOptions<K>): Promise<void> {
  const { name, queue, signal } = options;
  if (!Number.isInteger(options.workers) || options.workers < 1) throw new RangeError(`controller ${name}: workers must be an integer >= 1`);
  const log = options.log.child({ controller: name });
  const metrics = options.registry ? controllerMetrics(options.registry, name) : undefined;
  const stop = (): void => void queue.shutDown();
  if (signal.aborted) stop();
  else signal.addEventListener('abort', stop, { once: true });

  const worker = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get(signal);
      if (key === undefined) return;
      try {
        if (signal.aborted) return;
        await processOne(key);
      } finally {
        queue.done(key);
      }
    }
  };

  const processOne = async (key: K): Promise<void> => {
    const started = performance.now();
    let result: ReconcileResult;
    metrics?.activeWorkers(1);
    try {
      // A synchronous throw, a rejected promise and a non-Error value are all caught here, per key.
      const outcome = await options.reconcile(key, signal);
      const after = outcome && typeof outcome.requeueAfterMs === 'number' ? outcome.requeueAfterMs : undefined;
      queue.forget(key);
      if (after !== undefined) {
        queue.addAfter(key, after);
        result = 'requeue_after';
      } else {
        result = 'success';
      }
    } catch (error) {
      if (signal.aborted) {
        // Stopping: the reconcile was cut short, not wrong. The next start reconciles the key again.
        result = 'error';
      } else if (error instanceof TerminalError) {
        queue.forget(key);
        log.error({ key, err: error }, 'reconcile failed for good; dropping the key until it changes');
        result = 'terminal_error';
      } else {
        log.warn({ key, err: error, retries: queue.numRequeues(key) }, 'reconcile failed; retrying with back-off');
        queue.addRateLimited(key);
        result = 'error';
      }
    } finally {
      metrics?.activeWorkers(-1);
    }
    metrics?.reconciled(result, (performance.now() - started) / 1000);
  };

  log.info({ workers: options.workers }, 'controller started');
  await Promise.all(Array.from({ length: options.workers }, worker));
  await queue.shutDown();
  signal.removeEventListener('abort', stop);
  log.info('controller stopped');
}
