/**
 * One mqtt.js client to the external broker, with its own reconnect loop: mqtt.js retries at a fixed period, and its
 * reconnect() drops the message stores unless they are handed back, so eventbus reconnects itself, with jittered
 * exponential back-off, always passing the same stores back.
 *
 * - clean=false and a client id stable across restarts: the broker keeps the session (subscriptions, QoS 1 messages
 *   for eventbus) while eventbus is away.
 * - Publishes while the broker is away wait in mqtt.js' stores (QoS 1/2) or offline queue (QoS 0) and go out after
 *   the reconnect, in order; at most maxPending wait (the newest is refused beyond).
 * - Incoming messages are acknowledged (PUBACK) only after `deliver` resolved, and mqtt.js reads nothing more from the
 *   socket meanwhile: back pressure reaches the broker instead of piling up here.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from '../../pkg/log';
import { Backoff } from '../../pkg/timing';
import { EventBusError } from './errors';
import type { QoS } from './options';
import { PendingPublishes } from './pending';

export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'waiting' | 'stopped';

export interface MqttConnectionOptions {
  url: string;
  clientId: string;
  connectTimeoutMs: number;
  keepaliveSeconds: number;
  reconnectInitialMs: number;
  reconnectMaxMs: number;
  maxPending: number;
  maxPendingBytes: number;
  log: Logger;
  /** Each connection (first or again); `sessionPresent`: the broker still had this client's session. */
  onConnected(sessionPresent: boolean): void;
  /** Each loss of the connection, and each failed attempt, with the reason when mqtt.js gave one. */
  onDisconnected(error: Error | undefined): void;
  /** Messages on subscribed topics; absent for a publish-only connection. */
  deliver?: (topic: string, payload: Buffer) => Promise<void>;
}

export class MqttConnection {
  private client: MqttClient | undefined;
  private current: ConnectionState = 'idle';
  private readonly backoff: Backoff;
  private timer: NodeJS.Timeout | undefined;
  private lastError: Error | undefined;
  private readonly waiting: PendingPublishes;
  // Kept across reconnects: QoS 1/2 publishes waiting for the broker live here.
  private readonly stores = { incomingStore: new mqtt.Store(), outgoingStore: new mqtt.Store() };

  constructor(private readonly options: MqttConnectionOptions) {
    this.backoff = new Backoff({ initialMs: options.reconnectInitialMs, maxMs: options.reconnectMaxMs });
    this.waiting = new PendingPublishes(options.maxPending, options.maxPendingBytes, `the external broker ${options.url}`);
  }

  get state(): ConnectionState {
    return this.current;
  }

  get pending(): number {
    return this.waiting.size;
  }

  start(): void {
    if (this.current !== 'idle') return;
    const { options } = this;
    const clientOptions: IClientOptions = {
      clientId: options.clientId,
      clean: false,
      protocolVersion: 4, // MQTT 3.1.1, as KubeEdge and most device SDKs speak
      keepalive: options.keepaliveSeconds,
      connectTimeout: options.connectTimeoutMs,
      reconnectPeriod: 0, // reconnects are ours, with back-off
      resubscribe: false, // the owner subscribes again on each connect, with the current topics
      queueQoSZero: true,
      ...this.stores,
    };
    this.transition('connecting');
    const client = mqtt.connect(options.url, clientOptions);
    this.client = client;
    client.on('connect', (connack) => {
      this.backoff.reset();
      this.lastError = undefined;
      this.transition('connected');
      options.onConnected(connack.sessionPresent === true);
    });
    // Also after every failed attempt: mqtt.js emits 'close' when the socket ends, connected or not.
    client.on('close', () => this.closed());
    // An error is followed by 'close'; keep it for the report (and a listener keeps it from being thrown).
    client.on('error', (error) => {
      this.lastError = error;
      options.log.debug({ err: error, clientId: options.clientId }, 'MQTT connection error');
    });
    if (options.deliver) {
      const deliver = options.deliver;
      client.handleMessage = (packet, callback) => {
        const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
        deliver(packet.topic, payload).then(
          () => callback(),
          () => callback(), // already logged and counted by deliver
        );
      };
    }
  }

  publish(topic: string, payload: Buffer, qos: QoS, retain: boolean): Promise<void> {
    const client = this.client;
    if (!client || this.current === 'stopped') {
      return Promise.reject(new EventBusError('QUEUE_FULL', 'the connection to the external broker is stopped'));
    }
    try {
      this.waiting.take(payload.length);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    return new Promise<void>((resolve, reject) => {
      client.publish(topic, payload, { qos, retain }, (error) => {
        this.waiting.release(payload.length);
        if (error) reject(error);
        else resolve();
      });
    });
  }

  /** Subscribes with QoS 1 (as KubeEdge does) when connected; resolves with the filters the broker refused. */
  async subscribe(filters: readonly string[]): Promise<string[]> {
    const client = this.client;
    if (!client || this.current !== 'connected' || filters.length === 0) return [];
    const granted = await client.subscribeAsync([...filters], { qos: 1 });
    return granted.filter((grant) => grant.qos === 128).map((grant) => grant.topic);
  }

  async unsubscribe(filters: readonly string[]): Promise<void> {
    const client = this.client;
    if (!client || this.current !== 'connected' || filters.length === 0) return;
    await client.unsubscribeAsync([...filters]);
  }

  /**
   * Disconnects: politely (DISCONNECT) when connected and nothing waits for an acknowledgement after up to `graceMs`,
   * else by closing the socket. Publishes still waiting are given up; returns how many.
   */
  async stop(graceMs = 1_000): Promise<number> {
    if (this.current === 'stopped') return 0;
    clearTimeout(this.timer);
    const deadline = Date.now() + graceMs;
    while (this.current === 'connected' && this.waiting.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const polite = this.current === 'connected' && this.waiting.size === 0;
    this.transition('stopped');
    const client = this.client;
    if (!client) return 0;
    await new Promise<void>((resolve) => client.end(!polite, () => resolve()));
    return this.waiting.size;
  }

  private closed(): void {
    if (this.current === 'stopped') return;
    this.transition('waiting');
    this.options.onDisconnected(this.lastError);
    if (this.timer !== undefined) return;
    const delayMs = this.backoff.next();
    this.options.log.debug({ clientId: this.options.clientId, delayMs, attempt: this.backoff.attempts }, 'MQTT reconnect scheduled');
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.current !== 'waiting') return;
      this.transition('connecting');
      this.client?.reconnect(this.stores);
    }, delayMs);
    this.timer.unref();
  }

  private transition(next: ConnectionState): void {
    if (next === this.current) return;
    this.options.log.debug({ clientId: this.options.clientId, from: this.current, to: next }, 'MQTT connection state');
    this.current = next;
  }
}
