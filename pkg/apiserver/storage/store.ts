/**
 * The Store: current objects in memory (ObjectIndex), every write appended to SQLite (SqliteLog) through one serialized
 * queue, recent events in a ring, watchers fed from it. Memory changes only after SQLite committed, and in the same
 * tick the event reaches every live watcher, so readers never see an uncommitted object and a list's revision is an
 * exact point to watch from.
 */
import { closed, conflict, exists, invalid, isStorageError, notFound, tooNew, type StorageError } from './errors';
import { StoreEvent } from './events';
import { History } from './history';
import { checkKey, checkObject, checkRevision, checkSelector } from './keys';
import { ObjectIndex } from './object-index';
import { compileStoreOptions, type CompiledStoreOptions, type StoreOptions } from './options';
import { SqliteLog } from './sqlite-log';
import { ROW_ADDED, ROW_DELETED, ROW_MODIFIED } from './sqlite-schema';
import { stamp, StoredObject, type KubeObject } from './stored-object';
import type {
  CompactResult,
  GuaranteedUpdateOptions,
  Key,
  ListOptions,
  ListResult,
  Mutation,
  Store,
  StoreStats,
  Watcher,
  WatchOptions,
  WriteOptions,
} from './types';
import { StoreWatcher, type ReplayChunk, type WatchSource } from './watcher';
import { WriteQueue } from './write-queue';

/** Rows per query when loading: bigger chunks leave more malloc'd driver memory behind in RSS (5000: +30 MiB). */
const LOAD_CHUNK = 1000;

