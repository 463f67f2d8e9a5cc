/** The SyncController's metrics, created once per registry (a restarted module reuses them). */
import { Counter, Gauge, type Registry } from 'prom-client';

export type SyncErrorReason =
  /** The record names a kind the API server does not serve. */
  | 'unknown_kind'
  /** The record lacks spec fields or has a name not of the form <node>.<uid>. */
  | 'invalid_record'
  /** The object's resourceVersion is not an unsigned integer. */
  | 'invalid_resource_version'
  /** A node's pass failed (API or send failure); it is retried with back-off. */
  | 'reconcile_failed'
  /** Removing the records of deleted nodes failed; retried next period. */
  | 'cleanup_failed';

export interface SyncMetrics {
  reconciled(records: number): void;
  sent(operation: 'update' | 'delete'): void;
  error(reason: SyncErrorReason): void;
  removed(records: number): void;
  connectedNodes(n: number): void;
}

export const noSyncMetrics: SyncMetrics = {
  reconciled: () => undefined,
  sent: () => undefined,
  error: () => undefined,
  removed: () => undefined,
  connectedNodes: () => undefined,
};

function shared<M extends Counter<string> | Gauge<string>>(registry: Registry, name: string, make: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? make();
}

export function syncMetrics(registry: Registry): SyncMetrics {
  const registers = [registry];
  const reconciled = shared(registry, 'synccontroller_records_reconciled_total', () =>
    new Counter({ name: 'synccontroller_records_reconciled_total', help: 'ObjectSync records compared with their objects.', registers }),
  );
  const sent = shared(registry, 'synccontroller_messages_sent_total', () =>
    new Counter({ name: 'synccontroller_messages_sent_total', help: 'Updates and deletes sent to cloudhub for edge nodes.', labelNames: ['operation'], registers }),
  );
  const errors = shared(registry, 'synccontroller_errors_total', () =>
    new Counter({ name: 'synccontroller_errors_total', help: 'Records or passes that could not be reconciled, by reason.', labelNames: ['reason'], registers }),
  );
  const removed = shared(registry, 'synccontroller_records_removed_total', () =>
    new Counter({ name: 'synccontroller_records_removed_total', help: 'Records removed because their node no longer exists.', registers }),
  );
  const connected = shared(registry, 'synccontroller_connected_nodes', () =>
    new Gauge({ name: 'synccontroller_connected_nodes', help: 'Edge nodes cloudhub reported connected to this cloudcore.', registers }),
  );
  for (const operation of ['update', 'delete']) sent.labels(operation).inc(0);
  return {
    reconciled: (n) => reconciled.inc(n),
    sent: (operation) => sent.labels(operation).inc(),
    error: (reason) => errors.labels(reason).inc(),
    removed: (n) => removed.inc(n),
    connectedNodes: (n) => connected.set(n),
  };
}
