/**
 * EdgeController's upstream metrics, on the registry cloudcore passes in (one set per registry, so several
 * controllers in one test process do not collide).
 */
import { Counter, type Registry } from 'prom-client';

/** What became of an edge report when it arrived. */
export type ReportResult = 'accepted' | 'answered' | 'refused';

/** What became of a queued write. */
export type WriteResult = 'written' | 'coalesced' | 'skipped' | 'retried' | 'failed' | 'overflow';

export interface UpstreamMetrics {
  /** `type` is the edge resource type (nodestatus, podstatus, ...). */
  report(type: string, result: ReportResult): void;
  /** `queue` is the writer's name. */
  write(queue: string, result: WriteResult): void;
}

export const noUpstreamMetrics: UpstreamMetrics = { report: () => undefined, write: () => undefined };

export function createUpstreamMetrics(registry: Registry | undefined): UpstreamMetrics {
  if (!registry) return noUpstreamMetrics;
  const reports =
    (registry.getSingleMetric('edgecontroller_upstream_reports_total') as Counter<string> | undefined) ??
    new Counter({
      name: 'edgecontroller_upstream_reports_total',
      help: 'Reports from edge nodes by resource type and result (accepted for writing, answered, refused).',
      labelNames: ['type', 'result'],
      registers: [registry],
    });
  const writes =
    (registry.getSingleMetric('edgecontroller_upstream_writes_total') as Counter<string> | undefined) ??
    new Counter({
      name: 'edgecontroller_upstream_writes_total',
      help: 'Queued writes of edge reports by queue and result (coalesced: replaced by a newer report before writing).',
      labelNames: ['queue', 'result'],
      registers: [registry],
    });
  return {
    report: (type, result) => reports.labels(type, result).inc(),
    write: (queue, result) => writes.labels(queue, result).inc(),
  };
}
