import { Counter, Gauge, Registry } from 'prom-client';
import { MergedRegistry } from './merged-registry';
import type { MetricFamily } from './protocol';

/** A source's families as a worker's registry would give them. */
async function familiesOf(build: (registry: Registry) => void): Promise<MetricFamily[]> {
  const registry = new Registry();
  build(registry);
  return registry.getMetricsAsJSON();
}

describe('MergedRegistry', () => {
  it('serves the base families and the sources, labelled like the base, in the Prometheus text format', async () => {
    const base = new Registry();
    base.setDefaultLabels({ program: 'cloudcore' });
    new Gauge({ name: 'main_only', help: 'on the main thread', registers: [base] }).set(3);
    const merged = new MergedRegistry(base, { program: 'cloudcore' });
    const worker = await familiesOf((r) => new Counter({ name: 'worker_only_total', help: 'in the worker', labelNames: ['kind'], registers: [r] }).inc({ kind: 'pod' }, 2));
    merged.addSource(async () => worker);

    const text = await merged.metrics();
    expect(text).toContain('# TYPE main_only gauge\nmain_only{program="cloudcore"} 3');
    expect(text).toContain('# HELP worker_only_total in the worker\n# TYPE worker_only_total counter\nworker_only_total{kind="pod",program="cloudcore"} 2');
  });

  it('merges a family both sides have: distinct series side by side, equal series summed', async () => {
    const base = new Registry();
    const depth = new Gauge({ name: 'workqueue_depth', help: 'depth', labelNames: ['name'], registers: [base] });
    depth.set({ name: 'cloudhub' }, 4);
    depth.set({ name: 'shared' }, 1);
    const merged = new MergedRegistry(base);
    merged.addSource(() =>
      familiesOf((r) => {
        const g = new Gauge({ name: 'workqueue_depth', help: 'depth', labelNames: ['name'], registers: [r] });
        g.set({ name: 'scheduler' }, 7);
        g.set({ name: 'shared' }, 2);
      }),
    );
    const family = (await merged.getMetricsAsJSON()).find((f) => f.name === 'workqueue_depth')!;
    const byName = Object.fromEntries(family.values.map((v) => [v.labels['name'], v.value]));
    expect(byName).toEqual({ cloudhub: 4, shared: 3, scheduler: 7 });
  });

  it('registers on, and looks up in, the base registry; a removed source is no longer asked', async () => {
    const base = new Registry();
    const merged = new MergedRegistry(base);
    const counter = new Counter({ name: 'made_through_the_view_total', help: 'h', registers: [merged] });
    expect(base.getSingleMetric('made_through_the_view_total')).toBe(counter);
    expect(merged.getSingleMetric('made_through_the_view_total')).toBe(counter);
    const source = jest.fn(async () => [] as MetricFamily[]);
    const remove = merged.addSource(source);
    await merged.metrics();
    remove();
    await merged.metrics();
    expect(source).toHaveBeenCalledTimes(1);
  });
});
