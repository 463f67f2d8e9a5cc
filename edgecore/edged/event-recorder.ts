/**
 * Kubernetes Events about pods and the node, as a kubelet records them: the same reason and message about the same
 * object within ten minutes is one Event whose count rises (so a crash-looping container is one line in
 * `kubectl get events`, not hundreds). Events are best effort: a failure to send is logged, never retried.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../pkg/log';
import { rfc3339 } from '../../pkg/timing';
import type { Event } from './api';

export type EventType = 'Normal' | 'Warning';

export interface InvolvedObject {
  kind: 'Pod' | 'Node';
  namespace?: string;
  name: string;
  uid?: string;
  fieldPath?: string;
}

export interface EventSink {
  event(event: Event): Promise<void>;
}

const AGGREGATE_MS = 10 * 60_000;
const MAX_REMEMBERED = 4096;

export class EventRecorder {
  private readonly recent = new Map<string, Event>();

  constructor(
    private readonly sink: EventSink,
    private readonly nodeName: string,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  record(object: InvolvedObject, type: EventType, reason: string, message: string): void {
    const key = `${object.kind}/${object.namespace ?? ''}/${object.name}/${object.uid ?? ''}/${object.fieldPath ?? ''}/${reason}/${message}`;
    const nowMs = this.now();
    const timestamp = rfc3339(nowMs);
    const previous = this.recent.get(key);
    let event: Event;
    if (previous !== undefined && nowMs - Date.parse(previous.lastTimestamp!) < AGGREGATE_MS) {
      event = { ...previous, count: (previous.count ?? 1) + 1, lastTimestamp: timestamp };
    } else {
      event = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: {
          // Unique per series, like a kubelet's <object>.<hex>.
          name: `${object.name}.${nowMs.toString(16)}${randomBytes(2).toString('hex')}`,
          namespace: object.namespace ?? 'default',
        },
        involvedObject: { apiVersion: 'v1', ...object, namespace: object.namespace ?? '' },
        reason,
        message,
        type,
        source: { component: 'kubelet', host: this.nodeName },
        reportingComponent: 'kubelet',
        reportingInstance: this.nodeName,
        firstTimestamp: timestamp,
        lastTimestamp: timestamp,
        count: 1,
      };
    }
    this.remember(key, event);
    this.sink.event(event).catch((error: unknown) => this.log.debug({ err: error, reason }, 'could not send an event'));
  }

  private remember(key: string, event: Event): void {
    this.recent.delete(key);
    this.recent.set(key, event);
    if (this.recent.size > MAX_REMEMBERED) this.recent.delete(this.recent.keys().next().value!);
  }
}
