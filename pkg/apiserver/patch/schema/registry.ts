/**
 * Which patch schema the server uses for a kind. Every built-in kind accepts strategic merge patch (at least its
 * ObjectMeta has keyed lists); a group that is not built in is a custom resource, which the server refuses with 415.
 */
import { CORE_KINDS, METADATA_ONLY, OBJECT_META, POD_TEMPLATE_SPEC } from './core';
import { REPLACE, mergeList, object, type PatchSchema } from './types';

/** Workloads: the pod template and the status conditions. Deployment's `strategy` is retainKeys, a client-side tag. */
export const WORKLOAD: PatchSchema = {
  metadata: object(OBJECT_META),
  spec: object({ template: object(POD_TEMPLATE_SPEC) }),
  status: object({ conditions: mergeList('type') }),
};

const CRON_JOB: PatchSchema = {
  metadata: object(OBJECT_META),
  spec: object({ jobTemplate: object({ metadata: object(OBJECT_META), spec: object({ template: object(POD_TEMPLATE_SPEC) }) }) }),
};

const WEBHOOK_CONFIGURATION: PatchSchema = {
  metadata: object(OBJECT_META),
  webhooks: mergeList('name', { matchConditions: mergeList('name') }),
};

const KINDS: Readonly<Record<string, Readonly<Record<string, PatchSchema>>>> = {
  '': CORE_KINDS,
  apps: { Deployment: WORKLOAD, ReplicaSet: WORKLOAD, DaemonSet: WORKLOAD, StatefulSet: WORKLOAD },
  batch: { Job: WORKLOAD, CronJob: CRON_JOB },
  autoscaling: {
    HorizontalPodAutoscaler: { metadata: object(OBJECT_META), status: object({ conditions: mergeList('type') }) },
  },
  policy: {
    // PodDisruptionBudgetSpec.Selector: patchStrategy:"replace".
    PodDisruptionBudget: {
      metadata: object(OBJECT_META),
      spec: object({ selector: REPLACE }),
      status: object({ conditions: mergeList('type') }),
    },
  },
  'admissionregistration.k8s.io': {
    MutatingWebhookConfiguration: WEBHOOK_CONFIGURATION,
    ValidatingWebhookConfiguration: WEBHOOK_CONFIGURATION,
  },
  'storage.k8s.io': { CSINode: { metadata: object(OBJECT_META), spec: object({ drivers: mergeList('name') }) } },
};

/** API groups served by kube-apiserver itself; anything else is a custom resource or an aggregated API. */
export const BUILT_IN_GROUPS: ReadonlySet<string> = new Set([
  '',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'apiregistration.k8s.io',
  'apps',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'autoscaling',
  'batch',
  'certificates.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'internal.apiserver.k8s.io',
  'networking.k8s.io',
  'node.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'resource.k8s.io',
  'scheduling.k8s.io',
  'storage.k8s.io',
  'storagemigration.k8s.io',
]);

/**
 * The schema for `group`/`kind` (the version does not change these tags), or undefined when the server has none:
 * hand that to applyStrategicMergePatch and it answers 415 like the real server does for custom resources.
 */
export function strategicMergeSchemaFor(gk: { group: string; kind: string }): PatchSchema | undefined {
  if (!BUILT_IN_GROUPS.has(gk.group)) return undefined;
  const kinds = Object.hasOwn(KINDS, gk.group) ? KINDS[gk.group] : undefined;
  return kinds !== undefined && Object.hasOwn(kinds, gk.kind) ? kinds[gk.kind] : METADATA_ONLY;
}
