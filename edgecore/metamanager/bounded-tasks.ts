/**
 * Tasks run concurrently, at most `limit` at once. Overflow policy: back-pressure; add() waits for a free slot, which
 * stalls the caller's receive loop, so the module's inbox (bounded by the runtime) absorbs the burst.
 */
export class BoundedTasks {
  private readonly running = new Set<Promise<void>>();

  constructor(
    readonly limit: number,
    private readonly onError: (error: unknown) => void,
  ) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`task limit must be a positive integer (got ${limit})`);
  }

  get size(): number {
    return this.running.size;
  }

  /** Starts `task` once fewer than `limit` run; resolves when it has started, not when it ends. */
  async add(task: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.limit) await Promise.race(this.running);
    const promise = task().catch(this.onError);
    this.running.add(promise);
    void promise.then(() => this.running.delete(promise));
  }

  /** Resolves when every task started so far has ended. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running);
  }
}
