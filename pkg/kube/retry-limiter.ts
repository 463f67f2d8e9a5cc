/** How long a key waits before its next retry (client-go's workqueue RateLimiter, in milliseconds). */
import { TokenBucket } from '../timing';

export interface RetryLimiter<K> {
  /** Records a failure of `key` and returns the delay before it is retried. */
  when(key: K): number;
  /** The key succeeded (or was given up on): its next failure starts from the first delay again. */
  forget(key: K): void;
  /** Failures recorded since the last forget. */
  retries(key: K): number;
}

export interface ExponentialRetryOptions {
  /** First delay. Default 5 ms. */
  baseMs?: number;
  /** Cap. Default 1,000 s (client-go's). */
  maxMs?: number;
}

/** Per key: baseMs * 2^failures, capped at maxMs. */
export class ExponentialRetry<K> implements RetryLimiter<K> {
  private readonly failures = new Map<K, number>();
  private readonly baseMs: number;
  private readonly maxMs: number;

  constructor(options: ExponentialRetryOptions = {}) {
    this.baseMs = options.baseMs ?? 5;
    this.maxMs = options.maxMs ?? 1_000_000;
    if (!(this.baseMs > 0) || !(this.maxMs >= this.baseMs)) {
      throw new RangeError(`retry back-off needs 0 < baseMs <= maxMs (got ${this.baseMs}, ${this.maxMs})`);
    }
  }

  when(key: K): number {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    // 2 ** 1100 is Infinity, and min() caps it: no overflow to guard.
    return Math.min(this.baseMs * 2 ** failures, this.maxMs);
  }

  forget(key: K): void {
    this.failures.delete(key);
  }

  retries(key: K): number {
    return this.failures.get(key) ?? 0;
  }
}

/** Overall: retries of all keys together stay under a rate, so a mass failure does not hammer the API server. */
export class BucketRetry<K> implements RetryLimiter<K> {
  constructor(private readonly bucket: TokenBucket) {}

  when(): number {
    return this.bucket.reserve();
  }

  forget(_key: K): void {}

  retries(_key: K): number {
    return 0;
  }
}

/** The longest delay any of the limiters asks for. */
export class MaxOfRetry<K> implements RetryLimiter<K> {
  private readonly limiters: readonly RetryLimiter<K>[];

  constructor(...limiters: RetryLimiter<K>[]) {
    this.limiters = limiters;
  }

  when(key: K): number {
    return Math.max(0, ...this.limiters.map((l) => l.when(key)));
  }

  forget(key: K): void {
    for (const l of this.limiters) l.forget(key);
  }

  retries(key: K): number {
    return Math.max(0, ...this.limiters.map((l) => l.retries(key)));
  }
}

/** client-go's DefaultControllerRateLimiter: 5 ms doubling to 1,000 s per key, and 10 retries/s (burst 100) overall. */
export function defaultRetryLimiter<K>(): RetryLimiter<K> {
  return new MaxOfRetry<K>(new ExponentialRetry<K>(), new BucketRetry<K>(new TokenBucket({ ratePerSecond: 10, burst: 100 })));
}
