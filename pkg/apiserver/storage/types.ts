import type { KubeObject, StoredObject } from './stored-object';

/**
 * Keys look like `/core/pods/default/nginx`, `/apps/deployments/default/web`, `/core/nodes/node-1`: printable ASCII,
 * starting with '/', no empty segment, no trailing '/'. A *selector* passed to list/count/watch is either a prefix ending
 * in '/' (`/core/pods/` = all namespaces, `/core/pods/default/` = one namespace) or one exact key.
 */
export type Key = string;

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchEvent {
  readonly type: WatchEventType;
  /** The revision of the write; events arrive in strictly increasing revision order. */
  readonly revision: number;
  /** The object after the write. For DELETED: its last content, stamped with the deletion's revision. */
  readonly object: StoredObject;
  /** The object before the write; set for MODIFIED and DELETED, undefined for ADDED. */
  readonly prev: StoredObject | undefined;
}

export interface ListOptions {
  /** At most this many items (> 0); the result's `continueAfter` is set when more remain. */
  limit?: number;
  /** Start after this key (the `continueAfter` of the previous page). */
  continueAfter?: Key;
}

export interface ListResult {
  /** Ordered by key (lexical). */
  items: StoredObject[];
  /** The store revision this list reflects; watch from it to miss nothing. */
  revision: number;
  /** The last key of this page, when more items remain (Kubernetes `continue`). */
  continueAfter?: Key;
  /** How many items remain after this page (Kubernetes `remainingItemCount`), when `continueAfter` is set. */
  remaining?: number;
}

export interface WriteOptions {
  /** Compare-and-swap: fail with CONFLICT unless the stored object's revision is this one. */
  expectedRevision?: number;
}

/**
 * Computes the next content from a private, mutable copy of the current object (mutating and returning it is fine).
 * Returning undefined means "no change": nothing is written and the current object is returned.
 */
export type Mutation = (
  current: KubeObject,
  stored: StoredObject,
) => KubeObject | undefined | Promise<KubeObject | undefined>;

export interface GuaranteedUpdateOptions {
  /** Attempts before giving up with CONFLICT. @default 16 */
  maxAttempts?: number;
}

export interface WatchOptions {
  /** Deliver events with revision > fromRevision. 0 or omitted: from now on. */
  fromRevision?: number;
  /** Ends the watch (the iteration completes normally). */
  signal?: AbortSignal;
  /** Live events held for a consumer that has not asked for them yet; more ends the watch (WATCH_OVERFLOW). */
  bufferSize?: number;
  /**
   * Kubernetes selector semantics: the watcher sees an object that stops matching as DELETED (its previous content,
   * stamped with the event's revision) and one that starts matching as ADDED. Must be pure and fast: it runs inside
   * the write path for every event under the watched prefix.
   */
  filter?: (object: KubeObject) => boolean;
}

/**
 * One watch: iterate it (`for await (const events of watcher)`) to receive batches of events in revision order; each
 * batch holds everything that arrived since the previous one, so a consumer can write it to a socket at once.
 * Between batches the consumer may await (socket drain): events wait in the watcher's bounded buffer meanwhile.
 * The iteration ends normally on `signal`/`stop()`, and throws StorageError WATCH_OVERFLOW (after the batches already
 * buffered), GONE (history compacted during a long replay), CLOSED, INVALID (the filter threw), or, for a replay that
 * reads SQLite, OVERLOADED / IO. On WATCH_OVERFLOW, end the HTTP watch without an
 * ERROR event: clients re-watch from the last revision they received, which the store replays.
 */
export interface Watcher extends AsyncIterable<readonly WatchEvent[]> {
  readonly selector: Key;
  /** The revision of the last event delivered or skipped: where a re-watch should resume. */
  readonly position: number;
  /**
   * The events buffered so far, taken without waiting (none: an empty list). For a reader that holds a batch back for
   * a moment (write coalescing) and then sends what came meanwhile along with it. Not while a `next()` is pending.
   */
  drain(): readonly WatchEvent[];
  stop(): void;
}

export interface CompactResult {
  /** Events with revision <= compactRevision may be gone; watches from older revisions fail with GONE. */
  compactRevision: number;
  /** Rows deleted by this call. */
  deletedRows: number;
}

export interface StoreStats {
  revision: number;
  compactRevision: number;
  objects: number;
  watchers: number;
  /** Events held in memory for quick watch resume, and the oldest revision they cover. */
  memoryEvents: number;
  memoryFromRevision: number;
  pendingWrites: number;
  watchOverflows: number;
  rejectedWrites: number;
}

/**
 * The storage of the embedded API server: etcd plus the apiserver's watch cache. Reads are synchronous, from memory;
 * writes are serialized, each one SQLite statement, and return the StoredObject carrying the write's revision.
 * create/update take a plain object and never keep a reference to it.
 */
export interface Store {
  /** The revision of the last write (0 for an empty store). */
  readonly revision: number;
  readonly compactRevision: number;

  get(key: Key): StoredObject | undefined;
  list(selector: Key, options?: ListOptions): ListResult;
  count(selector: Key): number;

  /** EXISTS when the key holds an object. */
  create(key: Key, object: KubeObject): Promise<StoredObject>;
  /**
   * NOT_FOUND, or CONFLICT when `expectedRevision` is given and differs. Writing content equal to the stored content
   * (ignoring resourceVersion) writes nothing and returns the stored object, as Kubernetes does for no-op updates.
   */
  update(key: Key, object: KubeObject, options?: WriteOptions): Promise<StoredObject>;
  /** Returns the deleted object stamped with the deletion's revision. NOT_FOUND, CONFLICT as for update. */
  delete(key: Key, options?: WriteOptions): Promise<StoredObject>;
  /** Read, mutate, compare-and-swap; retries on CONFLICT. NOT_FOUND when the key holds nothing. */
  guaranteedUpdate(key: Key, mutate: Mutation, options?: GuaranteedUpdateOptions): Promise<StoredObject>;

  /**
   * Throws GONE when `fromRevision` is older than the retained history, TOO_NEW when it is beyond `revision`. For
   * Kubernetes "send initial state" semantics, call `list` then `watch` from its revision in the same tick.
   */
  watch(selector: Key, options?: WatchOptions): Watcher;

  /** Drops history so that about `maxEvents` events remain; also runs on a timer. */
  compact(): Promise<CompactResult>;
  stats(): StoreStats;
  /** Lets queued writes finish, ends watchers with CLOSED, closes the file. Idempotent. */
  close(): Promise<void>;
}
