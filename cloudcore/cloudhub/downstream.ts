/**
 * Cloud-to-edge delivery: per-node queues, what needs an ack, dropping what the edge already has, writing while
 * the stream takes it, and handling acks. A queue outlives its node's session (bounded by NodeQueue's limits) and is
 * flushed when the node connects; the hub's sweep drops queues that are empty.
 */
import type { Ack, TunnelResponse } from '../../gen/kubeedge/tunnel/v1/tunnel';
import type { Logger } from '../../pkg/log';
import { parseResourceVersion, splitNodeResource, type Message } from '../../pkg/message';
import type { CloudHubMetrics, DropReason } from './metrics';
import { isDeleteMessage, NodeQueue, type NodeQueueLimits } from './node-queue';
import { deliveryKey, uidOf, withResource } from './resource';
import type { NodeSession } from './session';

export interface DownstreamOptions {
  readonly limits: NodeQueueLimits;
  readonly maxMessageSizeBytes: number;
  readonly metrics: CloudHubMetrics;
  readonly log: Logger;
  readonly onDelivered?: (node: string, message: Message) => Promise<void>;
  readonly deliveredVersion?: (node: string, uid: string) => string | undefined;
}

/** A message not sent, and why; the hub answers a waiting sender with it. */
export interface Dropped {
  readonly reason: DropReason;
  readonly detail: string;
}

/**
 * A message needs an ack when it changes an object on the edge: group resource or twin, carrying the object's
 * resourceVersion (deletes need none). Answers to edge queries never do.
 */
export function needsAck(message: Message): boolean {
  const group = message.route?.group;
  if (group !== 'resource' && group !== 'twin') return false;
  if (message.header!.parentId !== '') return false;
  return message.header!.resourceVersion !== '' || isDeleteMessage(message);
}

export class Downstream {
  private readonly queues = new Map<string, NodeQueue>();

  constructor(private readonly options: DownstreamOptions) {}

  /** Queues a message from a cloud module and sends what the node's session can take; returns why if dropped. */
  dispatch(message: Message, session: (node: string) => NodeSession | undefined): Dropped | undefined {
    const resource = message.route?.resource ?? '';
    const target = splitNodeResource(resource);
    if (target === undefined) {
      return this.drop('invalid', `route.resource ${JSON.stringify(resource)} does not start with node/<node name>/`);
    }
    const size = message.content.length;
    if (size > this.options.maxMessageSizeBytes) {
      return this.drop(
        'too_large',
        `content of ${resource} is ${size} bytes, over modules.cloudHub.maxMessageSize (${this.options.maxMessageSizeBytes})`,
      );
    }
    const node = target.node;
    const current = session(node);
    if (!needsAck(message)) {
      if (current === undefined) return this.drop('not_connected', `node ${node} is not connected to this cloudcore`);
      if (!this.queueFor(node, current).offerDirect(message)) return this.overflow(node);
      this.pump(current);
      return undefined;
    }
    const key = deliveryKey(target.rest, message);
    // ObjectSync only decides when nothing about the object is waiting or in flight; then the queue knows better.
    if (this.queues.get(node)?.has(key) !== true && this.alreadyDelivered(node, message)) {
      return this.drop('stale', `node ${node} already has ${resource} at resourceVersion ${message.header!.resourceVersion} or newer`);
    }
    const outcome = this.queueFor(node, current).offer(key, message);
    switch (outcome) {
      case 'queued':
        break;
      case 'replaced':
        this.options.metrics.dropped('coalesced');
        break;
      case 'overflow':
        return this.overflow(node);
      case 'stale':
      case 'duplicate':
        return this.drop(outcome, `node ${node} has ${resource} at this resourceVersion or newer waiting or in flight`);
    }
    if (current !== undefined) this.pump(current);
    return undefined;
  }

  /** Writes queued messages while the session takes them. */
  pump(session: NodeSession): void {
    const queue = session.queue;
    if (queue === undefined) return;
    const nowMs = Date.now();
    while (session.writable) {
      const message = queue.next(nowMs);
      if (message === undefined) return;
      this.options.metrics.downstream();
      session.write(edgeFrame(message));
    }
  }

