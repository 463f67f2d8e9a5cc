/**
 * `application/strategic-merge-patch+json` as the API server applies it to built-in types. What `kubectl apply`
 * (client-side), `kubectl patch`, `kubectl edit` and the controllers send all goes through here.
 */
import { cannotMerge, malformed, strategicMergeUnsupported } from '../errors';
import { cloneJson, isObject, jsonKind, type JsonObject } from '../json';
import type { PatchSchema } from '../schema/types';
import { mergeMap } from './merge';

/**
 * The patched object; `doc` and `patch` are never modified. `schema` is the type's patch metadata; pass `undefined`
 * for a type without one (a custom resource) to get the server's 415 UNSUPPORTED. Throws PatchError only.
 */
export function applyStrategicMergePatch(doc: unknown, patch: unknown, schema: PatchSchema | undefined): JsonObject {
  if (schema === undefined) throw strategicMergeUnsupported();
  const p = cloneJson(patch, 'strategic merge patch');
  const original = cloneJson(doc, 'object');
  if (!isObject(original)) throw cannotMerge(`expected a map[string]interface {} to patch, got ${jsonKind(original)}`);
  // The server decodes the body into a map: `null` leaves it empty, anything else but an object fails.
  if (p === null) return original;
  if (!isObject(p)) throw malformed(`json: cannot unmarshal ${jsonKind(p)} into Go value of type map[string]interface {}`);
  return mergeMap(original, p, schema);
}
