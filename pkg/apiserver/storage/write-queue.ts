/**
 * Runs tasks one at a time, in arrival order: SQLite has one writer and the store checks preconditions against memory
 * that only committed writes change, so a task sees every earlier task's effect.
 *
 * Overflow policy: reject. When `capacity` tasks wait behind the running one, `run` fails at once with OVERLOADED
 * (the HTTP layer answers 429, clients back off) and `onReject` counts it. Waiting would only grow memory and latency.
 *
 * Event-loop turns: SQLite calls are synchronous (better-sqlite3), so an awaited write resolves through microtasks
 * alone, and a loop of awaited writes (deletecollection, a CRD's cleanup) would never let timers, sockets or the watch
 * streams (which write in the check phase) run until it ends; a long one would overflow every live watcher's buffer.
 * So after TASKS_PER_TURN tasks in one turn, the next task waits for a setImmediate. A request-driven write (one per
 * turn) never waits.
 */
import { closed, StorageError } from './errors';

/** Tasks run back to back within one event-loop turn before the queue lets the loop turn (about 5 ms of writes). */
export const TASKS_PER_TURN = 64;

export class WriteQueue {
  private readonly waiting: (() => void)[] = [];
  private waitingHead = 0;
  private running = false;
  private closedWith: StorageError | undefined;
  private drained: (() => void) | undefined;
  /** Tasks started since the last setImmediate callback; `turnScheduled` says whether one is pending. */
  private ranThisTurn = 0;
  private turnScheduled = false;
  private turnWaiter: (() => void) | undefined;
  private readonly endTurn = (): void => {
    this.turnScheduled = false;
    this.ranThisTurn = 0;
    const waiter = this.turnWaiter;
    this.turnWaiter = undefined;
    waiter?.();
  };

  constructor(
    private readonly capacity: number,
    private readonly onReject: () => void,
  ) {}

  get pending(): number {
    return this.waiting.length - this.waitingHead;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    if (!this.running) return this.execute(task);
    if (this.pending >= this.capacity) {
      this.onReject();
      return Promise.reject(
        new StorageError('OVERLOADED', `storage write queue is full (${this.capacity} writes waiting); retry later`),
      );
    }
    return new Promise<T>((resolve, reject) => {
      this.waiting.push(() => void this.execute(task).then(resolve, reject));
    });
  }

  /** Refuses new tasks; resolves once the queued ones have run. */
  close(what: string): Promise<void> {
    this.closedWith ??= closed(what);
    if (!this.running && this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => (this.drained = resolve));
  }

  private async execute<T>(task: () => Promise<T>): Promise<T> {
    this.running = true;
    try {
      while (this.turnIsFull()) await new Promise<void>((resolve) => (this.turnWaiter = resolve));
      return await task();
    } finally {
      this.running = false;
      this.next();
    }
  }

  /** Counts a task into this turn; true when the turn already had TASKS_PER_TURN (the task must wait for the next). */
  private turnIsFull(): boolean {
    if (!this.turnScheduled) {
      this.turnScheduled = true;
      setImmediate(this.endTurn);
    }
    return ++this.ranThisTurn > TASKS_PER_TURN;
  }

  private next(): void {
    if (this.pending === 0) {
      this.waiting.length = 0;
      this.waitingHead = 0;
      this.drained?.();
      return;
    }
    const start = this.waiting[this.waitingHead]!;
    this.waiting[this.waitingHead++] = undefined as unknown as () => void;
    if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
      this.waiting.splice(0, this.waitingHead);
      this.waitingHead = 0;
    }
    start();
  }
}
