/** Store events, the in-memory ring of recent ones, and the per-watcher filter conversion. */
import type { KubeObject, StoredObject } from './stored-object';
import type { WatchEvent, WatchEventType } from './types';

export class StoreEvent implements WatchEvent {
  private leftForm: WatchEvent | undefined;

  constructor(
    readonly type: WatchEventType,
    readonly revision: number,
    readonly object: StoredObject,
    readonly prev: StoredObject | undefined,
  ) {}

  get key(): string {
    return this.object.key;
  }

  /** A MODIFIED event as seen by a watcher whose filter the object stopped matching; made once, shared. */
  left(): WatchEvent {
    this.leftForm ??= { type: 'DELETED', revision: this.revision, object: this.prev!.restamp(this.revision), prev: this.prev };
    return this.leftForm;
  }
}

/**
 * What a watcher with `filter` sees of `event` (Kubernetes cacher semantics), or undefined for nothing. An unknown
 * previous object (never the case for events the store made) counts as matching, so a client may get a DELETED for
 * an object it never saw, which informers ignore, rather than miss one.
 */
export function filterEvent(event: StoreEvent, filter: (object: KubeObject) => boolean): WatchEvent | undefined {
  switch (event.type) {
    case 'ADDED':
      return filter(event.object.object) ? event : undefined;
    case 'DELETED':
      // The deleted object's content is its last state; only resourceVersion differs.
      return filter(event.object.object) ? event : undefined;
    case 'MODIFIED': {
      const now = filter(event.object.object);
      const before = event.prev === undefined || filter(event.prev.object);
      if (now) return before ? event : { type: 'ADDED', revision: event.revision, object: event.object, prev: event.prev };
      if (!before) return undefined;
      return event.prev ? event.left() : { type: 'DELETED', revision: event.revision, object: event.object, prev: undefined };
    }
  }
}

/**
 * The last `capacity` events, indexed by revision. Revisions are contiguous (each write takes the next one), so the
 * event of revision r sits at slot r % capacity. Overflow policy: overwrite the oldest; watchers that need older
 * events read them from SQLite.
 */
export class EventRing {
  private readonly slots: (StoreEvent | undefined)[];
  /** The ring holds the events with fromRevision < revision <= head. */
  private from: number;
  private head: number;

  constructor(
    readonly capacity: number,
    head: number,
  ) {
    this.slots = new Array<StoreEvent | undefined>(capacity);
    this.from = head;
    this.head = head;
  }

  get fromRevision(): number {
    return this.from;
  }

  get length(): number {
    return this.head - this.from;
  }

  push(event: StoreEvent): void {
    if (event.revision !== this.head + 1) {
      throw new Error(`event ring: revision ${event.revision} after ${this.head}; revisions must be contiguous`);
    }
    this.slots[event.revision % this.capacity] = event;
    this.head = event.revision;
    if (this.head - this.from > this.capacity) this.from = this.head - this.capacity;
  }

  /** True when every event after `revision` is in the ring. */
  covers(revision: number): boolean {
    return revision >= this.from && revision <= this.head;
  }

  /** The event of `revision`, which must be covered (from < revision <= head). */
  at(revision: number): StoreEvent {
    return this.slots[revision % this.capacity]!;
  }
}
