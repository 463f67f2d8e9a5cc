/** Pieces every resource definition shares: discovery verbs, metadata field labels, registry update rules. */
import { jsonEqual } from '../../schema/schema-types';
import type { KObject } from '../types';
import { ensureObject, obj, str } from '../util/json';

/** The verbs discovery lists for an ordinary resource, in the real (sorted) order. */
export const STANDARD_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** `generic.ObjectMetaFieldsSet`: every type can be selected by name, namespaced ones by namespace too. */
export function metaFields(o: KObject, namespaced: boolean): Record<string, string> {
  const meta = obj(o.metadata);
  return namespaced ? { 'metadata.name': str(meta.name), 'metadata.namespace': str(meta.namespace) } : { 'metadata.name': str(meta.name) };
}

/** Types with a status subresource ignore status changes made through the main resource. */
export function keepStatus(next: KObject, old: KObject): void {
  if (old.status === undefined) delete next.status;
  else next.status = structuredClone(old.status);
}

/**
 * Generation: 1 on create, and one more whenever the spec changes (Deployments count annotation changes too,
 * since they are copied to ReplicaSets). Controllers compare it with status.observedGeneration.
 */
export function bumpGeneration(next: KObject, old: KObject, alsoAnnotations = false): void {
  const meta = ensureObject(next, 'metadata');
  const oldMeta = obj(old.metadata);
  const previous = typeof oldMeta.generation === 'number' ? oldMeta.generation : 1;
  const changed = !jsonEqual(next.spec ?? null, old.spec ?? null) || (alsoAnnotations && !jsonEqual(meta.annotations ?? {}, oldMeta.annotations ?? {}));
  meta.generation = changed ? previous + 1 : previous;
}

export function firstGeneration(o: KObject): void {
  ensureObject(o, 'metadata').generation = 1;
}

