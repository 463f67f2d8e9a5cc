/**
 * Metrics of the controllers' own decisions, on the manager's registry (the generic ones — controller_reconcile_*,
 * workqueue_*, kube_informer_* — come from pkg/kube). Names follow the Kubernetes components' where one exists.
 */
import { Counter, type Registry } from 'prom-client';

function counter(registry: Registry, name: string, help: string, labelNames: string[] = []): Counter<string> {
  return (registry.getSingleMetric(name) as Counter<string> | undefined) ?? new Counter({ name, help, labelNames, registers: [registry] });
}

export interface ControllerMetrics {
  /** scheduled | unschedulable | error, as kube-scheduler's scheduler_schedule_attempts_total. */
  scheduleAttempt(result: 'scheduled' | 'unschedulable' | 'error'): void;
  nodeMarkedUnknown(): void;
  podEvicted(): void;
  /** background | foreground | orphan: how the garbage collector deleted a dependent. */
  collected(policy: string): void;
  namespaceFinalized(): void;
}

export function controllerMetrics(registry: Registry): ControllerMetrics {
  const attempts = counter(registry, 'scheduler_schedule_attempts_total', 'Scheduling attempts by result.', ['result']);
  const unknown = counter(registry, 'node_collector_unhealthy_nodes_total', 'Nodes marked Unknown after missing their heartbeats.');
  const evictions = counter(registry, 'node_collector_evictions_total', 'Pods evicted from unreachable nodes (evictPodsOnUnreachable).');
  const collected = counter(registry, 'garbagecollector_deleted_total', 'Objects deleted because their owners are gone or deleting.', ['propagation']);
  const finalized = counter(registry, 'namespace_finalized_total', 'Namespaces emptied and finalized.');
  return {
    scheduleAttempt: (result) => attempts.inc({ result }),
    nodeMarkedUnknown: () => unknown.inc(),
    podEvicted: () => evictions.inc(),
    collected: (policy) => collected.inc({ propagation: policy.toLowerCase() }),
    namespaceFinalized: () => finalized.inc(),
  };
}
