/**
 * The event history behind watches: the memory ring of recent events, replay reads from SQLite for older ones, and
 * compaction. SQLite work runs through the store's write queue, so a replay read sees exactly the revisions up to the
 * store's head and never a half-done compaction.
 */
import { gone } from './errors';
import { EventRing, StoreEvent } from './events';
import { prefixEnd } from './object-index';
import type { CompiledStoreOptions } from './options';
import type { KeyRange, ReplayRow, RowType, SqliteLog } from './sqlite-log';
import { StoredObject } from './stored-object';
import type { CompactResult, Key, WatchEventType } from './types';
import type { ReplayChunk } from './watcher';
import type { WriteQueue } from './write-queue';

/** Revisions one replay read scans, and one compaction transaction covers: bounds how long the queue is held. */
const REPLAY_SCAN_WINDOW = 5000;
const COMPACT_CHUNK = 2000;

const TYPE_OF_ROW: Record<RowType, WatchEventType> = { 1: 'ADDED', 2: 'MODIFIED', 3: 'DELETED' };

export class History {
  private readonly ring: EventRing;
  private compactedTo: number;
  private compacting: Promise<CompactResult> | undefined;
  private stopped = false;

  constructor(
    private readonly options: CompiledStoreOptions,
    private readonly log: SqliteLog,
    private readonly queue: WriteQueue,
    /** The store's current revision. */
    private readonly head: () => number,
    compactRevision: number,
  ) {
    this.ring = new EventRing(options.memoryEvents, head());
    this.compactedTo = compactRevision;
  }

  get compactRevision(): number {
    return this.compactedTo;
  }

  get memoryEvents(): number {
    return this.ring.length;
  }

  get memoryFromRevision(): number {
    return this.ring.fromRevision;
  }

  record(event: StoreEvent): void {
    this.ring.push(event);
  }

  /** GONE unless every event after `revision` can still be replayed, from memory or from SQLite. */
  checkAvailable(revision: number): void {
    if (!this.ring.covers(revision) && revision < this.compactedTo) throw gone(revision, this.compactedTo);
  }

  /** Events after `position` under `selector`: from the ring at once, or from SQLite through the queue. */
  readAfter(position: number, selector: Key, limit: number): ReplayChunk | Promise<ReplayChunk> {
    if (this.ring.covers(position)) return this.readRing(position, selector, limit);
    this.checkAvailable(position);
    return this.queue.run(() => this.readLog(position, selector, limit));
  }

  /** Drops history older than the last `maxEvents` events, a chunk per transaction; one run at a time. */
  compact(): Promise<CompactResult> {
    this.compacting ??= this.runCompaction().finally(() => (this.compacting = undefined));
    return this.compacting;
  }

  /** Makes a running compaction stop after its current chunk (store close). */
  stop(): void {
    this.stopped = true;
  }

  private readRing(position: number, selector: Key, limit: number): ReplayChunk {
    const isPrefix = selector.endsWith('/');
    const head = this.head();
    const events: StoreEvent[] = [];
    let revision = position;
    while (revision < head && events.length < limit) {
      const event = this.ring.at(++revision);
      if (isPrefix ? event.key.startsWith(selector) : event.key === selector) events.push(event);
    }
    return { events, through: revision };
  }

  /** Runs in the queue; the ring may have caught up, or compaction passed `position`, while this waited. */
  private async readLog(position: number, selector: Key, limit: number): Promise<ReplayChunk> {
    if (this.ring.covers(position)) return this.readRing(position, selector, limit);
    this.checkAvailable(position);
    const upTo = Math.min(this.head(), position + REPLAY_SCAN_WINDOW);
    const rows = await this.log.readAfter(position, upTo, keyRange(selector), limit);
    const events = rows.map((row) => this.eventOf(row));
    return { events, through: rows.length === limit ? rows[rows.length - 1]!.revision : upTo };
  }

  private eventOf(row: ReplayRow): StoreEvent {
    const freeze = this.options.freezeObjects;
    const object = new StoredObject(row.key, row.revision, row.value, freeze);
    const prev =
      row.prev_value !== null && row.prev_revision !== null
        ? new StoredObject(row.key, row.prev_revision, row.prev_value, freeze)
        : undefined;
    return new StoreEvent(TYPE_OF_ROW[row.type], row.revision, object, prev);
  }

  private async runCompaction(): Promise<CompactResult> {
    const target = this.head() - this.options.maxEvents;
    let deletedRows = 0;
    while (this.compactedTo < target && !this.stopped) {
      const from = this.compactedTo;
      const to = Math.min(target, from + COMPACT_CHUNK);
      deletedRows += await this.queue.run(async () => {
        const deleted = await this.log.compactRange(from, to);
        this.compactedTo = to;
        return deleted;
      });
    }
    if (deletedRows > 0) {
      this.options.metrics.compacted(deletedRows);
      this.options.log.debug({ compactRevision: this.compactedTo, deletedRows }, 'storage history compacted');
    }
    return { compactRevision: this.compactedTo, deletedRows };
  }
}

function keyRange(selector: Key): KeyRange {
  return selector.endsWith('/') ? { kind: 'range', from: selector, to: prefixEnd(selector) } : { kind: 'exact', key: selector };
}
