/**
 * Prometheus metrics of this package, on a registry the caller passes in (never the global one). Several queues,
 * controllers and informers share one registry: each metric is created once per registry and labelled by name.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60, 300];

type Metric = Counter<string> | Gauge<string> | Histogram<string>;

function shared<M extends Metric>(registry: Registry, name: string, make: (registers: Registry[]) => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? make([registry]);
}

export interface QueueMetrics {
  depth(n: number): void;
  added(): void;
  retried(): void;
  dropped(): void;
  /** Seconds between add and get. */
  waited(seconds: number): void;
  /** Seconds between get and done. */
  worked(seconds: number): void;
}

export const noQueueMetrics: QueueMetrics = {
  depth: () => undefined,
  added: () => undefined,
  retried: () => undefined,
  dropped: () => undefined,
  waited: () => undefined,
  worked: () => undefined,
};

/** client-go's workqueue metric names, plus workqueue_dropped_total for the overflow policy. */
export function queueMetrics(registry: Registry, queue: string): QueueMetrics {
  const labelNames = ['name'];
  const depth = shared(registry, 'workqueue_depth', (registers) =>
    new Gauge({ name: 'workqueue_depth', help: 'Keys waiting to be processed.', labelNames, registers }),
  ).labels(queue);
  const adds = shared(registry, 'workqueue_adds_total', (registers) =>
    new Counter({ name: 'workqueue_adds_total', help: 'Keys added (duplicates of a queued key not counted).', labelNames, registers }),
  ).labels(queue);
  const retries = shared(registry, 'workqueue_retries_total', (registers) =>
    new Counter({ name: 'workqueue_retries_total', help: 'Rate-limited re-adds after a failure.', labelNames, registers }),
  ).labels(queue);
  const dropped = shared(registry, 'workqueue_dropped_total', (registers) =>
    new Counter({ name: 'workqueue_dropped_total', help: 'Adds refused because the queue was full.', labelNames, registers }),
  ).labels(queue);
  const waited = shared(registry, 'workqueue_queue_duration_seconds', (registers) =>
    new Histogram({ name: 'workqueue_queue_duration_seconds', help: 'Time a key waited before a worker took it.', labelNames, buckets: LATENCY_BUCKETS, registers }),
  ).labels(queue);
  const worked = shared(registry, 'workqueue_work_duration_seconds', (registers) =>
    new Histogram({ name: 'workqueue_work_duration_seconds', help: 'Time a worker spent on a key.', labelNames, buckets: LATENCY_BUCKETS, registers }),
  ).labels(queue);
  depth.set(0);
  return {
    depth: (n) => depth.set(n),
    added: () => adds.inc(),
    retried: () => retries.inc(),
    dropped: () => dropped.inc(),
    waited: (s) => waited.observe(s),
    worked: (s) => worked.observe(s),
  };
}

export type ReconcileResult = 'success' | 'error' | 'terminal_error' | 'requeue_after';

export interface ControllerMetrics {
  reconciled(result: ReconcileResult, seconds: number): void;
  activeWorkers(delta: number): void;
}

export function controllerMetrics(registry: Registry, controller: string): ControllerMetrics {
  const total = shared(registry, 'controller_reconcile_total', (registers) =>
    new Counter({ name: 'controller_reconcile_total', help: 'Reconciles by outcome.', labelNames: ['controller', 'result'], registers }),
  );
  const time = shared(registry, 'controller_reconcile_duration_seconds', (registers) =>
    new Histogram({ name: 'controller_reconcile_duration_seconds', help: 'Time per reconcile.', labelNames: ['controller'], buckets: LATENCY_BUCKETS, registers }),
  ).labels(controller);
  const active = shared(registry, 'controller_active_workers', (registers) =>
    new Gauge({ name: 'controller_active_workers', help: 'Workers busy reconciling.', labelNames: ['controller'], registers }),
  ).labels(controller);
  for (const result of ['success', 'error', 'terminal_error', 'requeue_after'] as const) total.labels(controller, result).inc(0);
  return {
    reconciled: (result, seconds) => {
      total.labels(controller, result).inc();
      time.observe(seconds);
    },
    activeWorkers: (delta) => active.inc(delta),
  };
}

export interface InformerMetrics {
  listed(): void;
  watched(): void;
  event(type: string): void;
  relisted(reason: 'gone' | 'too_large'): void;
  objects(n: number): void;
}

export const noInformerMetrics: InformerMetrics = {
  listed: () => undefined,
  watched: () => undefined,
  event: () => undefined,
  relisted: () => undefined,
  objects: () => undefined,
};

export function informerMetrics(registry: Registry, resource: string): InformerMetrics {
  const labelNames = ['resource'];
  const lists = shared(registry, 'kube_informer_lists_total', (registers) =>
    new Counter({ name: 'kube_informer_lists_total', help: 'Full lists (initial and relists).', labelNames, registers }),
  ).labels(resource);
  const watches = shared(registry, 'kube_informer_watches_total', (registers) =>
    new Counter({ name: 'kube_informer_watches_total', help: 'Watch requests started.', labelNames, registers }),
  ).labels(resource);
  const events = shared(registry, 'kube_informer_watch_events_total', (registers) =>
    new Counter({ name: 'kube_informer_watch_events_total', help: 'Watch events received.', labelNames: ['resource', 'type'], registers }),
  );
  const relists = shared(registry, 'kube_informer_relists_total', (registers) =>
    new Counter({ name: 'kube_informer_relists_total', help: 'Relists after the first list, by cause.', labelNames: ['resource', 'reason'], registers }),
  );
  const objects = shared(registry, 'kube_informer_objects', (registers) =>
    new Gauge({ name: 'kube_informer_objects', help: 'Objects in the informer cache.', labelNames, registers }),
  ).labels(resource);
  return {
    listed: () => lists.inc(),
    watched: () => watches.inc(),
    event: (type) => events.labels(resource, type).inc(),
    relisted: (reason) => relists.labels(resource, reason).inc(),
    objects: (n) => objects.set(n),
  };
}
