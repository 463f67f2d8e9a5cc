import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * A metrics registry for one process (or one test), with Node's process metrics on it. Never
 * prom-client's global registry: two instances in one test process must not share counters.
 */
export function createMetricsRegistry(options: { defaultLabels?: Readonly<Record<string, string>> } = {}): Registry {
  const registry = new Registry();
  if (options.defaultLabels !== undefined) registry.setDefaultLabels({ ...options.defaultLabels });
  collectDefaultMetrics({ register: registry });
  return registry;
}
