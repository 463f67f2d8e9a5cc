/**
 * Where daemon pods belong (NodeShouldRunDaemonPod) and what they look like: the template with the tolerations every
 * daemon pod gets, the `controller-revision-hash` label and a required node affinity on `metadata.name`, so that the
 * scheduler (as in Kubernetes) places each pod on its node.
 */
import { requiredNodeAffinity, type PodPlacement } from '../../../pkg/apiserver/selectors';
import {
  isScheduleTaint,
  TAINT_DISK_PRESSURE,
  TAINT_MEMORY_PRESSURE,
  TAINT_NETWORK_UNAVAILABLE,
  TAINT_NOT_READY,
  TAINT_PID_PRESSURE,
  TAINT_UNREACHABLE,
  TAINT_UNSCHEDULABLE,
  untoleratedTaint,
} from '../util/taints';
import type { DaemonSet, Node, Pod, PodSpec, PodTemplateSpec, Toleration } from '../util/types';

/**
 * Stands in for the ControllerRevision hash (ControllerRevisions are not served by the embedded API server): the
 * template hash, as a Deployment's pod-template-hash.
 */
export const REVISION_HASH_LABEL = 'controller-revision-hash';

/** AddOrUpdateDaemonPodTolerations: daemon pods survive node problems and cordons. */
export function withDaemonTolerations(spec: PodSpec): PodSpec {
  const wanted: Toleration[] = [
    { key: TAINT_NOT_READY, operator: 'Exists', effect: 'NoExecute' },
    { key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute' },
    { key: TAINT_DISK_PRESSURE, operator: 'Exists', effect: 'NoSchedule' },
    { key: TAINT_MEMORY_PRESSURE, operator: 'Exists', effect: 'NoSchedule' },
    { key: TAINT_PID_PRESSURE, operator: 'Exists', effect: 'NoSchedule' },
    { key: TAINT_UNSCHEDULABLE, operator: 'Exists', effect: 'NoSchedule' },
    ...(spec.hostNetwork ? [{ key: TAINT_NETWORK_UNAVAILABLE, operator: 'Exists' as const, effect: 'NoSchedule' as const }] : []),
  ];
  const tolerations = [...(spec.tolerations ?? [])];
  for (const t of wanted) {
    const same = (o: Toleration): boolean => o.key === t.key && (o.operator ?? 'Equal') === t.operator && (o.value ?? '') === '' && o.effect === t.effect;
    const i = tolerations.findIndex(same);
    if (i >= 0) tolerations[i] = t;
    else tolerations.push(t);
  }
  return { ...spec, tolerations };
}

/** The template daemon pods are made from: daemon tolerations and the revision hash label. */
export function daemonTemplate(ds: DaemonSet, hash: string): PodTemplateSpec {
  const template = structuredClone(ds.spec.template);
  template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: hash } };
  template.spec = withDaemonTolerations(template.spec);
  return template;
}

/** ReplaceDaemonSetPodNodeNameNodeAffinity: the pod may only go to `nodeName`. */
export function pinToNode(pod: Pod, nodeName: string): Pod {
  const affinity = { ...(pod.spec.affinity ?? {}) };
  affinity.nodeAffinity = {
    ...(affinity.nodeAffinity ?? {}),
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }],
    },
  };
  return { ...pod, spec: { ...pod.spec, affinity } };
}

/** The node a daemon pod is for: where it runs, or the node its affinity pins it to (GetTargetNodeName). */
export function targetNode(pod: Pod): string | undefined {
  if (pod.spec.nodeName) return pod.spec.nodeName;
  for (const term of pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const field of term.matchFields ?? []) {
      if (field.key === 'metadata.name' && field.operator === 'In' && field.values?.length === 1) return field.values[0];
    }
  }
  return undefined;
}

/**
 * NodeShouldRunDaemonPod: `shouldRun` when a daemon pod belongs there (node name, affinity and NoSchedule/NoExecute
 * taints allow it); `shouldContinueRunning` when one already there may stay (only NoExecute taints count).
 */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): { shouldRun: boolean; shouldContinueRunning: boolean } {
  const spec = withDaemonTolerations(ds.spec.template.spec);
  const name = node.metadata?.name ?? '';
  if (spec.nodeName && spec.nodeName !== name) return { shouldRun: false, shouldContinueRunning: false };
  if (!requiredNodeAffinity(spec as PodPlacement).matches(node as never)) return { shouldRun: false, shouldContinueRunning: false };
  const taints = node.spec?.taints ?? [];
  if (untoleratedTaint(taints, spec.tolerations, isScheduleTaint)) {
    const noExecute = untoleratedTaint(taints, spec.tolerations, (t) => t.effect === 'NoExecute');
    return { shouldRun: false, shouldContinueRunning: !noExecute };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}
