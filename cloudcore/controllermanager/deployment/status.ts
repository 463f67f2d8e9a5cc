/**
 * Deployment status and its Available / Progressing conditions (deployment calculateStatus, syncRolloutStatus), with
 * the real reasons and messages, which `kubectl rollout status` and `kubectl describe` read.
 */
import { getCondition, removeCondition, setCondition } from '../util/conditions';
import { semanticEqual } from '../util/hash';
import { parseTime, rfc3339 } from '../../../pkg/timing/kube-time';
import type { Condition, Deployment, DeploymentStatus, ReplicaSet } from '../util/types';
import {
  actualReplicasSum,
  availableReplicasSum,
  maxUnavailable,
  readyReplicasSum,
  replicasOf,
  specReplicasSum,
} from './util';

export const REASON = {
  newRSCreated: 'NewReplicaSetCreated',
  foundNewRS: 'FoundNewReplicaSet',
  rsUpdated: 'ReplicaSetUpdated',
  newRSAvailable: 'NewReplicaSetAvailable',
  timedOut: 'ProgressDeadlineExceeded',
  failedRSCreate: 'ReplicaSetCreateError',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
  minAvailable: 'MinimumReplicasAvailable',
  minUnavailable: 'MinimumReplicasUnavailable',
} as const;

/** Only a max-int32 deadline means "no deadline"; the server defaults it to 600 s. */
export const hasProgressDeadline = (d: Deployment): boolean => (d.spec.progressDeadlineSeconds ?? 600) !== 2147483647;
const deadlineSeconds = (d: Deployment): number => d.spec.progressDeadlineSeconds ?? 600;

export function condition(type: string, status: Condition['status'], reason: string, message: string, nowMs: number): Condition {
  const now = rfc3339(nowMs);
  return { type, status, lastUpdateTime: now, lastTransitionTime: now, reason, message };
}

export function calculateStatus(allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment, nowMs: number): DeploymentStatus {
  const available = availableReplicasSum(allRSs);
  const unavailable = Math.max(0, specReplicasSum(allRSs) - available);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata?.generation ?? 0,
    replicas: actualReplicasSum(allRSs),
    updatedReplicas: actualReplicasSum([newRS]),
    readyReplicas: readyReplicasSum(allRSs),
    availableReplicas: available,
    unavailableReplicas: unavailable,
    ...(d.status?.collisionCount !== undefined ? { collisionCount: d.status.collisionCount } : {}),
    conditions: [...(d.status?.conditions ?? [])],
  };
  status.conditions =
    available >= replicasOf(d) - maxUnavailable(d)
      ? setCondition(status.conditions, condition('Available', 'True', REASON.minAvailable, 'Deployment has minimum availability.', nowMs))
      : setCondition(status.conditions, condition('Available', 'False', REASON.minUnavailable, 'Deployment does not have minimum availability.', nowMs));
  return status;
}

/** Every replica updated, available and counted, for the current generation (DeploymentComplete). */
export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const n = replicasOf(d);
  return s.updatedReplicas === n && s.replicas === n && s.availableReplicas === n && (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
}

/** More updated, fewer old, or more ready/available replicas than the last status said (DeploymentProgressing). */
function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (
    (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

function deploymentTimedOut(d: Deployment, s: DeploymentStatus, nowMs: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const progressing = getCondition(s.conditions, 'Progressing');
  if (!progressing || progressing.reason === REASON.newRSAvailable) return false;
  if (progressing.reason === REASON.timedOut) return true;
  const from = parseTime(progressing.lastUpdateTime);
  return from !== undefined && from + deadlineSeconds(d) * 1000 < nowMs;
}

/**
 * The status a rollout step leads to, Progressing included; `requeueAfterMs` when the deadline must be checked later
 * (requeueStuckDeployment). `changed` is false when the status written is already this one.
 */
export function rolloutStatus(
  allRSs: readonly (ReplicaSet | undefined)[],
  newRS: ReplicaSet | undefined,
  d: Deployment,
  nowMs: number,
): { status: DeploymentStatus; changed: boolean; requeueAfterMs?: number } {
  const status = calculateStatus(allRSs, newRS, d, nowMs);
  if (!hasProgressDeadline(d)) status.conditions = removeCondition(status.conditions, 'Progressing');
  const current = getCondition(d.status?.conditions, 'Progressing');
  const complete = status.replicas === status.updatedReplicas && current?.reason === REASON.newRSAvailable;
  if (hasProgressDeadline(d) && !complete) {
    const rsName = newRS?.metadata?.name;
    if (deploymentComplete(d, status)) {
      const message = rsName ? `ReplicaSet "${rsName}" has successfully progressed.` : `Deployment "${d.metadata?.name}" has successfully progressed.`;
      status.conditions = setCondition(status.conditions, condition('Progressing', 'True', REASON.newRSAvailable, message, nowMs));
    } else if (deploymentProgressing(d, status)) {
      const message = rsName ? `ReplicaSet "${rsName}" is progressing.` : `Deployment "${d.metadata?.name}" is progressing.`;
      const next = condition('Progressing', 'True', REASON.rsUpdated, message, nowMs);
      // Progress refreshes lastUpdateTime even with the same reason; the transition time stays while it stays True.
      if (current?.status === 'True' && current.lastTransitionTime) next.lastTransitionTime = current.lastTransitionTime;
      status.conditions = [...removeCondition(status.conditions, 'Progressing'), next];
    } else if (deploymentTimedOut(d, status, nowMs)) {
      const message = rsName ? `ReplicaSet "${rsName}" has timed out progressing.` : `Deployment "${d.metadata?.name}" has timed out progressing.`;
      status.conditions = setCondition(status.conditions, condition('Progressing', 'False', REASON.timedOut, message, nowMs));
    }
  }
  const failure = allRSs.map((rs) => getCondition(rs?.status?.conditions, 'ReplicaFailure')).find((c) => c?.status === 'True');
  status.conditions = failure
    ? setCondition(status.conditions, { ...failure, lastUpdateTime: failure.lastTransitionTime })
    : removeCondition(status.conditions, 'ReplicaFailure');
  if (status.conditions.length === 0) delete status.conditions;

  if (!sameStatus(d.status, status)) return { status, changed: true };
  // Unchanged: if it is still progressing, look again when the deadline passes.
  const progressing = getCondition(status.conditions, 'Progressing');
  if (!hasProgressDeadline(d) || !progressing || progressing.reason === REASON.timedOut || deploymentComplete(d, status)) {
    return { status, changed: false };
  }
  const updated = parseTime(progressing.lastUpdateTime) ?? nowMs;
  const after = updated + deadlineSeconds(d) * 1000 - nowMs;
  return { status, changed: false, requeueAfterMs: Math.max(after, 1000) };
}

/** Equal as far as this controller writes status; a missing number is 0, as Go's omitempty drops it. */
export function sameStatus(a: DeploymentStatus | undefined, b: DeploymentStatus): boolean {
  const view = (s: DeploymentStatus | undefined): unknown => ({
    observedGeneration: s?.observedGeneration ?? 0,
    replicas: s?.replicas ?? 0,
    updatedReplicas: s?.updatedReplicas ?? 0,
    readyReplicas: s?.readyReplicas ?? 0,
    availableReplicas: s?.availableReplicas ?? 0,
    unavailableReplicas: s?.unavailableReplicas ?? 0,
    collisionCount: s?.collisionCount ?? 0,
    conditions: s?.conditions ?? [],
  });
  return semanticEqual(view(a), view(b));
}
