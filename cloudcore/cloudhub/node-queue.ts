/**
 * One node's outbound messages. Plain data, no I/O and no timers: the hub calls it with the time and writes what it
 * hands out, so every rule here is testable without a network.
 *
 * Messages that need an ack are kept per object (a "slot", keyed by deliveryKey):
 * - a newer version of an object replaces an older one still waiting; an older or equal version is dropped (stale);
 * - a delete replaces a waiting update and is never dropped by coalescing; an update that follows a delete waits
 *   behind it (the object was recreated under the same name), so the edge sees them in order;
 * - at most one message per object is in flight, and at most `windowSize` per node;
 * - an in-flight message is resent every `resendIntervalMs` up to `maxSends` sends, then requeued after a jittered
 *   back-off; a negative ack requeues it the same way.
 * Messages that need no ack go out first, in the order given.
 *
 * Overflow policy: at most `maxPending` messages wait (in flight ones not counted); a message that would exceed it is
 * refused ('overflow') and the caller counts it. Coalescing keeps a queue at one message per object, so only a node
 * with more than maxPending distinct changed objects overflows; ObjectSync reconciliation resends what was dropped.
 */
import { Operation, type Message } from '../../pkg/message';
import { Backoff, type BackoffOptions } from '../../pkg/timing';
import { parseResourceVersion } from '../../pkg/message';

export interface NodeQueueLimits {
  /** Most messages in flight (sent, not yet acked) at once. */
  readonly windowSize: number;
  /** Most messages waiting to be sent. */
  readonly maxPending: number;
  /** An unacked message is sent again after this long. */
  readonly resendIntervalMs: number;
  /** Sends of one message before it is requeued with back-off. */
  readonly maxSends: number;
  /** Delay before a requeued message is sent again. */
  readonly requeueBackoff: BackoffOptions;
}

export type OfferOutcome =
  /** Waiting to be sent. */
  | 'queued'
  /** Took the place of an older waiting message about the same object. */
  | 'replaced'
  /** Not newer than what is waiting or in flight for the object. */
  | 'stale'
  /** The same delete is already waiting or in flight. */
  | 'duplicate'
  /** The queue is full. */
  | 'overflow';

interface Item {
  readonly message: Message;
  readonly version: bigint | undefined;
  readonly isDelete: boolean;
}

interface Slot {
  readonly key: string;
  /** Waiting, oldest first; coalescing keeps this at one item, two or three around deletes. */
  queued: Item[];
  inFlight: Item | undefined;
  sends: number;
  lastSentMs: number;
  notBeforeMs: number;
  /** Only for objects that were requeued; most never need one. */
  backoff: Backoff | undefined;
}

export function isDeleteMessage(message: Message): boolean {
  return message.route?.operation === Operation.OPERATION_DELETE;
}

export class NodeQueue {
  private readonly slots = new Map<string, Slot>();
  /** Slots with something to send and nothing in flight, in the order they became ready. */
  private readonly ready = new Set<Slot>();
  /** Slots waiting out a back-off. */
  private readonly waiting = new Set<Slot>();
  /** In-flight slots by the id of the message in flight, in send order. */
  private readonly inFlight = new Map<string, Slot>();
  private direct: (Message | undefined)[] = [];
  private directHead = 0;
  private queuedItems = 0;

  constructor(private readonly limits: NodeQueueLimits) {}

