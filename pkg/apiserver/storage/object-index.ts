/**
 * The current objects in memory: a Map for get, plus an array sorted by key for prefix ranges, list pages and counts
 * (binary search). Inserting a new key splices the array: O(n) memmove, about 10 µs at 100,000 objects, cheaper in
 * time and memory than a tree at the sizes an embedded API server holds. Replacing an object keeps its slot.
 */
import type { StoredObject } from './stored-object';
import type { Key } from './types';

/** The first string after every string that starts with `prefix` (keys are ASCII, see keys.ts). */
export function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

export class ObjectIndex {
  private readonly byKey = new Map<Key, StoredObject>();
  private readonly sorted: StoredObject[] = [];

  get size(): number {
    return this.byKey.size;
  }

  get(key: Key): StoredObject | undefined {
    return this.byKey.get(key);
  }

  /** Adds or replaces the object under its key. */
  set(object: StoredObject): void {
    const key = object.key;
    const sorted = this.sorted;
    if (this.byKey.has(key)) {
      sorted[this.lowerBound(key)] = object;
    } else if (sorted.length === 0 || sorted[sorted.length - 1]!.key < key) {
      sorted.push(object);
    } else {
      sorted.splice(this.lowerBound(key), 0, object);
    }
    this.byKey.set(key, object);
  }

  delete(key: Key): void {
    if (!this.byKey.delete(key)) return;
    this.sorted.splice(this.lowerBound(key), 1);
  }

  /** Index range [start, end) of the keys a selector covers: a prefix ending in '/', or one key. */
  range(selector: Key): [number, number] {
    if (!selector.endsWith('/')) {
      const at = this.lowerBound(selector);
      return [at, this.sorted[at]?.key === selector ? at + 1 : at];
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
    return { items: this.sorted.slice(start, stop), remaining: end - stop };
  }

  /** First index whose key is >= key. */
  private lowerBound(key: Key): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sorted[mid]!.key < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index whose key is > key. */
  private upperBound(key: Key): number {
    const at = this.lowerBound(key);
    return this.sorted[at]?.key === key ? at + 1 : at;
  }
}
