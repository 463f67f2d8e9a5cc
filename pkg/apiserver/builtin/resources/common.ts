/** Pieces every resource definition shares: discovery verbs, registry update rules. */
import { jsonEqual } from '../../schema/schema-types';
import type { KObject } from '../types';
import { ensureObject, obj } from '../util/json';

/** The verbs discovery lists for an ordinary resource, in the real (sorted) order. */
export const STANDARD_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

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

