/** Pod predicates the controllers share (podutil and controller.FilterActivePods). */
import { parseTime } from '../../../pkg/timing/kube-time';
import type { Condition, Pod } from './types';

export const podCondition = (pod: Pod, type: string): Condition | undefined => pod.status?.conditions?.find((c) => c.type === type);

export const isPodReady = (pod: Pod): boolean => podCondition(pod, 'Ready')?.status === 'True';

/** Ready for at least minReadySeconds (podutil.IsPodAvailable). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, nowMs: number): boolean {
  const ready = podCondition(pod, 'Ready');
  if (ready?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  const since = parseTime(ready.lastTransitionTime);
  return since !== undefined && since + minReadySeconds * 1000 < nowMs;
}

export const isTerminal = (pod: Pod): boolean => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

/** Counted by controllers: not finished and not being deleted. */
export const isPodActive = (pod: Pod): boolean => !isTerminal(pod) && !pod.metadata?.deletionTimestamp;

/** When the pod became Ready, if it is. */
export function readySince(pod: Pod): number | undefined {
  const ready = podCondition(pod, 'Ready');
  return ready?.status === 'True' ? parseTime(ready.lastTransitionTime) : undefined;
}

export const restartCount = (pod: Pod): number => (pod.status?.containerStatuses ?? []).reduce((n, s) => n + (s.restartCount ?? 0), 0);
