/**
 * Writes reports to the API server keyed by object, keeping only the newest pending value per key: a node that sends
 * 50 pod statuses in a burst, or resends every status on reconnect, costs at most one write per pod in flight plus
 * one pending. Built on the shared WorkQueue, so one key is never written by two workers at once (no lost update
 * between our own writes) and failures are retried with back-off; a newer value arriving during a back-off is
 * written at once.
 *
 * Overflow policy: at most `maxKeys` keys pending; a value for a new key beyond that is refused (counted, logged,
 * and its caller told). Stopping drops what is pending: the edge resends every status when it reconnects.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { ExponentialRetry, runController, TerminalError, WorkQueue, type RetryLimiter } from '../../pkg/kube';
import type { UpstreamMetrics } from './upstream-metrics';

/** Called once per offered value: without an error once it (or a newer value for its key) is written. */
export type Done = (error?: unknown) => void;

export interface CoalescingWriterOptions<V> {
  /** Names the queue in metrics and logs: nodestatus, podstatus, lease, event, poddelete. */
  name: string;
  /**
   * Writes the newest value of `key`. Resolve: written (or nothing to write). Throw TerminalError: the value can never
   * be written (dropped with an error log). Throw anything else: retried with back-off.
   */
  write(key: string, value: V, signal: AbortSignal): Promise<void>;
  /** Keys written at once. Default 4. */
  workers?: number;
  /** Default 100,000. */
  maxKeys?: number;
  /** Default: 100 ms doubling to 30 s per key; a status older than that is replaced by the next report anyway. */
  retry?: RetryLimiter<string>;
  metrics: UpstreamMetrics;
  log: Logger;
  registry?: Registry;
}

interface Pending<V> {
  value: V;
  waiters: Done[];
}

export class CoalescingWriter<V> {
  private readonly pending = new Map<string, Pending<V>>();
  private readonly queue: WorkQueue<string>;
  private readonly maxKeys: number;
  private stopped = false;

  constructor(private readonly options: CoalescingWriterOptions<V>) {
    this.maxKeys = options.maxKeys ?? 100_000;
    this.queue = new WorkQueue<string>({
      name: `edgecontroller_${options.name}`,
      maxLength: this.maxKeys,
      retryLimiter: options.retry ?? new ExponentialRetry<string>({ baseMs: 100, maxMs: 30_000 }),
      log: options.log,
      ...(options.registry ? { registry: options.registry } : {}),
    });
  }

  /** Values waiting to be written. */
  get size(): number {
    return this.pending.size;
  }

  /** Queues `value` as the newest for `key`, replacing (and counting as coalesced) an older pending one. */
  offer(key: string, value: V, done?: Done): void {
    const { metrics, name } = this.options;
    if (this.stopped) {
      done?.(new Error(`edgecontroller is stopping; ${name} for ${key} was not written`));
      return;
    }
    const existing = this.pending.get(key);
    if (existing) {
      // The newer value supersedes the older one; whoever waited for the older one waits for this one.
      existing.value = value;
      if (done) existing.waiters.push(done);
      metrics.write(name, 'coalesced');
      // Waiting out a retry back-off: the new value is worth trying now.
      this.queue.add(key);
      return;
    }
    if (this.pending.size >= this.maxKeys) {
      metrics.write(name, 'overflow');
      this.options.log.warn({ queue: name, key, maxKeys: this.maxKeys }, 'upstream write queue full: report refused');
      done?.(new Error(`edgecontroller has ${this.pending.size} ${name} writes pending, the most it keeps; resend later`));
      return;
    }
    this.pending.set(key, { value, waiters: done ? [done] : [] });
    this.queue.add(key);
  }

  /** Runs the workers until `signal` aborts; then fails what is still pending. */
  async run(signal: AbortSignal): Promise<void> {
    try {
      await runController({
        name: `edgecontroller_${this.options.name}`,
        queue: this.queue,
        workers: this.options.workers ?? 4,
        reconcile: (key, workSignal) => this.writeOne(key, workSignal),
        log: this.options.log,
        signal,
        ...(this.options.registry ? { registry: this.options.registry } : {}),
      });
    } finally {
      this.stopped = true;
      const stopping = new Error(`edgecontroller stopped before writing ${this.options.name}`);
      for (const entry of this.pending.values()) settle(entry.waiters, stopping);
      this.pending.clear();
    }
  }

  private async writeOne(key: string, signal: AbortSignal): Promise<void> {
    const entry = this.pending.get(key);
    if (!entry) return;
    // Taken out first: a value offered while this write runs is pending again and written after it.
    this.pending.delete(key);
    const { metrics, name } = this.options;
    try {
      await this.options.write(key, entry.value, signal);
    } catch (error) {
      if (error instanceof TerminalError || signal.aborted) {
        metrics.write(name, 'failed');
        settle(entry.waiters, error);
        throw error;
      }
      metrics.write(name, 'retried');
      const newer = this.pending.get(key);
      if (newer) newer.waiters.push(...entry.waiters);
      else this.pending.set(key, entry);
      throw error;
    }
    metrics.write(name, 'written');
    settle(entry.waiters);
  }
}

function settle(waiters: Done[], error?: unknown): void {
  for (const done of waiters) done(error);
}
