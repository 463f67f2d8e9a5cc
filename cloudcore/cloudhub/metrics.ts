/**
 * CloudHub's Prometheus metrics. Label children are bound once, so the per-message path only bumps a number; gauges
 * are read from the hub when scraped.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

/** Why a downstream message was not sent. */
export type DropReason =
  /** Replaced by a newer version of the same object before it was sent. */
  | 'coalesced'
  /** Not newer than what was delivered, waiting or in flight. */
  | 'stale'
  /** The same delete was already queued. */
  | 'duplicate'
  /** The node's queue was full (see NodeQueue's overflow policy). */
  | 'overflow'
  /** A message without ack for a node not connected here. */
  | 'not_connected'
  /** Its resource does not name a node. */
  | 'invalid'
  /** Over modules.cloudHub.maxMessageSize. */
  | 'too_large';

export interface CloudHubMetrics {
  connectedNodes(read: () => { connected: number; blocked: number }): void;
  queueLength(read: () => { pending: number; inFlight: number }): void;
  downstream(): void;
  upstream(): void;
  ack(result: 'ok' | 'error' | 'unknown'): void;
  resent(count: number): void;
  requeued(count: number): void;
  dropped(reason: DropReason): void;
  refused(reason: string): void;
  connectionRefused(reason: string): void;
  sessionEnded(reason: string): void;
}

export function createCloudHubMetrics(registry: Registry): CloudHubMetrics {
  const registers = [registry];
  let readConnected = (): { connected: number; blocked: number } => ({ connected: 0, blocked: 0 });
  let readQueues = (): { pending: number; inFlight: number } => ({ pending: 0, inFlight: 0 });
  new Gauge({
    name: 'cloudhub_connected_nodes',
    help: 'Edge nodes with a tunnel open to this cloudcore.',
    registers,
    collect() {
      this.set(readConnected().connected);
    },
  });
  new Gauge({
    name: 'cloudhub_blocked_sessions',
    help: 'Node sessions waiting for the edge to read what was written (back-pressure).',
    registers,
    collect() {
      this.set(readConnected().blocked);
    },
  });
  new Gauge({
    name: 'cloudhub_queue_length',
    help: 'Downstream messages per state, summed over nodes: waiting to be sent, or sent and not yet acknowledged.',
    labelNames: ['state'],
    registers,
    collect() {
      const { pending, inFlight } = readQueues();
      this.set({ state: 'pending' }, pending);
      this.set({ state: 'in_flight' }, inFlight);
    },
  });
  const down = new Counter({ name: 'cloudhub_downstream_messages_total', help: 'Messages written to edge nodes (first sends).', registers });
  const up = new Counter({ name: 'cloudhub_upstream_messages_total', help: 'Messages received from edge nodes.', registers });
  const acks = new Counter({
    name: 'cloudhub_acks_received_total',
    help: 'Acks from edge nodes: ok, error (negative, requeued), unknown (for no message in flight).',
    labelNames: ['result'],
    registers,
  });
  const resends = new Counter({ name: 'cloudhub_resends_total', help: 'Messages sent again for want of an ack.', registers });
  const requeues = new Counter({
    name: 'cloudhub_requeues_total',
    help: 'Messages requeued with back-off after a negative ack or too many sends.',
    registers,
  });
  const drops = new Counter({
    name: 'cloudhub_dropped_messages_total',
    help: 'Downstream messages not sent, by reason (coalesced, stale, duplicate, overflow, not_connected, invalid, too_large).',
    labelNames: ['reason'],
    registers,
  });
  const refusals = new Counter({
    name: 'cloudhub_refused_messages_total',
    help: 'Upstream messages refused by node authorization, by reason.',
    labelNames: ['reason'],
    registers,
  });
  const refusedConnections = new Counter({
    name: 'cloudhub_refused_connections_total',
    help: 'Tunnel streams refused before a session started, by reason.',
    labelNames: ['reason'],
    registers,
  });
  const ended = new Counter({
    name: 'cloudhub_sessions_ended_total',
    help: 'Node sessions ended, by reason.',
    labelNames: ['reason'],
    registers,
  });
  const ackOk = acks.labels('ok');
  const ackError = acks.labels('error');
  const ackUnknown = acks.labels('unknown');
  return {
    connectedNodes: (read) => void (readConnected = read),
    queueLength: (read) => void (readQueues = read),
    downstream: () => down.inc(),
    upstream: () => up.inc(),
    ack: (result) => (result === 'ok' ? ackOk : result === 'error' ? ackError : ackUnknown).inc(),
    resent: (count) => resends.inc(count),
    requeued: (count) => requeues.inc(count),
    dropped: (reason) => drops.inc({ reason }),
    refused: (reason) => refusals.inc({ reason }),
    connectionRefused: (reason) => refusedConnections.inc({ reason }),
    sessionEnded: (reason) => ended.inc({ reason }),
  };
}
