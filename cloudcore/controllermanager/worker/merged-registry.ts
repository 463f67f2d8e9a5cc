/**
 * A view of a prom-client registry that also serves metric families collected elsewhere at scrape time: the registries
 * of worker threads, which cannot share metric objects with the main thread. It is what prom-client's
 * AggregatorRegistry does for cluster workers, over a message port instead of IPC.
 *
 * Everything that registers or looks up a metric goes to the base registry, so code holding the view behaves as with
 * the base. Families with the same name are merged: their series are concatenated, and series with equal labels are
 * summed (prom-client's default 'sum' aggregation; thread-local series never collide in practice).
 */
import { Registry, type Metric } from 'prom-client';
import type { MetricFamily } from './protocol';

/** Collects one source's families; a source with nothing to say (not running) resolves to []. */
export type MetricSource = () => Promise<MetricFamily[]>;

export class MergedRegistry extends Registry {
  private readonly sources = new Set<MetricSource>();

  constructor(
    private readonly base: Registry,
    /** Added to the sources' series that lack them, as the base's default labels are added to its own. */
    private readonly sourceLabels: Readonly<Record<string, string>> = {},
  ) {
    super();
    super.setContentType(base.contentType);
  }

  /** Adds a source; the returned function removes it. */
  addSource(source: MetricSource): () => void {
    this.sources.add(source);
    return () => this.sources.delete(source);
  }

  override async getMetricsAsJSON(): Promise<MetricFamily[]> {
    const [own, ...others] = await Promise.all([this.base.getMetricsAsJSON(), ...[...this.sources].map((collect) => collect())]);
    const byName = new Map<string, MetricFamily>();
    for (const family of own) byName.set(family.name, family);
    for (const families of others) {
      for (const family of families) {
        // As prom-client applies default labels: the series' own first, and they win.
        const labelled = { ...family, values: family.values.map((v) => ({ ...v, labels: { ...v.labels, ...this.sourceLabels, ...v.labels } })) };
        const existing = byName.get(family.name);
        byName.set(family.name, existing ? mergeFamilies(existing, labelled) : labelled);
      }
    }
    return [...byName.values()];
  }

  override async metrics(): Promise<string> {
    // Format through a throw-away registry of fixed families (labels are already applied).
    const formatter = new Registry();
    formatter.setContentType(this.base.contentType);
    for (const family of await this.getMetricsAsJSON()) formatter.registerMetric({ ...family, get: () => family } as unknown as Metric);
    return formatter.metrics();
  }

  // Everything else is the base registry's.

  override setContentType(contentType: Registry['contentType']): void {
    this.base.setContentType(contentType);
    super.setContentType(contentType);
  }

  override getMetricsAsArray(): ReturnType<Registry['getMetricsAsArray']> {
    return this.base.getMetricsAsArray();
  }

  override registerMetric<T extends string>(metric: Metric<T>): void {
    this.base.registerMetric(metric);
  }

  override getSingleMetric<T extends string>(name: string): Metric<T> | undefined {
    return this.base.getSingleMetric<T>(name);
  }

  override getSingleMetricAsString(name: string): Promise<string> {
    return this.base.getSingleMetricAsString(name);
  }

  override removeSingleMetric(name: string): void {
    this.base.removeSingleMetric(name);
  }

  override setDefaultLabels(labels: object): void {
    this.base.setDefaultLabels(labels);
  }

  override clear(): void {
    this.base.clear();
  }

  override resetMetrics(): void {
    this.base.resetMetrics();
  }
}

function mergeFamilies(into: MetricFamily, from: MetricFamily): MetricFamily {
  const series = new Map<string, MetricFamily['values'][number]>();
  const keyOf = (value: MetricFamily['values'][number]): string =>
    `${(value as { metricName?: string }).metricName ?? ''}${JSON.stringify(Object.entries(value.labels).sort(([a], [b]) => (a < b ? -1 : 1)))}`;
  for (const value of [...into.values, ...from.values]) {
    const key = keyOf(value);
    const seen = series.get(key);
    series.set(key, seen ? { ...seen, value: seen.value + value.value } : value);
  }
  return { ...into, values: [...series.values()] };
}
