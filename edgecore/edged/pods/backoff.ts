/**
 * Per-key back-off with kubelet's semantics (k8s.io/client-go/util/flowcontrol.Backoff), used for CrashLoopBackOff and
 * ImagePullBackOff: the first failure is retried at once, each later one waits a delay that doubles from initialMs to
 * maxMs; an entry idle for 2 * maxMs is forgotten (a container that ran 10 min starts again from 10 s).
 */

export interface BackoffTimings {
  /** kubelet: 10 s. */
  initialMs: number;
  /** kubelet: 5 min. */
  maxMs: number;
}

interface Entry {
  delayMs: number;
  lastUpdateMs: number;
}

export class KeyedBackoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly timings: BackoffTimings,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a failure at eventMs (e.g. when the container finished) and grows the delay. */
  next(key: string, eventMs: number): void {
    const entry = this.entries.get(key);
    if (entry === undefined || this.expired(entry, eventMs)) {
      this.entries.set(key, { delayMs: this.timings.initialMs, lastUpdateMs: eventMs });
    } else {
      entry.delayMs = Math.min(entry.delayMs * 2, this.timings.maxMs);
      entry.lastUpdateMs = eventMs;
    }
  }

  /** Milliseconds left before `key` may be retried, counting from eventMs; 0 when it may be retried now. */
  remainingSince(key: string, eventMs: number): number {
    const entry = this.entries.get(key);
    if (entry === undefined || this.expired(entry, eventMs)) return 0;
    return Math.max(0, eventMs + entry.delayMs - this.now());
  }

  /** Same, counted from the last recorded failure (image pulls). */
  remainingSinceUpdate(key: string): number {
    const entry = this.entries.get(key);
    if (entry === undefined || this.expired(entry, this.now())) return 0;
    return Math.max(0, entry.lastUpdateMs + entry.delayMs - this.now());
  }

  delayMs(key: string): number {
    return this.entries.get(key)?.delayMs ?? 0;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  /** Drops every key starting with prefix (a pod's keys when it goes away). */
  forgetPrefix(prefix: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }

  private expired(entry: Entry, eventMs: number): boolean {
    return eventMs - entry.lastUpdateMs > 2 * this.timings.maxMs;
  }
}
