/**
 * The current objects in memory: a Map for get, plus the keys in sorted order for prefix ranges, list pages and counts
 * (binary search). New keys do not go into the sorted array one by one (a splice is an O(n) memmove per create, about
 * 5-10 µs at 10,000 objects, on the write path): they wait in a small unsorted buffer that the next range read sorts and
 * merges in, once, in O(n + k log k). Replacing an object touches only the Map, since ranges hold keys, not objects.
 * Deleting merges first, then splices (deletes are rarer than creates and were O(n) already).
 */
import type { StoredObject } from './stored-object';
import type { Key } from './types';

/** The first string after every string that starts with `prefix` (keys are ASCII, see keys.ts). */
export function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

export class ObjectIndex {
  private readonly byKey = new Map<Key, StoredObject>();
  /** Every key of `byKey` except those in `pending`, sorted. */
  private sorted: Key[] = [];
  /** Keys added since the last range read, unsorted. */
  private pending: Key[] = [];

  get size(): number {
    return this.byKey.size;
  }

  get(key: Key): StoredObject | undefined {
    return this.byKey.get(key);
  }

  /** Adds or replaces the object under its key. */
  set(object: StoredObject): void {
    const key = object.key;
    if (!this.byKey.has(key)) {
      const sorted = this.sorted;
      // Appending in order (loading, or names that only grow) keeps the array sorted as it is.
      if (this.pending.length === 0 && (sorted.length === 0 || sorted[sorted.length - 1]! < key)) sorted.push(key);
      else this.pending.push(key);
    }
    this.byKey.set(key, object);
  }

  delete(key: Key): void {
    if (!this.byKey.delete(key)) return;
    this.merge();
    this.sorted.splice(this.lowerBound(key), 1);
  }

  /** Index range [start, end) of the keys a selector covers: a prefix ending in '/', or one key. */
  range(selector: Key): [number, number] {
    this.merge();
    if (!selector.endsWith('/')) {
      const at = this.lowerBound(selector);
      return [at, this.sorted[at] === selector ? at + 1 : at];
    }
    return [this.lowerBound(selector), this.lowerBound(prefixEnd(selector))];
  }

  count(selector: Key): number {
    const [start, end] = this.range(selector);
    return end - start;
  }

  /** Up to `limit` objects under `selector` with keys after `continueAfter`, and how many more there are. */
  page(selector: Key, limit: number, continueAfter: Key | undefined): { items: StoredObject[]; remaining: number } {
    const [first, end] = this.range(selector);
    const start = continueAfter === undefined ? first : Math.max(first, this.upperBound(continueAfter));
    if (start >= end) return { items: [], remaining: 0 };
    const stop = Math.min(end, start + limit);
    const items = new Array<StoredObject>(stop - start);
    for (let i = start; i < stop; i++) items[i - start] = this.byKey.get(this.sorted[i]!)!;
    return { items, remaining: end - stop };
  }

  /** Sorts the pending keys into `sorted`. */
  private merge(): void {
    const pending = this.pending;
    if (pending.length === 0) return;
    pending.sort();
    const sorted = this.sorted;
    const merged = new Array<Key>(sorted.length + pending.length);
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < sorted.length && j < pending.length) merged[k++] = sorted[i]! < pending[j]! ? sorted[i++]! : pending[j++]!;
    while (i < sorted.length) merged[k++] = sorted[i++]!;
    while (j < pending.length) merged[k++] = pending[j++]!;
    this.sorted = merged;
    this.pending = [];
  }

  /** First index whose key is >= key (in `sorted`; merge first). */
  private lowerBound(key: Key): number {
    const sorted = this.sorted;
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index whose key is > key. */
  private upperBound(key: Key): number {
    const at = this.lowerBound(key);
    return this.sorted[at] === key ? at + 1 : at;
  }
}
