import { sleep } from './index';

export interface TokenBucketOptions {
  /** Tokens added per second (the sustained rate). */
  ratePerSecond: number;
  /** Tokens the bucket holds: how many calls may go at once after a quiet spell. */
  burst: number;
  /** Injected for tests; milliseconds. */
  now?: () => number;
}

/**
 * A token bucket that hands out reservations: a caller that finds it empty is told how long to wait and its token is
 * taken from the future, so waiters are served in arrival order without a queue (golang.org/x/time/rate's Reserve).
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly now: () => number;

  constructor(private readonly options: TokenBucketOptions) {
    if (!(options.ratePerSecond > 0) || !Number.isFinite(options.ratePerSecond)) {
      throw new RangeError(`token bucket rate must be a positive number (got ${options.ratePerSecond})`);
    }
    if (!(options.burst >= 1) || !Number.isInteger(options.burst)) {
      throw new RangeError(`token bucket burst must be an integer >= 1 (got ${options.burst})`);
    }
    this.now = options.now ?? Date.now;
    this.tokens = options.burst;
    this.last = this.now();
  }

  /** Takes a token and returns how many milliseconds the caller must wait before using it (0: go now). */
  reserve(): number {
    this.refill();
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.options.ratePerSecond);
  }

  /** Takes a token only if one is available now. */
  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Waits for a token; rejects with the signal's reason if it aborts first (the token stays spent). */
  async take(signal?: AbortSignal): Promise<void> {
    const waitMs = this.reserve();
    if (waitMs > 0) await sleep(waitMs, signal);
  }

  private refill(): void {
    const now = this.now();
    const elapsed = Math.max(0, now - this.last);
    this.last = now;
    this.tokens = Math.min(this.options.burst, this.tokens + (elapsed * this.options.ratePerSecond) / 1000);
  }
}
