/**
 * Pure pieces of node lifecycle: the conditions of a node that stopped reporting, and the taints a node's conditions
 * call for (taint-by-condition NoSchedule taints and the not-ready/unreachable NoExecute taints).
 */
import {
  TAINT_DISK_PRESSURE,
  TAINT_MEMORY_PRESSURE,
  TAINT_NETWORK_UNAVAILABLE,
  TAINT_NOT_READY,
  TAINT_PID_PRESSURE,
  TAINT_UNREACHABLE,
  TAINT_UNSCHEDULABLE,
  sameTaint,
} from '../util/taints';
import { rfc3339 } from '../../../pkg/timing/kube-time';
import type { Condition, Node, Taint } from '../util/types';

/** The conditions the node's agent reports and the controller turns Unknown when it goes silent. */
const REPORTED = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

/**
 * The node's conditions once its agent is considered gone: each reported condition Unknown/NodeStatusUnknown (those
 * never reported: NodeStatusNeverUpdated), keeping lastHeartbeatTime. Undefined when they already are.
 */
export function unknownConditions(node: Node, nowMs: number): Condition[] | undefined {
  const conditions = [...(node.status?.conditions ?? [])];
  let changed = false;
  const now = rfc3339(nowMs);
  for (const type of REPORTED) {
    const i = conditions.findIndex((c) => c.type === type);
    const current = conditions[i];
    if (!current) {
      conditions.push({
        type,
        status: 'Unknown',
        reason: 'NodeStatusNeverUpdated',
        message: 'Kubelet never posted node status.',
        lastHeartbeatTime: node.metadata?.creationTimestamp ?? now,
        lastTransitionTime: now,
      });
      changed = true;
    } else if (current.status !== 'Unknown') {
      conditions[i] = { ...current, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: now };
      changed = true;
    }
  }
  return changed ? conditions : undefined;
}

/** Taints this controller owns: key and effect. Any other taint on the node is left alone. */
const MANAGED: readonly Taint[] = [
  { key: TAINT_NOT_READY, effect: 'NoSchedule' },
  { key: TAINT_NOT_READY, effect: 'NoExecute' },
  { key: TAINT_UNREACHABLE, effect: 'NoSchedule' },
  { key: TAINT_UNREACHABLE, effect: 'NoExecute' },
  { key: TAINT_MEMORY_PRESSURE, effect: 'NoSchedule' },
  { key: TAINT_DISK_PRESSURE, effect: 'NoSchedule' },
  { key: TAINT_PID_PRESSURE, effect: 'NoSchedule' },
  { key: TAINT_NETWORK_UNAVAILABLE, effect: 'NoSchedule' },
  { key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' },
];

/** The managed taints the node's conditions and spec call for. */
export function wantedTaints(node: Node): Taint[] {
  const status = (type: string): string | undefined => node.status?.conditions?.find((c) => c.type === type)?.status;
  const want: Taint[] = [];
  const ready = status('Ready');
  if (ready === 'False') want.push({ key: TAINT_NOT_READY, effect: 'NoSchedule' }, { key: TAINT_NOT_READY, effect: 'NoExecute' });
  if (ready === 'Unknown') want.push({ key: TAINT_UNREACHABLE, effect: 'NoSchedule' }, { key: TAINT_UNREACHABLE, effect: 'NoExecute' });
  if (status('MemoryPressure') === 'True') want.push({ key: TAINT_MEMORY_PRESSURE, effect: 'NoSchedule' });
  if (status('DiskPressure') === 'True') want.push({ key: TAINT_DISK_PRESSURE, effect: 'NoSchedule' });
  if (status('PIDPressure') === 'True') want.push({ key: TAINT_PID_PRESSURE, effect: 'NoSchedule' });
  if (status('NetworkUnavailable') === 'True') want.push({ key: TAINT_NETWORK_UNAVAILABLE, effect: 'NoSchedule' });
  if (node.spec?.unschedulable) want.push({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
  return want;
}

/** The node's taints with the managed ones made to match `want` (NoExecute taints stamped with timeAdded); undefined if no change. */
export function reconcileTaints(node: Node, want: readonly Taint[], nowMs: number): Taint[] | undefined {
  const current = node.spec?.taints ?? [];
  const managed = (t: Taint): boolean => MANAGED.some((m) => sameTaint(m, t));
  const kept = current.filter((t) => !managed(t) || want.some((w) => sameTaint(w, t)));
  const added = want
    .filter((w) => !current.some((t) => sameTaint(t, w)))
    .map((w) => (w.effect === 'NoExecute' ? { ...w, timeAdded: rfc3339(nowMs) } : { ...w }));
  if (added.length === 0 && kept.length === current.length) return undefined;
  return [...kept, ...added];
}
