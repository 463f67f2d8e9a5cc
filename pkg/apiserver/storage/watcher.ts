/**
 * One watch. A state machine: `replaying` (pulling history after `fromRevision` from the ring or SQLite, one chunk per
 * batch the consumer asks for, so a long replay costs no memory) → `live` (the store pushes each new event into a
 * bounded buffer) → `ended`. The switch to live happens in the same tick as the read that reached the store's head,
 * so no event falls between replay and live.
 *
 * Overflow policy (live): when the consumer lets `bufferSize` events pile up, the watcher ends with WATCH_OVERFLOW
 * and is counted; writers and other watchers never wait for it. The consumer still gets the batches buffered before.
 */
import { closed, StorageError } from './errors';
import { filterEvent, type StoreEvent } from './events';
import type { KubeObject } from './stored-object';
import type { Key, WatchEvent, Watcher } from './types';

/** What a watcher needs from the store. */
export interface WatchSource {
  readonly revision: number;
  /**
   * Events after `position` under `selector` (at most `limit`), and the revision read through. Synchronous when the
   * memory ring covers `position`; otherwise a SQLite read. Rejects with GONE once history was compacted past it.
   */
  readAfter(position: number, selector: Key, limit: number): ReplayChunk | Promise<ReplayChunk>;
  /** The watcher caught up: push it every new event from now on. */
  attach(watcher: StoreWatcher): void;
  /** The watcher ended: forget it. */
  detach(watcher: StoreWatcher): void;
  overflowed(watcher: StoreWatcher): void;
}

export interface ReplayChunk {
  events: StoreEvent[];
  through: number;
}

type State = 'replaying' | 'live' | 'ended';

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** Most events one replay step reads, whatever the buffer size: bounds a SQLite read to a few MiB. */
const REPLAY_CHUNK = 1000;

export class StoreWatcher implements Watcher, AsyncIterator<readonly WatchEvent[], undefined> {
  private state: State = 'replaying';
  private buffer: WatchEvent[] = [];
  /** Every event up to `through` is buffered, delivered or did not concern this watcher. */
  private through: number;
  private delivered: number;
  private failure: StorageError | undefined;
  private wake: (() => void) | undefined;
  private reading = false;
  private readonly isPrefix: boolean;
  private readonly onAbort = (): void => this.stop();

  constructor(
    readonly selector: Key,
    fromRevision: number,
    private readonly source: WatchSource,
    private readonly bufferSize: number,
    private readonly filter: ((object: KubeObject) => boolean) | undefined,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.isPrefix = selector.endsWith('/');
    this.through = fromRevision;
    this.delivered = fromRevision;
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  get position(): number {
    return this.buffer.length === 0 ? this.through : this.delivered;
  }

  get ended(): boolean {
    return this.state === 'ended';
  }

  /** Skips replay: the store calls this when the watch starts at its current revision. */
  startLive(): void {
    if (this.state !== 'replaying') return;
    this.state = 'live';
    this.source.attach(this);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<readonly WatchEvent[], undefined>> {
    if (this.reading) throw new Error('a watcher has one reader: await each next() before calling it again');
    this.reading = true;
    try {
      for (;;) {
        if (this.buffer.length > 0) {
          const batch = this.buffer;
          this.buffer = [];
          this.delivered = this.through;
          return { done: false, value: batch };
        }
        if (this.state === 'ended') {
          const failure = this.failure;
          this.failure = undefined;
          if (failure) throw failure;
          return DONE;
        }
        if (this.state === 'replaying') await this.replayStep();
        else await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      this.reading = false;
    }
  }

  drain(): readonly WatchEvent[] {
    if (this.reading) throw new Error('drain() while a next() is pending');
    if (this.buffer.length === 0) return [];
    const batch = this.buffer;
    this.buffer = [];
    this.delivered = this.through;
    return batch;
  }

  async return(): Promise<IteratorReturnResult<undefined>> {
    this.stop();
    return DONE;
  }

  /** Ends the watch; the iteration completes without the events still buffered. */
  stop(): void {
    this.buffer = [];
    this.end(undefined);
  }

  /** Ends the watch with `failure` after the batches already buffered (store close). */
  fail(failure: StorageError = closed('watch')): void {
    this.end(failure);
  }

  /** Called by the store, in revision order, for every event while live. Never throws, never waits. */
  deliver(event: StoreEvent): void {
    this.through = event.revision;
    const key = event.key;
    if (this.isPrefix ? !key.startsWith(this.selector) : key !== this.selector) return;
    const out = this.convert(event);
    if (out === undefined) return;
    if (this.buffer.length >= this.bufferSize) {
      this.end(
        new StorageError(
          'WATCH_OVERFLOW',
          `watch on ${this.selector} fell more than ${this.bufferSize} events behind; re-watch from revision ${this.delivered}`,
        ),
      );
      this.source.overflowed(this);
      return;
    }
    this.buffer.push(out);
    this.wakeReader();
  }

  private async replayStep(): Promise<void> {
    let chunk: ReplayChunk;
    try {
      const read = this.source.readAfter(this.through, this.selector, Math.min(this.bufferSize, REPLAY_CHUNK));
      chunk = read instanceof Promise ? await read : read;
    } catch (error) {
      this.end(error instanceof StorageError ? error : new StorageError('IO', 'watch replay failed', { cause: error }));
      return;
    }
    if (this.state !== 'replaying') return;
    for (const event of chunk.events) {
      const out = this.convert(event);
      if (out) this.buffer.push(out);
      else if (this.ended) return;
    }
    this.through = chunk.through;
    if (this.through === this.source.revision) this.startLive();
  }

  /** The event as this watcher's filter sees it; undefined to skip it (or when the filter threw: the watch ends). */
  private convert(event: StoreEvent): WatchEvent | undefined {
    if (!this.filter) return event;
    try {
      return filterEvent(event, this.filter);
    } catch (error) {
      this.end(new StorageError('INVALID', `watch filter on ${this.selector} threw`, { cause: error }));
      return undefined;
    }
  }

  private end(failure: StorageError | undefined): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.source.detach(this);
    this.failure = failure;
    this.signal?.removeEventListener('abort', this.onAbort);
    this.wakeReader();
  }

  private wakeReader(): void {
    const wake = this.wake;
    if (wake) {
      this.wake = undefined;
      wake();
    }
  }
}
