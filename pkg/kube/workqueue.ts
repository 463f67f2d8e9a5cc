/**
 * The one work queue controllers share (client-go's rate-limiting workqueue, in one class):
 * - a key added while it is queued stays queued once;
 * - a key added while a worker has it is queued again only after `done`, so no two workers ever hold one key;
 * - `addAfter` delays a key (the earliest of several delays wins); `addRateLimited` delays it by its retry back-off;
 * - bounded: at most `maxLength` keys ready and at most `maxLength` delayed. Overflow policy: the add is refused
 *   (returns false), counted in workqueue_dropped_total and logged once per episode. Nothing is lost for good: keys
 *   come from informers, whose periodic resync adds every key again.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { noQueueMetrics, queueMetrics, type QueueMetrics } from './metrics';
import { defaultRetryLimiter, type RetryLimiter } from './retry-limiter';

export interface WorkQueueOptions<K> {
  /** Names the queue in metrics and logs. */
  name: string;
  /** Default 100,000 keys. */
  maxLength?: number;
  /** Default: 5 ms doubling to 1,000 s per key, and 10 retries/s overall. */
  retryLimiter?: RetryLimiter<K>;
  registry?: Registry;
  log?: Logger;
  /** Milliseconds; injected for tests. */
  now?: () => number;
}

export const DEFAULT_QUEUE_LENGTH = 100_000;

type Getter<K> = (key: K | undefined) => void;

/** K is compared with ===: strings ("namespace/name") in practice. */
export class WorkQueue<K> {
  readonly name: string;
  private readonly maxLength: number;
  private readonly retryLimiter: RetryLimiter<K>;
  private readonly metrics: QueueMetrics;
  private readonly now: () => number;
  private ready: K[] = [];
  private head = 0;
  /** Keys that need processing: queued in `ready`, or waiting for their worker's `done`. */
  private readonly dirty = new Set<K>();
  private readonly processing = new Map<K, number>();
  private readonly addedAt = new Map<K, number>();
  private readonly delayed = new Map<K, { at: number; timer: NodeJS.Timeout }>();
  private readonly getters: Getter<K>[] = [];
  private readonly drainWaiters: (() => void)[] = [];
  private shutting = false;
  private overflowing = false;

  constructor(private readonly options: WorkQueueOptions<K>) {
    this.name = options.name;
    this.maxLength = options.maxLength ?? DEFAULT_QUEUE_LENGTH;
    if (!Number.isInteger(this.maxLength) || this.maxLength < 1) throw new RangeError(`work queue ${this.name}: maxLength must be an integer >= 1`);
    this.retryLimiter = options.retryLimiter ?? defaultRetryLimiter<K>();
    this.metrics = options.registry ? queueMetrics(options.registry, this.name) : noQueueMetrics;
    this.now = options.now ?? Date.now;
  }

  /** Keys ready for a worker. */
  get length(): number {
    return this.ready.length - this.head;
  }

  /** Keys waiting for a delay to pass. */
  get delayedLength(): number {
    return this.delayed.size;
  }

  get shuttingDown(): boolean {
    return this.shutting;
  }

  /** False when refused: the queue is shutting down, or full (see the overflow policy above). */
  add(key: K): boolean {
    if (this.shutting) return false;
    if (this.dirty.has(key)) return true;
    if (this.dirty.size >= this.maxLength) return this.overflow(key);
    this.overflowing = false;
    this.dirty.add(key);
    this.addedAt.set(key, this.now());
    this.metrics.added();
    if (!this.processing.has(key)) this.push(key);
    return true;
  }

  /** Adds the key once `delayMs` has passed; if it is already delayed, the earlier time wins. */
  addAfter(key: K, delayMs: number): boolean {
    if (this.shutting) return false;
    if (!(delayMs > 0)) return this.add(key);
    const at = this.now() + delayMs;
    const existing = this.delayed.get(key);
    if (existing && existing.at <= at) return true;
    if (!existing && this.delayed.size >= this.maxLength) return this.overflow(key);
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.delayed.set(key, { at, timer });
    return true;
  }

  /** After a failure: adds the key after its back-off. */
  addRateLimited(key: K): boolean {
    if (this.shutting) return false;
    this.metrics.retried();
    return this.addAfter(key, this.retryLimiter.when(key));
  }

  /** The key is done with retrying (it succeeded, or was given up on): reset its back-off. */
  forget(key: K): void {
    this.retryLimiter.forget(key);
  }

  numRequeues(key: K): number {
    return this.retryLimiter.retries(key);
  }

  /**
   * The next key, which the caller holds until `done(key)`. Resolves undefined once the queue is shut down and has no
   * ready keys left, or when `signal` aborts.
   */
  get(signal?: AbortSignal): Promise<K | undefined> {
    if (this.length > 0) {
      const key = this.ready[this.head++] as K;
      this.compact();
      this.take(key);
      return Promise.resolve(key);
    }
    if (this.shutting || signal?.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const getter: Getter<K> = (key) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(key);
      };
      const onAbort = (): void => {
        const i = this.getters.indexOf(getter);
        if (i >= 0) this.getters.splice(i, 1);
        resolve(undefined);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.getters.push(getter);
    });
  }

  /** The worker is finished with the key; if it was added meanwhile, it is queued again now. */
  done(key: K): void {
    const started = this.processing.get(key);
    if (started === undefined) return;
    this.processing.delete(key);
    this.metrics.worked((this.now() - started) / 1000);
    if (this.dirty.has(key)) this.push(key);
    if (this.processing.size === 0 && this.shutting) this.drainWaiters.splice(0).forEach((resolve) => resolve());
  }

  /**
   * Refuses new keys and drops delayed ones; `get` still hands out the keys already ready, then undefined. Resolves
   * once no worker holds a key.
   */
  shutDown(): Promise<void> {
    this.shutting = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    if (this.length === 0) this.getters.splice(0).forEach((getter) => getter(undefined));
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private push(key: K): void {
    const getter = this.getters.shift();
    if (getter) {
      this.take(key);
      getter(key);
      return;
    }
    this.ready.push(key);
    this.metrics.depth(this.length);
  }

  private take(key: K): void {
    this.dirty.delete(key);
    const now = this.now();
    this.processing.set(key, now);
    const added = this.addedAt.get(key);
    this.addedAt.delete(key);
    if (added !== undefined) this.metrics.waited((now - added) / 1000);
    this.metrics.depth(this.length);
  }

  /** Drops the consumed front of the array now and then, so `get` stays O(1) amortised. */
  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.ready.length) {
      this.ready = this.ready.slice(this.head);
      this.head = 0;
    }
  }

  private overflow(key: K): false {
    this.metrics.dropped();
    if (!this.overflowing) {
      this.overflowing = true;
      this.options.log?.warn({ queue: this.name, key, maxLength: this.maxLength }, 'work queue full: refusing keys until it drains (resync adds them again)');
    }
    return false;
  }
}