  /** Messages waiting to be sent (not counting those in flight). */
  get pending(): number {
    return this.queuedItems + this.direct.length - this.directHead;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  get isEmpty(): boolean {
    return this.slots.size === 0 && this.direct.length === this.directHead;
  }

  /** True while something waits for a resend or a back-off: the hub's sweep must look at this queue. */
  get hasTimers(): boolean {
    return this.inFlight.size > 0 || this.waiting.size > 0;
  }

  /** True if a message about `key` is waiting or in flight (then the queue alone decides staleness). */
  has(key: string): boolean {
    return this.slots.has(key);
  }

  /** Queues a message that needs no ack; false when the queue is full. */
  offerDirect(message: Message): boolean {
    if (this.pending >= this.limits.maxPending) return false;
    this.direct.push(message);
    return true;
  }

  /** Queues a message that needs an ack, coalescing it with what is there for the same object. */
  offer(key: string, message: Message): OfferOutcome {
    const item: Item = {
      message,
      version: parseResourceVersion(message.header?.resourceVersion ?? ''),
      isDelete: isDeleteMessage(message),
    };
    const slot = this.slots.get(key);
    if (slot === undefined) {
      if (this.pending >= this.limits.maxPending) return 'overflow';
      const created: Slot = { key, queued: [item], inFlight: undefined, sends: 0, lastSentMs: 0, notBeforeMs: 0, backoff: undefined };
      this.slots.set(key, created);
      this.queuedItems++;
      this.ready.add(created);
      return 'queued';
    }
    const lastQueued = slot.queued.length > 0 ? slot.queued[slot.queued.length - 1]! : undefined;
    const last = lastQueued ?? slot.inFlight;
    if (item.isDelete) {
      if (last?.isDelete && last.version === item.version) return 'duplicate';
    } else if (last !== undefined && !isNewerVersion(item.version, last.version)) {
      return 'stale';
    }
    if (lastQueued !== undefined && !lastQueued.isDelete) {
      slot.queued[slot.queued.length - 1] = item;
      return 'replaced';
    }
    if (this.pending >= this.limits.maxPending) return 'overflow';
    slot.queued.push(item);
    this.queuedItems++;
    if (slot.inFlight === undefined && !this.waiting.has(slot)) this.ready.add(slot);
    return 'queued';
  }

  /**
   * The next message to write, or undefined: messages without ack first, then objects while the window has room.
   * A message with an ack handed out here counts as sent once at `nowMs`.
   */
  next(nowMs: number): Message | undefined {
    if (this.directHead < this.direct.length) {
      const message = this.direct[this.directHead]!;
      this.direct[this.directHead++] = undefined;
      if (this.directHead === this.direct.length) {
        this.direct = [];
        this.directHead = 0;
      }
      return message;
    }
    if (this.inFlight.size >= this.limits.windowSize) return undefined;
    const slot = first(this.ready);
    if (slot === undefined) return undefined;
    this.ready.delete(slot);
    const item = slot.queued.shift()!;
    this.queuedItems--;
    slot.inFlight = item;
    slot.sends = 1;
    slot.lastSentMs = nowMs;
    this.inFlight.set(item.message.header!.id, slot);
    return item.message;
  }

  /** A positive ack: forgets the message and returns it, or undefined if no message with that id is in flight. */
  acknowledge(messageId: string): Message | undefined {
    const slot = this.inFlight.get(messageId);
    if (slot === undefined) return undefined;
    this.inFlight.delete(messageId);
    const item = slot.inFlight!;
    slot.inFlight = undefined;
    slot.sends = 0;
    slot.backoff = undefined;
    if (slot.queued.length > 0) this.ready.add(slot);
    else this.slots.delete(slot.key);
    return item.message;
  }

  /** A negative ack: requeues the message after a back-off; returns it, or undefined if it was not in flight. */
  reject(messageId: string, nowMs: number): Message | undefined {
    const slot = this.inFlight.get(messageId);
    if (slot === undefined) return undefined;
    const message = slot.inFlight!.message;
    this.requeue(slot, nowMs, true);
    return message;
  }

  /**
   * Resends what is due (calling `resend` for each) and requeues with back-off what has been sent `maxSends` times;
   * then moves objects whose back-off has passed back to ready.
   */
  due(nowMs: number, resend: (message: Message) => void): { resent: number; requeued: number } {
    let resent = 0;
    let requeued = 0;
    for (const slot of this.inFlight.values()) {
      if (nowMs - slot.lastSentMs < this.limits.resendIntervalMs) continue;
      if (slot.sends >= this.limits.maxSends) {
        this.requeue(slot, nowMs, true);
        requeued++;
      } else {
        slot.sends++;
        slot.lastSentMs = nowMs;
        resend(slot.inFlight!.message);
        resent++;
      }
    }
    for (const slot of this.waiting) {
      if (slot.notBeforeMs > nowMs) continue;
      this.waiting.delete(slot);
      this.ready.add(slot);
    }
    return { resent, requeued };
  }

  /** Forgets the messages without ack that wait; returns how many. */
  dropDirect(): number {
    const dropped = this.direct.length - this.directHead;
    this.direct = [];
    this.directHead = 0;
    return dropped;
  }

  /** The connection is gone: everything in flight waits again, ahead of what was waiting, with no back-off. */
  returnInFlight(nowMs: number): void {
    if (this.inFlight.size === 0) return;
    const later = [...this.ready];
    this.ready.clear();
    for (const slot of [...this.inFlight.values()]) this.requeue(slot, nowMs, false);
    for (const slot of later) this.ready.add(slot);
  }

  /** Takes the in-flight message back; an update superseded by what waits behind it is dropped, a delete never. */
  private requeue(slot: Slot, nowMs: number, withBackoff: boolean): void {
    const item = slot.inFlight!;
    this.inFlight.delete(item.message.header!.id);
    slot.inFlight = undefined;
    slot.sends = 0;
    if (item.isDelete || slot.queued.length === 0) {
      slot.queued.unshift(item);
      this.queuedItems++;
    }
    if (!withBackoff) {
      this.ready.add(slot);
      return;
    }
    slot.backoff ??= new Backoff(this.limits.requeueBackoff);
    slot.notBeforeMs = nowMs + slot.backoff.next();
    this.waiting.add(slot);
  }
}

function first<T>(set: Set<T>): T | undefined {
  for (const value of set) return value;
  return undefined;
}

/** True when `candidate` is known to be newer than `than`; an unknown version on either side counts as newer. */
function isNewerVersion(candidate: bigint | undefined, than: bigint | undefined): boolean {
  return candidate === undefined || than === undefined || candidate > than;
}
