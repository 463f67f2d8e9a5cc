/**
 * The edge store's contract. MetaManager is its only writer; everything else reads through MetaReader.
 *
 * Versions: each change carries the object's resourceVersion. A change is applied only if it is newer than what the
 * store knows about its key: the stored object's version, or the tombstone a delete left. Anything else is answered
 * as a duplicate (the same version again) or stale (older, or an update of an object deleted since), and not written.
 */
import type { ObjectResource } from './resource';

export interface StoredObject {
  /** `<namespace>/<type>/<name>`. */
  readonly key: string;
  readonly type: string;
  readonly namespace: string;
  readonly name: string;
  /** Decimal text of an unsigned integer. */
  readonly resourceVersion: string;
  /** The object's JSON as the cloud sent it. */
  readonly json: string;
}

export interface Change {
  /** upsert: insert, update and patch (the content is the whole object); delete: remove, leave a tombstone. */
  readonly kind: 'upsert' | 'delete';
  readonly resource: ObjectResource;
  readonly resourceVersion: bigint;
  /** The object's JSON; for a delete its last state, or '' when the cloud sent none. */
  readonly json: string;
}

/**
 * applied: committed before apply() resolved. duplicate: the store already holds this version (or this delete).
 * stale: the store holds a newer version, or a delete at or after this version.
 */
export type ApplyOutcome = 'applied' | 'duplicate' | 'stale';

export interface ListQuery {
  readonly type: string;
  /** All namespaces when absent. */
  readonly namespace?: string;
}

export interface MetaReader {
  get(key: string): Promise<StoredObject | undefined>;
  /** Objects of one type (in one namespace), in key order. */
  list(query: ListQuery): Promise<StoredObject[]>;
}

export interface MetaStore extends MetaReader {
  /** Applies the change in one transaction if it is newer than what is stored; resolves after the commit. */
  apply(change: Change): Promise<ApplyOutcome>;
  /** Forgets tombstones written before `beforeMs` (Unix ms); returns how many. */
  pruneTombstones(beforeMs: number): Promise<number>;
  /** Waits for writes in flight, then closes the database. Idempotent. */
  close(): Promise<void>;
}
