/**
 * core/v1 Events, written as client-go's event recorder writes them: named `<object>.<hex nanoseconds>`, in the
 * object's namespace ("default" for cluster-scoped objects), and deduplicated: the same source, object, type, reason
 * and message again patches the existing Event's `count` and `lastTimestamp` instead of creating another.
 *
 * Recording never blocks a controller: events go into a bounded queue drained by one writer. Overflow policy: the new
 * event is dropped, counted in controller_events_dropped_total and logged once per episode (events are advisory).
 */
import { Counter, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import { isNotFound, KubeApiError, RESOURCES, type Client, type ResourceClient } from '../../../pkg/kube';
import { sleep } from '../../../pkg/timing';
import { rfc3339, type Clock } from '../../../pkg/timing/kube-time';
import type { Obj } from '../util/types';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  /** Records an event about `object`, which must carry apiVersion, kind and metadata.name. */
  event(object: Obj, type: EventType, reason: string, message: string): void;
}

export interface InvolvedObject {
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
}

interface Pending {
  ref: InvolvedObject;
  type: EventType;
  reason: string;
  message: string;
  component: string;
  at: number;
}

interface Cached {
  name: string;
  namespace: string;
  count: number;
}

export interface EventSinkOptions {
  client: Client;
  log: Logger;
  now: Clock;
  registry?: Registry;
  /** Events waiting to be written. Default 1000. */
  maxQueue?: number;
  /** Events remembered for deduplication (least recently used go first). Default 4096, as client-go. */
  cacheSize?: number;
}

const WRITE_ATTEMPTS = 3;

export class EventSink {
  private readonly events: ResourceClient<Obj>;
  private readonly queue: Pending[] = [];
  private readonly cache = new Map<string, Cached>();
  private readonly maxQueue: number;
  private readonly cacheSize: number;
  private readonly written: Counter<string> | undefined;
  private readonly dropped: Counter<string> | undefined;
  private wake: (() => void) | undefined;
  private overflowing = false;
  private seq = 0;

  constructor(private readonly options: EventSinkOptions) {
    this.events = options.client.resource<Obj>(RESOURCES.events);
    this.maxQueue = options.maxQueue ?? 1000;
    this.cacheSize = options.cacheSize ?? 4096;
    const registers = options.registry ? [options.registry] : [];
    if (options.registry) {
      this.written = (options.registry.getSingleMetric('controller_events_total') as Counter<string> | undefined) ??
        new Counter({ name: 'controller_events_total', help: 'Events written, by source component and type.', labelNames: ['component', 'type'], registers });
      this.dropped = (options.registry.getSingleMetric('controller_events_dropped_total') as Counter<string> | undefined) ??
        new Counter({ name: 'controller_events_dropped_total', help: 'Events dropped: queue full or the write kept failing.', labelNames: ['component'], registers });
    }
  }

  /** A recorder that writes with `component` as the event source ("deployment-controller", "default-scheduler"). */
  recorder(component: string): EventRecorder {
    return {
      event: (object, type, reason, message) => {
        const meta = object.metadata ?? {};
        const ref: InvolvedObject = {
          apiVersion: object.apiVersion,
          kind: object.kind,
          name: meta.name,
          namespace: meta.namespace,
          uid: meta.uid,
          resourceVersion: meta.resourceVersion,
        };
        this.log(component).debug({ object: `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`, type, reason }, message);
        this.enqueue({ ref, type, reason, message, component, at: this.options.now() });
      },
    };
  }

  /**
   * Writes events until `signal` aborts, then what is left in the queue, until `hardStop` aborts (which also cuts
   * short a write in progress). Without `hardStop`, what is left is written with the usual retries.
   */
  async start(signal: AbortSignal, hardStop?: AbortSignal): Promise<void> {
    const stop = (): void => this.wake?.();
    signal.addEventListener('abort', stop, { once: true });
    try {
      for (;;) {
        if (hardStop?.aborted) return;
        const next = this.queue.shift();
        if (next) {
          await this.write(next, hardStop);
          continue;
        }
        if (signal.aborted) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
      }
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }

  private enqueue(pending: Pending): void {
    if (this.queue.length >= this.maxQueue) {
      this.dropped?.inc({ component: pending.component });
      if (!this.overflowing) this.options.log.warn({ maxQueue: this.maxQueue }, 'event queue full: dropping events until it drains');
      this.overflowing = true;
      return;
    }
    this.overflowing = false;
    this.queue.push(pending);
    this.wake?.();
  }

  private async write(pending: Pending, signal?: AbortSignal): Promise<void> {
    const key = dedupKey(pending);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.writeOnce(key, pending, signal);
        this.written?.inc({ component: pending.component, type: pending.type });
        return;
      } catch (error) {
        // A terminating or missing namespace takes no new events; nor will it later.
        const final = error instanceof KubeApiError && (error.code === 403 || error.code === 404 || error.code === 422);
        if (signal?.aborted) return;
        if (final || attempt >= WRITE_ATTEMPTS) {
          this.dropped?.inc({ component: pending.component });
          this.log(pending.component).warn({ err: error, reason: pending.reason }, 'event not written');
          return;
        }
        await sleep(100 * 4 ** attempt, signal).catch(() => undefined);
      }
    }
  }

  private async writeOnce(key: string, pending: Pending, signal?: AbortSignal): Promise<void> {
    const opts = signal ? { signal } : {};
    const last = rfc3339(pending.at);
    const cached = this.cache.get(key);
    if (cached) {
      this.cache.delete(key);
      this.cache.set(key, cached); // most recently used last
      const count = cached.count + 1;
      try {
        await this.events.patch(cached.name, { count, lastTimestamp: last, message: pending.message }, { type: 'merge', namespace: cached.namespace, ...opts });
        cached.count = count;
        return;
      } catch (error) {
        if (!isNotFound(error)) throw error;
        this.cache.delete(key); // expired or deleted: start a new one
      }
    }
    const namespace = pending.ref.namespace || 'default';
    const name = `${pending.ref.name ?? 'unknown'}.${this.uniqueSuffix(pending.at)}`;
    await this.events.create(
      {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: pending.ref,
        reason: pending.reason,
        message: pending.message,
        source: { component: pending.component },
        firstTimestamp: last,
        lastTimestamp: last,
        count: 1,
        type: pending.type,
        eventTime: null,
        reportingComponent: pending.component,
        reportingInstance: '',
      } as Obj,
      { namespace, ...opts },
    );
    this.cache.set(key, { name, namespace, count: 1 });
    while (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value as string);
  }

  /** client-go's `%x` of UnixNano; a counter keeps events recorded in the same millisecond apart. */
  private uniqueSuffix(atMs: number): string {
    this.seq = (this.seq + 1) % 1_000_000;
    return (BigInt(atMs) * 1_000_000n + BigInt(this.seq)).toString(16);
  }

  private log(component: string): Logger {
    return this.options.log.child({ component });
  }
}

/** client-go's getEventKey: source, the object (not its resourceVersion), type, reason and message. */
function dedupKey(p: Pending): string {
  const { ref } = p;
  return [p.component, ref.kind, ref.namespace, ref.name, ref.uid, ref.apiVersion, p.type, p.reason, p.message].join('\u0000');
}
