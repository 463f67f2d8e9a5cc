/** EventBus's metrics, behind a narrow interface so tests and tools can run without a registry. */
import { Counter, Gauge, type Registry } from 'prom-client';

export type BrokerName = 'internal' | 'external';

/** Why a message was not passed on. */
export type DropReason =
  /** An MQTT payload, or a payload to publish, over tuning.maxPayloadBytes. */
  | 'too_large'
  /** A topic or topic filter that MQTT does not allow (wildcards in a publish, empty, too long, ...). */
  | 'invalid_topic'
  /** A module or cloud message whose content does not have the documented shape. */
  | 'invalid_content'
  /** An operation eventbus does not handle. */
  | 'unknown_operation'
  /** The module a message is for (devicetwin, edgehub) is not running. */
  | 'no_receiver'
  /** Too many publishes wait for a broker (tuning.maxPendingPublishes). */
  | 'queue_full'
  /** The internal broker's queue for an offline client is full (mqttSessionQueueSize). */
  | 'session_queue_full'
  /** A broker refused or lost a publish, or a subscription failed. */
  | 'publish_failed'
  /** edgehub refused an upload to the cloud. */
  | 'refused_upstream';

export interface EventBusMetrics {
  /** An MQTT message arrived from a broker on a subscribed topic. */
  received(broker: BrokerName): void;
  /** A message was handed to an edge module (devicetwin, edgehub). */
  dispatched(module: string): void;
  /** A broker accepted a publish (QoS 0: written; QoS 1/2: acknowledged). */
  published(broker: BrokerName): void;
  dropped(reason: DropReason): void;
  connected(broker: BrokerName, up: boolean): void;
  /** Reports the number of publishes waiting for each broker when scraped. */
  observePending(read: () => Partial<Record<BrokerName, number>>): void;
  /** Reports the number of subscribed topics (KubeEdge's plus sub_topics) when scraped. */
  observeSubscriptions(read: () => number): void;
}

export const NOOP_METRICS: EventBusMetrics = {
  received() {},
  dispatched() {},
  published() {},
  dropped() {},
  connected() {},
  observePending() {},
  observeSubscriptions() {},
};

export function createEventBusMetrics(registry?: Registry): EventBusMetrics {
  if (!registry) return NOOP_METRICS;
  const registers = [registry];
  const received = new Counter({
    name: 'eventbus_mqtt_received_total',
    help: 'MQTT messages received on subscribed topics, by broker.',
    labelNames: ['broker'],
    registers,
  });
  const dispatched = new Counter({
    name: 'eventbus_dispatched_total',
    help: 'MQTT messages handed to an edge module (devicetwin, edgehub), by module.',
    labelNames: ['module'],
    registers,
  });
  const published = new Counter({
    name: 'eventbus_mqtt_published_total',
    help: 'Messages published on MQTT for modules or the cloud and accepted by the broker, by broker.',
    labelNames: ['broker'],
    registers,
  });
  const dropped = new Counter({
    name: 'eventbus_dropped_total',
    help: 'Messages not passed on, by reason (too_large, invalid_topic, invalid_content, no_receiver, queue_full, ...).',
    labelNames: ['reason'],
    registers,
  });
  const connected = new Gauge({
    name: 'eventbus_broker_connected',
    help: '1 while eventbus is connected to the broker (internal: listening), else 0.',
    labelNames: ['broker'],
    registers,
  });
  let readPending: () => Partial<Record<BrokerName, number>> = () => ({});
  new Gauge({
    name: 'eventbus_pending_publishes',
    help: 'Publishes waiting for a broker (unacknowledged, or queued while it is away), by broker.',
    labelNames: ['broker'],
    registers,
    collect() {
      this.reset();
      for (const [broker, count] of Object.entries(readPending())) this.set({ broker }, count ?? 0);
    },
  });
  let readSubscriptions = (): number => 0;
  new Gauge({
    name: 'eventbus_subscriptions',
    help: "Topic filters eventbus subscribes to (KubeEdge's plus those in sub_topics).",
    registers,
    collect() {
      this.set(readSubscriptions());
    },
  });
  return {
    received: (broker) => received.inc({ broker }),
    dispatched: (module) => dispatched.inc({ module }),
    published: (broker) => published.inc({ broker }),
    dropped: (reason) => dropped.inc({ reason }),
    connected: (broker, up) => connected.set({ broker }, up ? 1 : 0),
    observePending: (read) => (readPending = read),
    observeSubscriptions: (read) => (readSubscriptions = read),
  };
}
