/**
 * DeviceController's metrics, on the registry cloudcore passes in (one set per registry, reused when the module is
 * restarted, so several controllers in one test process do not collide).
 */
import { Counter, Histogram, type Registry } from 'prom-client';

/** What became of a report from the edge: accepted for writing, or why it was refused. */
export type ReportResult = 'accepted' | 'invalid' | 'unknown_device' | 'other_node' | 'unsupported' | 'overflow';

/** What became of a DeviceStatus status patch. */
export type PatchResult = 'written' | 'skipped' | 'conflict' | 'retried' | 'failed';

export interface DeviceControllerMetrics {
  /** `type`: device or devicemodel; `operation`: insert, update or delete. */
  downstream(type: string, operation: string): void;
  /** `type`: twin, state, or other for a resource that is neither. */
  report(type: string, result: ReportResult): void;
  /** A report merged into one already waiting for the same device. */
  coalesced(): void;
  patch(result: PatchResult): void;
  /** Seconds from the first report of a batch arriving to its patch being written. */
  reportToPatch(seconds: number): void;
}

export const noMetrics: DeviceControllerMetrics = {
  downstream: () => undefined,
  report: () => undefined,
  coalesced: () => undefined,
  patch: () => undefined,
  reportToPatch: () => undefined,
};

export function createMetrics(registry: Registry | undefined): DeviceControllerMetrics {
  if (!registry) return noMetrics;
  const counter = (name: string, help: string, labelNames: string[]): Counter<string> =>
    (registry.getSingleMetric(name) as Counter<string> | undefined) ?? new Counter({ name, help, labelNames, registers: [registry] });
  const downstream = counter('devicecontroller_downstream_messages_total', 'Devices and device models sent towards edge nodes, by type and operation.', ['type', 'operation']);
  const reports = counter('devicecontroller_reports_total', 'Twin and state reports from edge nodes, by type and result (accepted, or why refused).', ['type', 'result']);
  const coalesced = counter('devicecontroller_reports_coalesced_total', 'Reports merged into a pending DeviceStatus write for the same device.', []);
  const patches = counter('devicecontroller_status_patches_total', 'DeviceStatus status patches by result (skipped: the device is gone; conflict: stale base, re-read and retried at once).', ['result']);
  const latency =
    (registry.getSingleMetric('devicecontroller_report_to_patch_seconds') as Histogram<string> | undefined) ??
    new Histogram({
      name: 'devicecontroller_report_to_patch_seconds',
      help: 'From the first report of a batch reaching DeviceController to its DeviceStatus patch being written.',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
      registers: [registry],
    });
  return {
    downstream: (type, operation) => downstream.labels(type, operation).inc(),
    report: (type, result) => reports.labels(type, result).inc(),
    coalesced: () => coalesced.inc(),
    patch: (result) => patches.labels(result).inc(),
    reportToPatch: (seconds) => latency.observe(seconds),
  };
}
