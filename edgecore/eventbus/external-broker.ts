/**
 * The external broker (mqttMode external or both), such as mosquitto at mqttServerExternal, through two mqtt.js
 * clients as KubeEdge has them: hub-client-sub-<node> takes the subscribed topics, hub-client-pub-<node> publishes.
 *
 * A broker that cannot be reached is reported once, naming mqttServerExternal and the two fixes; the retries after it
 * are quiet (debug), and getting through is reported once more. Nothing is lost meanwhile: publishes wait (bounded),
 * and the broker keeps eventbus's persistent session for what apps publish.
 */
import type { Logger } from '../../pkg/log';
import type { BrokerLink, DeliverMessage } from './link';
import type { EventBusMetrics } from './metrics';
import { MqttConnection } from './mqtt-connection';
import type { CompiledEventBusOptions } from './options';
import type { Subscriptions } from './subscriptions';

export interface ExternalBrokerOptions {
  options: CompiledEventBusOptions;
  subscriptions: Subscriptions;
  deliver: DeliverMessage;
  metrics: EventBusMetrics;
  log: Logger;
}

export class ExternalBroker implements BrokerLink {
  readonly name = 'external' as const;
  private readonly url: string;
  private readonly sub: MqttConnection;
  private readonly pub: MqttConnection;
  /** Filters unsubscribed while the sub client was away: its session on the broker may still hold them. */
  private readonly staleFilters = new Set<string>();
  /** 'unknown' until the first attempt ends; a warning is logged on each move to 'down', an info on each move to 'up'. */
  private health: 'unknown' | 'up' | 'down' = 'unknown';

  constructor(private readonly deps: ExternalBrokerOptions) {
    const { options, log } = deps;
    this.url = options.external!;
    const common = {
      url: this.url,
      connectTimeoutMs: options.connectTimeoutMs,
      keepaliveSeconds: options.keepaliveSeconds,
      reconnectInitialMs: options.reconnectInitialMs,
      reconnectMaxMs: options.reconnectMaxMs,
      maxPending: options.maxPendingPublishes,
      maxPendingBytes: options.maxPendingBytes,
      log,
      onDisconnected: (error: Error | undefined) => this.changed(error),
    };
    this.sub = new MqttConnection({
      ...common,
      clientId: options.subClientId,
      onConnected: () => {
        this.changed(undefined);
        this.resubscribe();
      },
      deliver: (topic, payload) => this.received(topic, payload),
    });
    this.pub = new MqttConnection({ ...common, clientId: options.pubClientId, onConnected: () => this.changed(undefined) });
  }

  get pending(): number {
    return this.pub.pending;
  }

  start(): void {
    this.sub.start();
    this.pub.start();
  }

  publish(topic: string, payload: Buffer): Promise<void> {
    return this.pub.publish(topic, payload, this.deps.options.qos, this.deps.options.retain);
  }

  subscribe(filter: string): void {
    this.staleFilters.delete(filter);
    this.sub.subscribe([filter]).then(
      (refused) => this.reportRefused(refused),
      (error: unknown) => this.deps.log.warn({ err: error, topic: filter }, 'subscribing on the external broker failed; retried at the next reconnect'),
    );
  }

  unsubscribe(filter: string): void {
    if (this.sub.state !== 'connected') {
      this.staleFilters.add(filter);
      return;
    }
    this.sub.unsubscribe([filter]).catch((error: unknown) => {
      this.staleFilters.add(filter);
      this.deps.log.debug({ err: error, topic: filter }, 'unsubscribing on the external broker failed; retried at the next reconnect');
    });
  }

  async close(): Promise<void> {
    const [, abandoned] = await Promise.all([this.sub.stop(), this.pub.stop()]);
    this.deps.metrics.connected('external', false);
    if (abandoned > 0) {
      this.deps.log.warn({ url: this.url, publishes: abandoned }, 'publishes to the external MQTT broker not acknowledged before shutdown');
    }
  }

  /** Every connect: subscribe to every filter (a new session has none; a kept one ignores repeats), drop stale ones. */
  private resubscribe(): void {
    const stale = [...this.staleFilters].filter((filter) => !this.deps.subscriptions.all().includes(filter));
    this.staleFilters.clear();
    this.sub.unsubscribe(stale).catch((error: unknown) => this.deps.log.debug({ err: error }, 'dropping stale subscriptions failed'));
    this.sub.subscribe(this.deps.subscriptions.all()).then(
      (refused) => this.reportRefused(refused),
      (error: unknown) => this.deps.log.warn({ err: error }, 'subscribing on the external broker failed; retried at the next reconnect'),
    );
  }

  private received(topic: string, payload: Buffer): Promise<void> {
    // The broker's session may still deliver on a filter the cloud has since unsubscribed.
    if (!this.deps.subscriptions.matches(topic)) return Promise.resolve();
    return this.deps.deliver(topic, payload, 'external');
  }

  private reportRefused(refused: readonly string[]): void {
    if (refused.length === 0) return;
    this.deps.log.warn(
      { url: this.url, topics: refused },
      `the external MQTT broker refused eventbus's subscription to ${refused.join(', ')}; check the broker's ACL for ` +
        `client ${this.deps.options.subClientId}`,
    );
  }

  /** Called on every connect and disconnect of either client: logs only the moves between up and down. */
  private changed(error: Error | undefined): void {
    const up = this.sub.state === 'connected' && this.pub.state === 'connected';
    this.deps.metrics.connected('external', up);
    const { log } = this.deps;
    if (up) {
      if (this.health !== 'up') log.info({ url: this.url }, `connected to the external MQTT broker ${this.url}`);
      this.health = 'up';
      return;
    }
    // One client connected and the other still trying is not news; a failed attempt or a lost connection is.
    const failing = this.sub.state === 'waiting' || this.pub.state === 'waiting';
    if (!failing || this.health === 'down') return;
    const reason = error?.message || 'the connection closed';
    if (this.health === 'unknown') {
      log.warn(
        { url: this.url, reason },
        `cannot reach the external MQTT broker at modules.eventBus.mqttServerExternal ${this.url} (${reason}). Fix one ` +
          'of: start an MQTT broker there (such as mosquitto: apt-get install mosquitto), or set ' +
          "modules.eventBus.mqttMode: internal to use edgecore's built-in broker. Retrying quietly in the background.",
      );
    } else {
      log.warn(
        { url: this.url, reason },
        `lost the connection to the external MQTT broker ${this.url} (${reason}); reconnecting quietly in the ` +
          'background, publishes wait until it is back (up to tuning.maxPendingPublishes)',
      );
    }
    this.health = 'down';
  }
}
