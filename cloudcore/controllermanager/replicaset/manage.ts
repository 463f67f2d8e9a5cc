/** Which pods a ReplicaSet deletes first when it has too many (controller.ActivePodsWithRanks). */
import { isPodReady, readySince, restartCount } from '../util/pods';
import { parseTime } from '../../../pkg/timing/kube-time';
import type { Pod } from '../util/types';

/** At most this many pods created or deleted per sync (the real controller's burstReplicas). */
export const BURST_REPLICAS = 500;

const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/**
 * The `count` pods to delete first (controller.ActivePodsWithRanks): unscheduled before scheduled, Pending before
 * Unknown before Running, not ready before ready, lower pod-deletion-cost first, pods doubled up on a node with their
 * siblings first, then the most recently ready, the most restarted and the newest.
 */
export function podsToDelete(pods: readonly Pod[], related: readonly Pod[], count: number): Pod[] {
  if (count >= pods.length) return [...pods];
  const onNode = new Map<string, number>();
  for (const pod of [...pods, ...related]) {
    const node = pod.spec.nodeName;
    if (node) onNode.set(node, (onNode.get(node) ?? 0) + 1);
  }
  const rank = (pod: Pod): number => (pod.spec.nodeName ? (onNode.get(pod.spec.nodeName) ?? 0) : 0);
  const cost = (pod: Pod): number => Number(pod.metadata?.annotations?.['controller.kubernetes.io/pod-deletion-cost'] ?? 0) || 0;
  const newerFirst = (a: number | undefined, b: number | undefined): number => {
    if (a === b) return 0;
    if (a === undefined) return -1;
    if (b === undefined) return 1;
    return b - a;
  };
  const compare = (a: Pod, b: Pod): number => {
    const aNode = a.spec.nodeName ?? '';
    const bNode = b.spec.nodeName ?? '';
    if (aNode !== bNode && (aNode === '' || bNode === '')) return aNode === '' ? -1 : 1;
    const phase = (PHASE_ORDER[a.status?.phase ?? ''] ?? 0) - (PHASE_ORDER[b.status?.phase ?? ''] ?? 0);
    if (phase !== 0) return phase;
    if (isPodReady(a) !== isPodReady(b)) return isPodReady(a) ? 1 : -1;
    if (cost(a) !== cost(b)) return cost(a) - cost(b);
    if (rank(a) !== rank(b)) return rank(b) - rank(a);
    if (isPodReady(a) && isPodReady(b)) {
      const byReady = newerFirst(readySince(a), readySince(b));
      if (byReady !== 0) return byReady;
    }
    if (restartCount(a) !== restartCount(b)) return restartCount(b) - restartCount(a);
    return newerFirst(parseTime(a.metadata?.creationTimestamp), parseTime(b.metadata?.creationTimestamp));
  };
  return [...pods].sort(compare).slice(0, count);
}
