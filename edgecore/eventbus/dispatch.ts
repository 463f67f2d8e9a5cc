/**
 * MQTT messages into the edge (contracts 1 and 2 of the devices plan): twin topics (`$hw/events/device/...`,
 * `$hw/events/node/...`) go to devicetwin as operation `message`, everything else eventbus subscribed to goes to the
 * cloud through edgehub as operation `upload` in group `user`. The resource is the MQTT topic, the content the payload
 * bytes as published.
 */
import { isTwinTopic } from '../../pkg/devices';
import type { Logger } from '../../pkg/log';
import { newMessage } from '../../pkg/message';
import { ModuleError, type ModuleContext } from '../../pkg/modules';
import type { BrokerName, EventBusMetrics } from './metrics';
import type { ThrottledWarnings } from './warnings';

export const EVENTBUS_MODULE = 'eventbus';
export const EVENTBUS_GROUP = 'bus';

/** Where MQTT messages go, and the setting that turns that module on. */
const RECEIVERS = {
  twin: { module: 'devicetwin', group: 'twin', operation: 'message', enable: 'modules.deviceTwin.enable' },
  cloud: { module: 'edgehub', group: 'user', operation: 'upload', enable: 'modules.edgeHub.enable' },
} as const;

export interface DispatcherDeps {
  send: ModuleContext['send'];
  maxPayloadBytes: number;
  metrics: EventBusMetrics;
  warnings: ThrottledWarnings;
  log: Logger;
}

export class Dispatcher {
  /** Receivers reported as not running, so that a steady stream of messages makes one log line, not thousands. */
  private readonly reportedMissing = new Set<string>();

  constructor(private readonly deps: DispatcherDeps) {}

  /** Hands one MQTT message to its module; resolves once the module's inbox took it. Never rejects. */
  async deliver(topic: string, payload: Buffer, from: BrokerName): Promise<void> {
    const { metrics } = this.deps;
    metrics.received(from);
    if (payload.length > this.deps.maxPayloadBytes) {
      metrics.dropped('too_large');
      this.deps.warnings.warn(
        'mqtt_too_large',
        { topic, bytes: payload.length, limit: this.deps.maxPayloadBytes, broker: from },
        `dropped an MQTT message on ${topic}: its payload is ${payload.length} bytes, over eventbus's limit of ` +
          `${this.deps.maxPayloadBytes} bytes (${describeBytes(this.deps.maxPayloadBytes)}); publish smaller messages ` +
          '(split the data, or send a reference to it)',
      );
      return;
    }
    const receiver = isTwinTopic(topic) ? RECEIVERS.twin : RECEIVERS.cloud;
    const message = newMessage({
      source: EVENTBUS_MODULE,
      group: receiver.group,
      operation: receiver.operation,
      resource: topic,
      content: payload,
    });
    try {
      await this.deps.send(receiver.module, message);
      metrics.dispatched(receiver.module);
      this.reportedMissing.delete(receiver.module);
    } catch (error) {
      if (error instanceof ModuleError && error.code === 'STOPPED') return; // shutting down
      metrics.dropped('no_receiver');
      if (error instanceof ModuleError && (error.code === 'UNKNOWN_MODULE' || error.code === 'NOT_RUNNING')) {
        if (this.reportedMissing.has(receiver.module)) return;
        this.reportedMissing.add(receiver.module);
        this.deps.log.warn(
          { topic, module: receiver.module },
          `${receiver.module} is not running, so MQTT messages on topics such as ${topic} are dropped (counted in ` +
            `eventbus_dropped_total{reason="no_receiver"}); set ${receiver.enable}: true to have them handled`,
        );
        return;
      }
      this.deps.log.warn({ err: error, topic, module: receiver.module }, `could not hand an MQTT message to ${receiver.module}`);
    }
  }
}

export function describeBytes(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
