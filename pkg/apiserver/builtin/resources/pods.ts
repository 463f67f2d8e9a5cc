/** core/v1 pods, with /status and /binding (how a scheduler assigns a pod to an edge node). */
import { forbidden, notSupported, required } from '../../schema/errors';
import { defaultPod, podQosClass } from '../defaults/pod';
import { Pod, PodList } from '../openapi/core-pod';
import { typeSchema } from '../openapi/type-schema';
import { POD_TABLE } from '../tables/pod';
import type { BuiltinDefinition, Cause, KObject } from '../types';
import { ensureObject, isObject, obj, objs, str } from '../util/json';
import { parseQuantity, QUANTITY_SYNTAX_ERROR } from '../util/quantity';
import { NAME_RULES, validateMetadata } from '../validation/meta';
import { validatePodSpec } from '../validation/pod-spec';
import { validatePodSpecUpdate } from '../validation/pod-update';
import { keepStatus, STANDARD_VERBS } from './common';

/** Quantity fields of a pod spec: a value that is not a quantity fails decoding (400) on a real server. */
export function quantityError(spec: unknown): string | undefined {
  const s = obj(spec);
  let ok = quantitiesIn(s.overhead);
  for (const field of ['containers', 'initContainers', 'ephemeralContainers'] as const) {
    for (const c of objs(s[field])) {
      const res = obj(c.resources);
      ok = ok && quantitiesIn(res.limits) && quantitiesIn(res.requests);
    }
  }
  for (const v of objs(s.volumes)) {
    if (isObject(v.emptyDir) && v.emptyDir.sizeLimit !== undefined) ok = ok && parseQuantity(v.emptyDir.sizeLimit) !== undefined;
  }
  return ok ? undefined : QUANTITY_SYNTAX_ERROR;
}

/** True when every value of the resource list (if it is one) is a quantity. */
function quantitiesIn(list: unknown): boolean {
  if (!isObject(list)) return true;
  for (const key in list) if (Object.hasOwn(list, key) && parseQuantity(list[key]) === undefined) return false;
  return true;
}

/** `ValidatePodBinding`. */
export function validateBinding(binding: KObject): Cause[] {
  const target = obj(binding.target);
  const errs: Cause[] = [];
  if (str(target.kind) && target.kind !== 'Node') errs.push(notSupported('target.kind', str(target.kind), ['Node', '<empty>']));
  if (!str(target.name)) errs.push(required('target.name'));
  return errs;
}

/**
 * What POST pods/{name}/binding does to the pod: sets the node, marks it scheduled, copies the binding's
 * annotations. Returns the reason for a 409 Conflict instead when the pod cannot be bound.
 */
export function bindPod(pod: KObject, binding: KObject, nowIso: string): { pod: KObject } | { conflict: string } {
  const meta = obj(pod.metadata);
  const spec = ensureObject(pod, 'spec');
  if (meta.deletionTimestamp) return { conflict: `pod ${str(meta.name)} is being deleted, cannot be assigned to a host` };
  if (str(spec.nodeName)) return { conflict: `pod ${str(meta.name)} is already assigned to node "${str(spec.nodeName)}"` };
  spec.nodeName = str(obj(binding.target).name);
  const annotations = obj(obj(binding.metadata).annotations);
  if (Object.keys(annotations).length > 0) ensureObject(ensureObject(pod, 'metadata'), 'annotations');
  Object.assign(obj(obj(pod.metadata).annotations), annotations);
  const status = ensureObject(pod, 'status');
  const conditions = objs(status.conditions).filter((c) => c.type !== 'PodScheduled');
  const previous = objs(status.conditions).find((c) => c.type === 'PodScheduled');
  const transition = previous?.status === 'True' ? previous.lastTransitionTime : nowIso;
  status.conditions = [...conditions, { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: transition }];
  return { pod };
}

function validatePod(pod: KObject, old: KObject | undefined): Cause[] {
  const errs = validateMetadata(pod, old, { namespaced: true, name: NAME_RULES.dnsSubdomain });
  errs.push(...validatePodSpec(pod.spec, 'spec'));
  if (old === undefined) {
    if (objs(obj(pod.spec).ephemeralContainers).length > 0) errs.push(forbidden('spec.ephemeralContainers', 'cannot be set on create'));
  } else {
    errs.push(...validatePodSpecUpdate(pod.spec, old.spec));
  }
  return errs;
}

export const pods: BuiltinDefinition = {
  group: '',
  version: 'v1',
  kind: 'Pod',
  listKind: 'PodList',
  plural: 'pods',
  singular: 'pod',
  namespaced: true,
  shortNames: ['po'],
  categories: ['all'],
  verbs: STANDARD_VERBS,
  subresources: ['status', 'binding'],
  defaults: defaultPod,
  prepareForCreate(pod) {
    pod.status = { phase: 'Pending', qosClass: podQosClass(obj(pod.spec)) };
  },
  prepareForUpdate: keepStatus,
  validate: validatePod,
  decodeError: (pod) => quantityError(pod.spec),
  table: POD_TABLE,
  openapi: typeSchema(Pod, PodList),
};
