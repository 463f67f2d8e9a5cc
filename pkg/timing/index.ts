/**
 * Jittered exponential back-off, an abortable sleep and a deadline wait: the pieces every retry loop here
 * (module restarts, reconnects, resends) needs, kept in one place so they behave alike.
 */

export interface BackoffOptions {
  /** First delay. */
  initialMs: number;
  /** Delays never exceed this. */
  maxMs: number;
  /** Growth per attempt; 2 doubles. */
  factor?: number;
  /** Fraction of each delay that is randomised (0..1), so that many clients do not retry in step. */
  jitter?: number;
  /** Injected for tests; returns a number in [0, 1). */
  random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly random: () => number;

  constructor(private readonly options: BackoffOptions) {
    if (!(options.initialMs > 0) || !(options.maxMs >= options.initialMs)) {
      throw new RangeError(`back-off needs 0 < initialMs <= maxMs (got ${options.initialMs}, ${options.maxMs})`);
    }
    this.factor = options.factor ?? 2;
    this.jitter = Math.min(Math.max(options.jitter ?? 0.2, 0), 1);
    this.random = options.random ?? Math.random;
  }

  /** The delay before the next attempt; each call grows it until maxMs. */
  next(): number {
    const base = Math.min(this.options.initialMs * this.factor ** this.attempt, this.options.maxMs);
    this.attempt++;
    // Jitter subtracts up to `jitter` of the delay, so the cap is never exceeded.
    return Math.round(base * (1 - this.jitter * this.random()));
  }

  /** Call after a success: the next failure starts from initialMs again. */
  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts (and clears its timer). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Waits for `promise` at most `ms`; true if it settled in time. The timer is cleared either way. */
export async function within(ms: number, promise: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true as const, () => true as const), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves when the signal aborts: the tail of a long-lived `run` that has nothing left to do but wait. */
export function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

export { TokenBucket, type TokenBucketOptions } from './token-bucket';
export { microTime, parseTime, rfc3339, type Clock } from './kube-time';
