/** Status conditions as the workload controllers set them (deploymentutil.SetDeploymentCondition and friends). */
import type { Condition } from './types';

export const getCondition = (conditions: readonly Condition[] | undefined, type: string): Condition | undefined =>
  conditions?.find((c) => c.type === type);

/**
 * Sets `condition`, replacing any of its type. An existing condition with the same status and reason is kept as it is;
 * one with the same status keeps its lastTransitionTime.
 */
export function setCondition(conditions: readonly Condition[] | undefined, condition: Condition): Condition[] {
  const current = getCondition(conditions, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return [...(conditions ?? [])];
  const next = { ...condition };
  if (current && current.status === condition.status && current.lastTransitionTime) next.lastTransitionTime = current.lastTransitionTime;
  return [...removeCondition(conditions, condition.type), next];
}

export const removeCondition = (conditions: readonly Condition[] | undefined, type: string): Condition[] =>
  (conditions ?? []).filter((c) => c.type !== type);
