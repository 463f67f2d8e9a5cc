/** ReplicaSet status (replicaset.calculateStatus and updateReplicaSetStatus). */
import { labelSelectorFromSet } from '../../../pkg/apiserver/selectors';
import { isConflict, type ResourceClient } from '../../../pkg/kube';
import { getCondition, removeCondition, setCondition } from '../util/conditions';
import { semanticEqual } from '../util/hash';
import { isPodAvailable, isPodReady } from '../util/pods';
import { rfc3339 } from '../../../pkg/timing/kube-time';
import type { Pod, ReplicaSet } from '../util/types';
import { apiMessage } from '../util/pod-control';

export type ReplicaSetStatus = NonNullable<ReplicaSet['status']>;

export function calculateStatus(rs: ReplicaSet, pods: readonly Pod[], manageError: unknown, nowMs: number): ReplicaSetStatus {
  const templateLabels = labelSelectorFromSet(rs.spec.template.metadata?.labels);
  const minReadySeconds = rs.spec.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of pods) {
    if (templateLabels.matches(pod.metadata?.labels ?? {})) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReadySeconds, nowMs)) available++;
    }
  }
  let conditions = rs.status?.conditions;
  const failure = getCondition(conditions, 'ReplicaFailure');
  if (manageError !== undefined && !failure) {
    const diff = pods.length - (rs.spec.replicas ?? 1);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    const now = rfc3339(nowMs);
    conditions = setCondition(conditions, { type: 'ReplicaFailure', status: 'True', reason, message: apiMessage(manageError), lastTransitionTime: now });
  } else if (manageError === undefined && failure) {
    conditions = removeCondition(conditions, 'ReplicaFailure');
  }
  return {
    replicas: pods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.metadata?.generation ?? 0,
    ...(conditions && conditions.length > 0 ? { conditions } : {}),
  };
}

/** Writes the status if it changed; on a conflict, once more over a fresh read. Returns the ReplicaSet as written. */
export async function updateStatus(client: ResourceClient<ReplicaSet>, rs: ReplicaSet, status: ReplicaSetStatus, signal: AbortSignal): Promise<ReplicaSet> {
  const same = (a: ReplicaSetStatus | undefined): boolean =>
    (a?.replicas ?? 0) === status.replicas &&
    (a?.fullyLabeledReplicas ?? 0) === status.fullyLabeledReplicas &&
    (a?.readyReplicas ?? 0) === status.readyReplicas &&
    (a?.availableReplicas ?? 0) === status.availableReplicas &&
    (a?.observedGeneration ?? 0) === status.observedGeneration &&
    semanticEqual(a?.conditions, status.conditions);
  if (same(rs.status)) return rs;
  try {
    return await client.updateStatus({ ...rs, status }, { signal });
  } catch (error) {
    if (!isConflict(error)) throw error;
    const fresh = await client.get(rs.metadata?.name ?? '', { namespace: rs.metadata?.namespace, signal });
    if (fresh.metadata?.uid !== rs.metadata?.uid) return fresh;
    return client.updateStatus({ ...fresh, status }, { signal });
  }
}