  acked(session: NodeSession, ack: Ack): void {
    const { metrics, log } = this.options;
    const queue = session.queue;
    if (ack.error === '') {
      const message = queue?.acknowledge(ack.messageId);
      if (message === undefined) {
        metrics.ack('unknown');
        log.debug({ node: session.node, messageId: ack.messageId }, 'ack for no message in flight (a late duplicate)');
      } else {
        metrics.ack('ok');
        this.delivered(session.node, message);
      }
    } else {
      const message = queue?.reject(ack.messageId, Date.now());
      metrics.ack(message === undefined ? 'unknown' : 'error');
      if (message !== undefined) metrics.requeued(1);
      log.warn(
        { node: session.node, messageId: ack.messageId, resource: message?.route?.resource, reason: ack.error },
        'edge refused a message; it is requeued with back-off',
      );
    }
    this.pump(session);
  }

  /** A session started: it takes over the node's queue, if any. */
  connected(session: NodeSession): void {
    session.queue = this.queues.get(session.node);
    this.pump(session);
  }

  /**
   * A session ended: what was in flight waits for the next one; messages without ack are dropped, as they would be
   * for a node that is not connected.
   */
  disconnected(session: NodeSession): void {
    const queue = session.queue;
    if (queue === undefined) return;
    session.queue = undefined;
    queue.returnInFlight(Date.now());
    for (let dropped = queue.dropDirect(); dropped > 0; dropped--) this.options.metrics.dropped('not_connected');
    if (queue.isEmpty) this.queues.delete(session.node);
  }

  /** The sweep's share for one session: resends, back-offs, and forgetting an empty queue. */
  sweep(session: NodeSession, nowMs: number): void {
    const queue = session.queue;
    if (queue === undefined) return;
    if (queue.hasTimers) {
      const { resent, requeued } = queue.due(nowMs, (message) => session.write(edgeFrame(message)));
      if (resent > 0) this.options.metrics.resent(resent);
      if (requeued > 0) this.options.metrics.requeued(requeued);
      this.pump(session);
    } else if (queue.isEmpty) {
      this.queues.delete(session.node);
      session.queue = undefined;
    }
  }

  totals(): { pending: number; inFlight: number } {
    let pending = 0;
    let inFlight = 0;
    for (const queue of this.queues.values()) {
      pending += queue.pending;
      inFlight += queue.inFlightCount;
    }
    return { pending, inFlight };
  }

  private queueFor(node: string, session: NodeSession | undefined): NodeQueue {
    let queue = this.queues.get(node);
    if (queue === undefined) {
      queue = new NodeQueue(this.options.limits);
      this.queues.set(node, queue);
    }
    if (session !== undefined) session.queue = queue;
    return queue;
  }

  /** Whether ObjectSync says the node has this version of the object (or a newer one) already. */
  private alreadyDelivered(node: string, message: Message): boolean {
    const lookup = this.options.deliveredVersion;
    if (lookup === undefined || isDeleteMessage(message)) return false;
    const version = parseResourceVersion(message.header!.resourceVersion);
    if (version === undefined) return false;
    const uid = uidOf(message);
    if (uid === undefined) return false;
    const delivered = parseResourceVersion(lookup(node, uid) ?? '');
    return delivered !== undefined && version <= delivered;
  }

  private delivered(node: string, message: Message): void {
    const onDelivered = this.options.onDelivered;
    if (onDelivered === undefined) return;
    Promise.resolve()
      .then(() => onDelivered(node, message))
      .catch((error: unknown) => {
        this.options.log.warn({ node, resource: message.route?.resource, err: error }, 'cannot record a delivered message');
      });
  }

  private overflow(node: string): Dropped {
    const { maxPending } = this.options.limits;
    // Counted, not logged at warn: a flood would otherwise turn into a flood of log lines.
    this.options.log.debug({ node, maxPending }, 'outbound queue full; message dropped (ObjectSync reconciliation resends it)');
    return this.drop('overflow', `the outbound queue of node ${node} holds ${maxPending} messages already`);
  }

  private drop(reason: DropReason, detail: string): Dropped {
    this.options.metrics.dropped(reason);
    return { reason, detail };
  }
}

/** The frame for a message, with the `node/<node>/` prefix stripped as the edge expects. */
export function edgeFrame(message: Message): TunnelResponse {
  const resource = message.route!.resource;
  const rest = splitNodeResource(resource)?.rest ?? resource;
  return { frame: { $case: 'message', value: withResource(message, rest) } };
}

