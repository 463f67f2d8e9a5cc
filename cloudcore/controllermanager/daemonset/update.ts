/**
 * What a DaemonSet sync decides (manage and rollingUpdate without surge) and the status it reports, as pure functions
 * over the nodes and the daemon pods by target node.
 */
import { scaledValue } from '../util/intstr';
import { isPodAvailable, isPodReady } from '../util/pods';
import { parseTime } from '../../../pkg/timing/kube-time';
import type { DaemonSet, DaemonSetStatus, Node, Pod } from '../util/types';
import { nodeShouldRunDaemonPod, REVISION_HASH_LABEL } from './placement';

export const isUpdated = (pod: Pod, hash: string): boolean => pod.metadata?.labels?.[REVISION_HASH_LABEL] === hash;

/** Oldest first; on equal times, Running before Pending (podByCreationTimestampAndPhase). */
export function oldestFirst(a: Pod, b: Pod): number {
  const ta = parseTime(a.metadata?.creationTimestamp) ?? 0;
  const tb = parseTime(b.metadata?.creationTimestamp) ?? 0;
  if (ta !== tb) return ta - tb;
  const rank = (p: Pod): number => (p.status?.phase === 'Running' ? 0 : 1);
  return rank(a) - rank(b) || ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1);
}

/** podsShouldBeOnNode over all nodes: nodes lacking a daemon pod, and pods to delete (failed, extra, misplaced). */
export function manage(ds: DaemonSet, nodes: readonly Node[], byNode: ReadonlyMap<string, Pod[]>): { nodesNeedingPods: string[]; podsToDelete: Pod[]; failed: Pod[] } {
  const nodesNeedingPods: string[] = [];
  const podsToDelete: Pod[] = [];
  const failed: Pod[] = [];
  for (const node of nodes) {
    const name = node.metadata?.name ?? '';
    const pods = byNode.get(name) ?? [];
    const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
    if (shouldRun && pods.length === 0) {
      nodesNeedingPods.push(name);
    } else if (shouldContinueRunning) {
      const running: Pod[] = [];
      for (const pod of pods) {
        if (pod.metadata?.deletionTimestamp) continue;
        if (pod.status?.phase === 'Failed') {
          failed.push(pod);
          podsToDelete.push(pod);
          continue;
        }
        running.push(pod);
      }
      // One daemon pod per node: keep the oldest.
      if (running.length > 1) podsToDelete.push(...[...running].sort(oldestFirst).slice(1));
    } else if (pods.length > 0) {
      podsToDelete.push(...pods.filter((p) => !p.metadata?.deletionTimestamp));
    }
  }
  return { nodesNeedingPods, podsToDelete, failed };
}

/**
 * rollingUpdate (maxSurge 0): old pods to delete now so that at most maxUnavailable (of the nodes that should run one,
 * rounded up) are unavailable. Old pods that are unavailable anyway go first and do not count.
 */
export function rollingUpdate(ds: DaemonSet, nodes: readonly Node[], byNode: ReadonlyMap<string, Pod[]>, hash: string, nowMs: number): Pod[] {
  const minReady = ds.spec.minReadySeconds ?? 0;
  const candidates = new Map(byNode);
  let desired = 0;
  for (const node of nodes) {
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) continue;
    desired++;
    const name = node.metadata?.name ?? '';
    if (!candidates.has(name)) candidates.set(name, []);
  }
  let maxUnavailable = scaledValue(ds.spec.updateStrategy?.rollingUpdate?.maxUnavailable, desired, true, 1);
  if (maxUnavailable === 0) maxUnavailable = 1;

  let unavailable = 0;
  const replace: Pod[] = [];
  const deletable: Pod[] = [];
  for (const pods of candidates.values()) {
    let newPod: Pod | undefined;
    let oldPod: Pod | undefined;
    let ambiguous = false;
    for (const pod of pods) {
      if (pod.metadata?.deletionTimestamp) continue;
      if (isUpdated(pod, hash)) {
        if (newPod) ambiguous = true;
        newPod = pod;
      } else {
        if (oldPod) ambiguous = true;
        oldPod = pod;
      }
    }
    if (ambiguous || (!newPod && !oldPod) || (newPod && oldPod)) {
      unavailable++; // manage creates or deletes what is needed here
    } else if (newPod) {
      if (!isPodAvailable(newPod, minReady, nowMs)) unavailable++;
    } else if (oldPod) {
      if (!isPodAvailable(oldPod, minReady, nowMs)) replace.push(oldPod);
      else if (unavailable < maxUnavailable) deletable.push(oldPod);
    }
  }
  const budget = Math.min(Math.max(0, maxUnavailable - unavailable), deletable.length);
  return [...replace, ...deletable.slice(0, budget)];
}

/** updateDaemonSetStatus's counts; observedGeneration is the caller's. */
export function calculateStatus(ds: DaemonSet, nodes: readonly Node[], byNode: ReadonlyMap<string, Pod[]>, hash: string, nowMs: number): DaemonSetStatus {
  let desired = 0;
  let current = 0;
  let misscheduled = 0;
  let ready = 0;
  let available = 0;
  let updated = 0;
  for (const node of nodes) {
    const pods = byNode.get(node.metadata?.name ?? '') ?? [];
    const { shouldRun } = nodeShouldRunDaemonPod(node, ds);
    if (!shouldRun) {
      if (pods.length > 0) misscheduled++;
      continue;
    }
    desired++;
    if (pods.length === 0) continue;
    current++;
    const pod = [...pods].sort(oldestFirst)[0]!;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, ds.spec.minReadySeconds ?? 0, nowMs)) available++;
    }
    if (isUpdated(pod, hash)) updated++;
  }
  return {
    desiredNumberScheduled: desired,
    currentNumberScheduled: current,
    numberMisscheduled: misscheduled,
    numberReady: ready,
    numberAvailable: available,
    updatedNumberScheduled: updated,
    numberUnavailable: desired - available,
  };
}
