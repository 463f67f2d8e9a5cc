/**
 * A module's bounded FIFO queue.
 *
 * Overflow policy: back-pressure. When the queue holds `capacity` items, `push` returns a promise that settles once the
 * item is in the queue; pushes made while others wait queue up behind them, so the order of one sender's messages is
 * kept even if it does not await each push. `tryPush` never waits. One reader at a time takes items in order.
 */

const RESOLVED: Promise<void> = Promise.resolve();

interface BlockedWriter<T> {
  item: T;
  resolve: () => void;
  reject: (error: Error) => void;
}

interface WaitingReader<T> {
  resolve: (item: T) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal;
  onAbort: () => void;
}

export class Inbox<T> {
  private readonly ring: (T | undefined)[];
  private head = 0;
  private count = 0;
  private readonly writers: BlockedWriter<T>[] = [];
  private writersHead = 0;
  private reader: WaitingReader<T> | undefined;
  private closedWith: Error | undefined;

  /** Called each time a push has to wait for space (for the queue-full metric). */
  onFull: (() => void) | undefined;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`inbox capacity must be a positive integer (got ${capacity})`);
    }
    this.ring = new Array<T | undefined>(capacity);
  }

  /** Items queued, not counting blocked writers. */
  get length(): number {
    return this.count;
  }

  /** Writers waiting for space. */
  get blocked(): number {
    return this.writers.length - this.writersHead;
  }

  push(item: T): Promise<void> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    if (this.blocked === 0 && this.offer(item)) return RESOLVED;
    this.onFull?.();
    return new Promise<void>((resolve, reject) => {
      this.writers.push({ item, resolve, reject });
    });
  }

  /** Queues the item if there is room and nobody is waiting ahead of it; never waits. */
  tryPush(item: T): boolean {
    if (this.closedWith) throw this.closedWith;
    if (this.blocked > 0) return false;
    return this.offer(item);
  }

  /** The next item; waits for one. Rejects with the signal's reason when it aborts. */
  take(signal: AbortSignal): Promise<T> {
    if (this.reader) return Promise.reject(new Error('inbox already has a reader; a module reads its messages in one loop'));
    if (this.count > 0) return Promise.resolve(this.shift());
    if (this.closedWith) return Promise.reject(this.closedWith);
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        this.reader = undefined;
        reject(signal.reason);
      };
      this.reader = { resolve, reject, signal, onAbort };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Refuses further pushes and fails blocked writers and the reader with `error`. Returns the items dropped. */
  close(error: Error): T[] {
    this.closedWith = error;
    // Blocked writers first, so that draining the queue below does not admit their items.
    for (let i = this.writersHead; i < this.writers.length; i++) this.writers[i]!.reject(error);
    this.writers.length = 0;
    this.writersHead = 0;
    const dropped: T[] = [];
    while (this.count > 0) dropped.push(this.shift());
    const reader = this.reader;
    if (reader) {
      this.reader = undefined;
      reader.signal.removeEventListener('abort', reader.onAbort);
      reader.reject(error);
    }
    return dropped;
  }

  /** Hands the item to a waiting reader, or stores it if there is room. */
  private offer(item: T): boolean {
    const reader = this.reader;
    if (reader) {
      this.reader = undefined;
      reader.signal.removeEventListener('abort', reader.onAbort);
      reader.resolve(item);
      return true;
    }
    if (this.count === this.capacity) return false;
    this.ring[(this.head + this.count) % this.capacity] = item;
    this.count++;
    return true;
  }

  private shift(): T {
    const item = this.ring[this.head] as T;
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.count--;
    this.admitBlockedWriter();
    return item;
  }

  /** A slot freed up: move the longest-waiting writer's item in. */
  private admitBlockedWriter(): void {
    if (this.blocked === 0) return;
    const writer = this.writers[this.writersHead]!;
    this.writers[this.writersHead] = undefined as unknown as BlockedWriter<T>;
    this.writersHead++;
    if (this.writersHead === this.writers.length) {
      this.writers.length = 0;
      this.writersHead = 0;
    } else if (this.writersHead > 1024 && this.writersHead * 2 > this.writers.length) {
      this.writers.splice(0, this.writersHead);
      this.writersHead = 0;
    }
    this.ring[(this.head + this.count) % this.capacity] = writer.item;
    this.count++;
    writer.resolve();
  }
}
