/**
 * Publishes on MQTT through eventbus (contract 3: group bus, operation publish, resource = topic). Fire and forget,
 * so that a slow broker never holds up the twin module (eventbus also sends to it: waiting on each other could
 * deadlock).
 *
 * Overflow policy: at most `maxPending` publishes waiting for room in eventbus's inbox; beyond that new ones are
 * dropped and counted (MQTT results are QoS 0 by default anyway). When eventbus is not running (not enabled) publishing
 * is skipped.
 */
import type { Logger } from '../../../pkg/log';
import { newMessage } from '../../../pkg/message';
import { ModuleError, type ModuleContext } from '../../../pkg/modules';
import type { TwinMetrics } from '../metrics';

export const EVENTBUS = 'eventbus';

export class Publisher {
  private pending = 0;
  private absentLogged = false;

  constructor(
    private readonly send: ModuleContext['send'],
    private readonly options: { source: string; maxPending: number; log: Logger; metrics: TwinMetrics },
  ) {}

  publish(topic: string, payload: unknown): void {
    if (this.pending >= this.options.maxPending) {
      this.options.metrics.publishDropped();
      return;
    }
    const message = newMessage({
      source: this.options.source,
      group: 'bus',
      operation: 'publish',
      resource: topic,
      content: Buffer.from(JSON.stringify(payload), 'utf8'),
    });
    this.pending++;
    this.send(EVENTBUS, message).then(
      () => {
        this.pending--;
      },
      (error: unknown) => {
        this.pending--;
        this.failed(topic, error);
      },
    );
  }

  private failed(topic: string, error: unknown): void {
    const absent = error instanceof ModuleError && ['UNKNOWN_MODULE', 'NOT_RUNNING', 'STOPPED'].includes(error.code);
    if (!absent) {
      this.options.log.warn({ err: error, topic }, 'could not hand an MQTT publish to eventbus');
      return;
    }
    if (!this.absentLogged) {
      this.absentLogged = true;
      this.options.log.info({ topic }, 'eventbus is not running; device twin results are not published on MQTT');
    }
  }
}
