/**
 * Kubernetes' handling of pods on a node that stopped reporting, used only with evictPodsOnUnreachable: their Ready
 * condition is set False, and those that do not tolerate the node's NoExecute taints are deleted once their
 * tolerationSeconds run out. A pod with no toleration for not-ready/unreachable gets the 300 s that Kubernetes'
 * DefaultTolerationSeconds admission plugin would have given it (this API server does not add it).
 */
import { isNotFound, type ResourceClient } from '../../../pkg/kube';
import type { EventRecorder } from '../events/recorder';
import { isTerminal, podCondition } from '../util/pods';
import { TAINT_NOT_READY, TAINT_UNREACHABLE, tolerates } from '../util/taints';
import { parseTime, rfc3339 } from '../../../pkg/timing/kube-time';
import type { Node, Pod, Toleration } from '../util/types';

export const DEFAULT_TOLERATION_SECONDS = 300;

export interface EvictionDeps {
  pods: ResourceClient<Pod>;
  recorder: EventRecorder;
  evicted(): void;
}

/** MarkPodsNotReady: Ready=False on every pod of the node that still says True. */
export async function markPodsNotReady(deps: EvictionDeps, pods: readonly Pod[], nowMs: number, signal: AbortSignal): Promise<void> {
  for (const pod of pods) {
    const ready = podCondition(pod, 'Ready');
    if (isTerminal(pod) || ready?.status !== 'True') continue;
    const condition = { ...ready, status: 'False', lastTransitionTime: rfc3339(nowMs) };
    try {
      await deps.pods.patch(pod.metadata?.name ?? '', { status: { conditions: [condition] } }, {
        type: 'strategic',
        subresource: 'status',
        namespace: pod.metadata?.namespace,
        signal,
      });
      deps.recorder.event(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}

/** The pod's tolerations, with DefaultTolerationSeconds' 300 s for not-ready/unreachable when it has none of its own. */
function effectiveTolerations(pod: Pod): Toleration[] {
  const own = pod.spec.tolerations ?? [];
  const out = [...own];
  for (const key of [TAINT_NOT_READY, TAINT_UNREACHABLE]) {
    if (!own.some((t) => tolerates(t, { key, effect: 'NoExecute' }))) {
      out.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS });
    }
  }
  return out;
}

/**
 * Deletes the pods whose toleration of the node's NoExecute taints has run out; returns the milliseconds until the
 * next one runs out, if any is pending.
 */
export async function evictPods(deps: EvictionDeps, node: Node, pods: readonly Pod[], nowMs: number, signal: AbortSignal): Promise<number | undefined> {
  const taints = (node.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
  if (taints.length === 0) return undefined;
  let next: number | undefined;
  for (const pod of pods) {
    if (isTerminal(pod) || pod.metadata?.deletionTimestamp) continue;
    const tolerations = effectiveTolerations(pod);
    let deadline = Infinity;
    for (const taint of taints) {
      const matching = tolerations.filter((t) => tolerates(t, taint));
      if (matching.length === 0) {
        deadline = -Infinity;
        break;
      }
      const seconds = Math.min(...matching.map((t) => t.tolerationSeconds ?? Infinity));
      const added = parseTime(taint.timeAdded) ?? nowMs;
      deadline = Math.min(deadline, added + Math.max(0, seconds) * 1000);
    }
    if (deadline === Infinity) continue;
    if (deadline > nowMs) {
      next = Math.min(next ?? Infinity, deadline - nowMs);
      continue;
    }
    try {
      deps.recorder.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${pod.metadata?.namespace}/${pod.metadata?.name}`);
      await deps.pods.delete(pod.metadata?.name ?? '', { namespace: pod.metadata?.namespace, signal });
      deps.evicted();
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  return next;
}