/** Opens (or creates) the store file and loads the current objects into memory. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const compiled = compileStoreOptions(options);
  const started = performance.now();
  const { log, head, compactRevision, created } = await SqliteLog.open(compiled.file, compiled.durability, compiled.log);
  const index = new ObjectIndex();
  try {
    for (let after = ''; ; ) {
      const rows = await log.currentAfter(after, LOAD_CHUNK);
      if (rows.length === 0) break;
      for (const row of rows) {
        if (row.type !== ROW_DELETED) index.set(new StoredObject(row.key, row.revision, row.value, compiled.freezeObjects));
        if (row.key > after) after = row.key;
      }
    }
  } catch (error) {
    await log.close().catch(() => {});
    throw error;
  }
  compiled.log.info(
    { file: compiled.file, created, revision: head, compactRevision, objects: index.size, ms: Math.round(performance.now() - started) },
    'storage opened',
  );
  return new SqliteStore(compiled, log, index, head, compactRevision);
}

class SqliteStore implements Store, WatchSource {
  private head: number;
  private readonly history: History;
  private readonly queue: WriteQueue;
  private readonly watchers = new Set<StoreWatcher>();
  private readonly live = new Set<StoreWatcher>();
  private readonly timer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private overflows = 0;
  private rejected = 0;

  constructor(
    private readonly options: CompiledStoreOptions,
    private readonly log: SqliteLog,
    private readonly index: ObjectIndex,
    head: number,
    compactRevision: number,
  ) {
    this.head = head;
    this.queue = new WriteQueue(options.maxPendingWrites, () => {
      this.rejected++;
      options.metrics.writeRejected();
    });
    this.history = new History(options, log, this.queue, () => this.head, compactRevision);
    options.metrics.observe(() => ({
      objects: index.size,
      watchers: this.watchers.size,
      revision: this.head,
      pendingWrites: this.queue.pending,
    }));
    if (options.compactIntervalMs > 0) {
      this.timer = setInterval(() => void this.compactInBackground(), options.compactIntervalMs);
      this.timer.unref();
    }
  }

  get revision(): number {
    return this.head;
  }

  get compactRevision(): number {
    return this.history.compactRevision;
  }

  get(key: Key): StoredObject | undefined {
    return this.index.get(key);
  }

  list(selector: Key, options: ListOptions = {}): ListResult {
    checkSelector(selector);
    const limit = options.limit ?? Number.MAX_SAFE_INTEGER;
    if (!Number.isSafeInteger(limit) || limit < 1) throw invalid(`list limit must be a positive integer (got ${limit})`);
    const { items, remaining } = this.index.page(selector, limit, options.continueAfter);
    const result: ListResult = { items, revision: this.head };
    if (remaining > 0) {
      result.continueAfter = items[items.length - 1]!.key;
      result.remaining = remaining;
    }
    return result;
  }

  count(selector: Key): number {
    checkSelector(selector);
    return this.index.count(selector);
  }

  async create(key: Key, object: KubeObject): Promise<StoredObject> {
    checkKey(key);
    checkObject(key, object);
    return this.queue.run(async () => {
      if (this.index.get(key)) throw exists(key);
      const revision = this.head + 1;
      const json = serialize(key, object, revision);
      this.log.append({ revision, key, type: ROW_ADDED, prevRevision: null, value: json });
      const stored = new StoredObject(key, revision, json, this.options.freezeObjects);
      this.commit(new StoreEvent('ADDED', revision, stored, undefined));
      return stored;
    });
  }

  async update(key: Key, object: KubeObject, options: WriteOptions = {}): Promise<StoredObject> {
    checkKey(key);
    checkObject(key, object);
    checkRevision('expectedRevision', options.expectedRevision);
    return this.queue.run(async () => {
      const prev = this.current(key, options.expectedRevision);
      const revision = this.head + 1;
      const json = serialize(key, object, revision);
      // No-op updates write nothing. Equal lengths (net of the revision) are needed for equal content: cheap test first.
      if (
        json.length - String(revision).length === prev.json.length - String(prev.revision).length &&
        serialize(key, object, prev.revision) === prev.json
      ) {
        return prev;
      }
      this.log.append({ revision, key, type: ROW_MODIFIED, prevRevision: prev.revision, value: json });
      const stored = new StoredObject(key, revision, json, this.options.freezeObjects);
      this.commit(new StoreEvent('MODIFIED', revision, stored, prev));
      return stored;
    });
  }

  async delete(key: Key, options: WriteOptions = {}): Promise<StoredObject> {
    checkKey(key);
    checkRevision('expectedRevision', options.expectedRevision);
    return this.queue.run(async () => {
      const prev = this.current(key, options.expectedRevision);
      const revision = this.head + 1;
      const deleted = prev.restamp(revision);
      this.log.append({ revision, key, type: ROW_DELETED, prevRevision: prev.revision, value: deleted.json });
      this.commit(new StoreEvent('DELETED', revision, deleted, prev));
      return deleted;
    });
  }

  async guaranteedUpdate(key: Key, mutate: Mutation, options: GuaranteedUpdateOptions = {}): Promise<StoredObject> {
    checkKey(key);
    const maxAttempts = options.maxAttempts ?? 16;
    for (let attempt = 1; ; attempt++) {
      const current = this.index.get(key);
      if (!current) throw notFound(key);
      const next = await mutate(current.copy(), current);
      if (next === undefined) return current;
      try {
        return await this.update(key, next, { expectedRevision: current.revision });
      } catch (error) {
        if (!isStorageError(error, 'CONFLICT') || attempt >= maxAttempts) throw error;
      }
    }
  }

  watch(selector: Key, options: WatchOptions = {}): Watcher {
    if (this.closing) throw closed('watch');
    checkSelector(selector);
    checkRevision('fromRevision', options.fromRevision);
    const bufferSize = options.bufferSize ?? this.options.watchBufferSize;
    if (!Number.isSafeInteger(bufferSize) || bufferSize < 1) {
      throw invalid(`watch bufferSize must be a positive integer (got ${bufferSize})`);
    }
    const from = options.fromRevision || this.head;
    if (from > this.head) throw tooNew(from, this.head);
    this.history.checkAvailable(from);
    const watcher = new StoreWatcher(selector, from, this, bufferSize, options.filter, options.signal);
    this.watchers.add(watcher);
    if (options.signal?.aborted) watcher.stop();
    // From now on: live at once, so the buffer bound applies from this call, not from the first read.
    else if (from === this.head) watcher.startLive();
    return watcher;
  }

  compact(): Promise<CompactResult> {
    return this.history.compact();
  }

  stats(): StoreStats {
    return {
      revision: this.head,
      compactRevision: this.history.compactRevision,
      objects: this.index.size,
      watchers: this.watchers.size,
      memoryEvents: this.history.memoryEvents,
      memoryFromRevision: this.history.memoryFromRevision,
      pendingWrites: this.queue.pending,
      watchOverflows: this.overflows,
      rejectedWrites: this.rejected,
    };
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.timer) clearInterval(this.timer);
      this.history.stop();
      await this.queue.close('storage');
      for (const watcher of [...this.watchers]) watcher.fail(closed('watch'));
      await this.log.close();
      this.options.log.info({ file: this.options.file, revision: this.head }, 'storage closed');
    })();
    return this.closing;
  }

  // WatchSource

  readAfter(position: number, selector: Key, limit: number): ReplayChunk | Promise<ReplayChunk> {
    return this.history.readAfter(position, selector, limit);
  }

  attach(watcher: StoreWatcher): void {
    this.live.add(watcher);
  }

  detach(watcher: StoreWatcher): void {
    this.live.delete(watcher);
    this.watchers.delete(watcher);
  }

  overflowed(watcher: StoreWatcher): void {
    this.overflows++;
    this.options.metrics.watchOverflow();
    this.options.log.info({ selector: watcher.selector, position: watcher.position }, 'slow watcher ended (buffer full)');
  }

  // internals

  /** The stored object under `key`, checked against the caller's expected revision. */
  private current(key: Key, expectedRevision: number | undefined): StoredObject {
    const prev = this.index.get(key);
    if (!prev) throw notFound(key);
    if (expectedRevision !== undefined && expectedRevision !== prev.revision) {
      throw conflict(key, expectedRevision, prev.revision);
    }
    return prev;
  }

  /** Applies a committed write to memory and hands it to the ring and the live watchers, in one tick. */
  private commit(event: StoreEvent): void {
    this.head = event.revision;
    if (event.type === 'DELETED') this.index.delete(event.key);
    else this.index.set(event.object);
    this.history.record(event);
    this.options.metrics.written(event.type);
    for (const watcher of this.live) watcher.deliver(event);
  }

  private async compactInBackground(): Promise<void> {
    try {
      await this.compact();
    } catch (error) {
      if (!isStorageError(error, 'CLOSED')) {
        this.options.log.error({ err: error as StorageError }, 'storage compaction failed; will retry');
      }
    }
  }
}

function serialize(key: Key, object: KubeObject, revision: number): string {
  try {
    return JSON.stringify(stamp(object, revision));
  } catch (error) {
    throw invalid(`object for ${key} cannot be serialized to JSON: ${(error as Error).message}`);
  }
}
