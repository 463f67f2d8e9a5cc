/** What edgehub reports; a narrow interface so the hub runs the same with or without a registry. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { CONNECTION_STATES, type ConnectionState } from './connection-state';

export type RefusedReason = 'too_large' | 'invalid' | 'not_connected' | 'too_many_queries';

export interface EdgeHubMetrics {
  state(state: ConnectionState): void;
  /** A connect attempt after the first (after a failure or a lost connection). */
  reconnect(): void;
  messageUp(): void;
  messageDown(group: string): void;
  /** Ack frames edgehub sent for downstream messages. */
  ackSent(ok: boolean): void;
  /** Ack frames the cloud sent for upstream messages. */
  ackReceived(ok: boolean): void;
  /** An upstream message had to wait for the rate limiter. */
  rateLimited(): void;
  /** A buffered fire-and-forget message was dropped to make room (drop-oldest). */
  bufferDropped(): void;
  observeBuffer(read: () => number): void;
  refused(reason: RefusedReason): void;
  badFrame(code: string): void;
  keepaliveRtt(seconds: number): void;
}

export function createEdgeHubMetrics(registry?: Registry): EdgeHubMetrics {
  if (registry === undefined) return NO_METRICS;
  const registers = [registry];
  const state = new Gauge({
    name: 'edgehub_connection_state',
    help: 'The cloud connection state: 1 for the current state, 0 for the others.',
    labelNames: ['state'],
    registers,
  });
  for (const s of CONNECTION_STATES) state.set({ state: s }, s === 'disconnected' ? 1 : 0);
  const reconnects = new Counter({ name: 'edgehub_reconnects_total', help: 'Connect attempts after the first.', registers });
  const up = new Counter({ name: 'edgehub_messages_up_total', help: 'Messages sent to the cloud.', registers });
  const down = new Counter({
    name: 'edgehub_messages_down_total',
    help: 'Messages received from the cloud, by route.group.',
    labelNames: ['group'],
    registers,
  });
  const acksSent = new Counter({
    name: 'edgehub_acks_sent_total',
    help: 'Acks sent for downstream messages (result ok or error).',
    labelNames: ['result'],
    registers,
  });
  const acksReceived = new Counter({
    name: 'edgehub_acks_received_total',
    help: 'Acks the cloud sent for upstream messages (result ok or error).',
    labelNames: ['result'],
    registers,
  });
  const rateLimited = new Counter({
    name: 'edgehub_rate_limit_waits_total',
    help: 'Upstream messages that waited for the rate limiter (messageQPS / messageBurst).',
    registers,
  });
  const dropped = new Counter({
    name: 'edgehub_buffer_dropped_total',
    help: 'Fire-and-forget messages dropped from the offline buffer when full (oldest first).',
    registers,
  });
  let readBuffer = (): number => 0;
  new Gauge({
    name: 'edgehub_buffer_messages',
    help: 'Fire-and-forget messages waiting for the connection.',
    registers,
    collect() {
      this.set(readBuffer());
    },
  });
  const refused = new Counter({
    name: 'edgehub_refused_messages_total',
    help: 'Upstream messages refused to their sender with an error.',
    labelNames: ['reason'],
    registers,
  });
  const badFrames = new Counter({
    name: 'edgehub_bad_frames_total',
    help: 'Frames from the cloud that did not decode or broke the contract (the stream is reset).',
    labelNames: ['code'],
    registers,
  });
  const rtt = new Histogram({
    name: 'edgehub_keepalive_rtt_seconds',
    help: "Round-trip time of keepalives, from sending one to the cloud's answer.",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  return {
    state: (current) => {
      for (const s of CONNECTION_STATES) state.set({ state: s }, s === current ? 1 : 0);
    },
    reconnect: () => reconnects.inc(),
    messageUp: () => up.inc(),
    // The group comes from the cloud: only known values become labels, so a bad peer cannot grow the series.
    messageDown: (group) => down.inc({ group: DOWNSTREAM_GROUPS.has(group) ? group : 'other' }),
    ackSent: (ok) => acksSent.inc({ result: ok ? 'ok' : 'error' }),
    ackReceived: (ok) => acksReceived.inc({ result: ok ? 'ok' : 'error' }),
    rateLimited: () => rateLimited.inc(),
    bufferDropped: () => dropped.inc(),
    observeBuffer: (read) => (readBuffer = read),
    refused: (reason) => refused.inc({ reason }),
    badFrame: (code) => badFrames.inc({ code }),
    keepaliveRtt: (seconds) => rtt.observe(seconds),
  };
}

const DOWNSTREAM_GROUPS: ReadonlySet<string> = new Set(['resource', 'twin', 'user']);

const noop = (): void => undefined;

const NO_METRICS: EdgeHubMetrics = {
  state: noop,
  reconnect: noop,
  messageUp: noop,
  messageDown: noop,
  ackSent: noop,
  ackReceived: noop,
  rateLimited: noop,
  bufferDropped: noop,
  observeBuffer: noop,
  refused: noop,
  badFrame: noop,
  keepaliveRtt: noop,
};
