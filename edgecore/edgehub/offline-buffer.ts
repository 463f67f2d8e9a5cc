/**
 * Fire-and-forget upstream messages kept while the cloud is unreachable, sent in order once it is back.
 *
 * Overflow policy: drop oldest. The buffer holds at most `maxMessages` messages and `maxBytes` encoded bytes; a push
 * that would exceed either drops the oldest entries (each one reported through `onDrop`). Edge modules report state
 * periodically, so the newest report is worth more than an old one. A single entry larger than `maxBytes` is dropped
 * itself.
 */

export interface BufferedEntry<T> {
  value: T;
  bytes: number;
}

export class OfflineBuffer<T> {
  private readonly entries: BufferedEntry<T>[] = [];
  private head = 0;
  private totalBytes = 0;

  constructor(
    private readonly maxMessages: number,
    private readonly maxBytes: number,
    private readonly onDrop: (dropped: T) => void,
  ) {}

  get length(): number {
    return this.entries.length - this.head;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  push(value: T, bytes: number): void {
    if (bytes > this.maxBytes) {
      this.onDrop(value);
      return;
    }
    while (this.length > 0 && (this.length + 1 > this.maxMessages || this.totalBytes + bytes > this.maxBytes)) {
      this.onDrop(this.shift()!.value);
    }
    this.entries.push({ value, bytes });
    this.totalBytes += bytes;
  }

  peek(): BufferedEntry<T> | undefined {
    return this.entries[this.head];
  }

  shift(): BufferedEntry<T> | undefined {
    if (this.length === 0) return undefined;
    const entry = this.entries[this.head]!;
    this.entries[this.head] = undefined as unknown as BufferedEntry<T>;
    this.head++;
    this.totalBytes -= entry.bytes;
    // Compact now and then so the array does not grow without bound.
    if (this.head === this.entries.length) {
      this.entries.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries.splice(0, this.head);
      this.head = 0;
    }
    return entry;
  }

  /** Empties the buffer, returning what it held (oldest first). */
  clear(): T[] {
    const values: T[] = [];
    for (let entry = this.shift(); entry; entry = this.shift()) values.push(entry.value);
    return values;
  }
}
