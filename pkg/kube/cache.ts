/** The informer's in-memory cache: objects by "namespace/name" key, plus secondary indexes (client-go's Indexer). */
import type { KubeObject } from './resource';

/** The values an object is indexed under (e.g. a pod's spec.nodeName); none means it is not in that index. */
export type IndexFunc<T> = (obj: T) => readonly string[];

/** Every cache has it: objects by metadata.namespace ("" for cluster-scoped ones). */
export const NAMESPACE_INDEX = 'namespace';

/** What a deleted object's handlers get when the deletion was not seen, only inferred from a relist. */
export class DeletedFinalStateUnknown<T> {
  constructor(
    readonly key: string,
    /** The last state the cache had; it may be stale. */
    readonly obj: T,
  ) {}
}

export function isTombstone<T>(value: T | DeletedFinalStateUnknown<T>): value is DeletedFinalStateUnknown<T> {
  return value instanceof DeletedFinalStateUnknown;
}

/** The read side, which is all that controllers get. */
export interface CacheReader<T> {
  readonly size: number;
  get(key: string): T | undefined;
  keys(): string[];
  list(): T[];
  /** Objects whose index function returned `value`. Throws for an index that was never added. */
  byIndex(indexName: string, value: string): T[];
  indexKeys(indexName: string, value: string): string[];
}

export class Indexer<T extends KubeObject> implements CacheReader<T> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Readonly<Record<string, IndexFunc<T>>> = {}) {
    this.addIndexers({ [NAMESPACE_INDEX]: (obj) => [obj.metadata?.namespace ?? ''], ...indexers });
  }

  get size(): number {
    return this.items.size;
  }

  /** Adds indexes, building them over the objects already cached. A name that exists must be the same function. */
  addIndexers(indexers: Readonly<Record<string, IndexFunc<T>>>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      const existing = this.indexers.get(name);
      if (existing === fn) continue;
      if (existing) throw new Error(`index "${name}" already exists with another function`);
      this.indexers.set(name, fn);
      const index = new Map<string, Set<string>>();
      this.indices.set(name, index);
      for (const [key, obj] of this.items) add(index, fn(obj), key);
    }
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  list(): T[] {
    return [...this.items.values()];
  }

  byIndex(indexName: string, value: string): T[] {
    return this.indexKeys(indexName, value).map((key) => this.items.get(key) as T);
  }

  indexKeys(indexName: string, value: string): string[] {
    const index = this.indices.get(indexName);
    if (!index) throw new Error(`no index named "${indexName}" (have: ${[...this.indices.keys()].join(', ')})`);
    return [...(index.get(value) ?? [])];
  }

  /** Stores the object; returns the one it replaced. */
  set(key: string, obj: T): T | undefined {
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    this.items.set(key, obj);
    for (const [name, fn] of this.indexers) add(this.indices.get(name)!, fn(obj), key);
    return old;
  }

  delete(key: string): T | undefined {
    const old = this.items.get(key);
    if (old === undefined) return undefined;
    this.items.delete(key);
    this.unindex(key, old);
    return old;
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name)!;
      for (const value of fn(obj)) {
        const keys = index.get(value);
        keys?.delete(key);
        if (keys?.size === 0) index.delete(value);
      }
    }
  }
}

function add(index: Map<string, Set<string>>, values: readonly string[], key: string): void {
  for (const value of values) {
    let keys = index.get(value);
    if (!keys) index.set(value, (keys = new Set()));
    keys.add(key);
  }
}
