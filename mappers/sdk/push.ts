/**
 * Push methods: every collected value of a property with a pushMethod is also sent to an MQTT broker or an HTTP
 * endpoint, as one JSON DataModel. Best effort, never blocking collection: while a broker or endpoint is
 * unreachable, values are dropped (logged once per outage), so memory stays bounded however long it lasts.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from '../../pkg/log';
import type { PushTarget } from './push-spec';
import { StreakLog } from './streak-log';

/** What is pushed: KubeEdge's mapper DataModel fields. `timeStamp` is when the value was read (ms since epoch). */
export interface DataModel {
  readonly namespace: string;
  readonly deviceName: string;
  readonly propertyName: string;
  readonly value: string;
  readonly type: string;
  readonly timeStamp: number;
}

interface Broker {
  readonly client: MqttClient;
  readonly log: StreakLog;
  /** A first connection attempt has ended (either way). */
  tried: boolean;
}

const UNREACHABLE = 'MQTT broker for push is not reachable; collected values are not pushed until it is back';

/** HTTP requests in flight per endpoint; more are dropped rather than queued behind a slow endpoint. */
const MAX_HTTP_IN_FLIGHT = 8;

export class PushHub {
  private readonly brokers = new Map<string, Broker>();
  private readonly endpoints = new Map<string, { inFlight: number; log: StreakLog }>();
  private closed = false;

  constructor(private readonly log: Logger) {}

  push(target: PushTarget, data: DataModel): void {
    if (this.closed) return;
    const payload = JSON.stringify(data);
    if (target.kind === 'mqtt') this.publish(target, payload);
    else void this.post(target, payload);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.brokers.values()].map(({ client }) => client.endAsync().catch(() => undefined)));
    this.brokers.clear();
  }

  private publish(target: Extract<PushTarget, { kind: 'mqtt' }>, payload: string): void {
    const broker = this.broker(target.address);
    if (!broker.client.connected) {
      // Values collected while the first connection is still being made are dropped quietly.
      if (broker.tried) broker.log.failed('unreachable', UNREACHABLE);
      return;
    }
    broker.client.publish(target.topic, payload, { qos: target.qos, retain: target.retained }, (error) => {
      if (error) broker.log.failed(error.message, 'MQTT push failed; collected values are not pushed until the broker accepts them again');
      else broker.log.succeeded('MQTT push works again');
    });
  }

  private broker(address: string): Broker {
    let broker = this.brokers.get(address);
    if (broker === undefined) {
      // One connection per broker, shared by every device and property that pushes to it.
      const client = mqtt.connect(address, { reconnectPeriod: 1000, connectTimeout: 5000, queueQoSZero: false });
      const created: Broker = { client, log: new StreakLog(this.log, { pushMqtt: address }), tried: false };
      client.on('connect', () => {
        created.tried = true;
        created.log.succeeded('MQTT push broker connected');
      });
      client.on('error', (error) => {
        created.tried = true;
        created.log.failed('unreachable', UNREACHABLE, 'warn', { error: error.message });
      });
      client.on('close', () => (created.tried = true));
      broker = created;
      this.brokers.set(address, broker);
    }
    return broker;
  }

  private async post(target: Extract<PushTarget, { kind: 'http' }>, payload: string): Promise<void> {
    let endpoint = this.endpoints.get(target.url);
    if (endpoint === undefined) {
      endpoint = { inFlight: 0, log: new StreakLog(this.log, { pushHttp: target.url }) };
      this.endpoints.set(target.url, endpoint);
    }
    if (endpoint.inFlight >= MAX_HTTP_IN_FLIGHT) {
      endpoint.log.failed('too many requests in flight', 'HTTP push endpoint is slow; values are dropped while requests wait');
      return;
    }
    endpoint.inFlight++;
    try {
      const response = await fetch(target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: payload,
        signal: AbortSignal.timeout(target.timeoutMs),
      });
      await response.arrayBuffer();
      if (!response.ok) endpoint.log.failed(`HTTP ${response.status}`, 'HTTP push endpoint refuses values');
      else endpoint.log.succeeded('HTTP push works again');
    } catch (error) {
      // fetch says only "fetch failed"; the cause says why (ECONNREFUSED, ...).
      const cause = (error as Error).cause as Error | undefined;
      const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${target.timeoutMs} ms` : (cause?.message ?? (error as Error).message);
      endpoint.log.failed(reason, 'HTTP push failed; values are dropped until the endpoint answers');
    } finally {
      endpoint.inFlight--;
    }
  }
}
