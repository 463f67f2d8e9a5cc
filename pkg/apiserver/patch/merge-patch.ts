/**
 * JSON merge patch (RFC 7386) as the API server applies `application/merge-patch+json`: with
 * gopkg.in/evanphx/json-patch.v4's MergePatch. It differs from the RFC's pseudo-code in three places, kept on purpose:
 *
 * - a patch that is `null` or a string/number/boolean is rejected (400 `Invalid JSON Patch`) instead of replacing the
 *   whole document;
 * - a value that lands where there was nothing (or null, or a non-object) has its nulls pruned, and that pruning also
 *   reaches objects inside arrays (`[{"a":null}]` lands as `[{}]`);
 * - an array or scalar that replaces an existing object is taken as sent, nulls and all.
 */
import { malformed } from './errors';
import { cloneJson, del, get, isObject, set, type JsonObject, type JsonValue } from './json';

/** The patched document; `doc` and `patch` are never modified. Throws PatchError (MALFORMED) only. */
export function applyMergePatch(doc: unknown, patch: unknown): JsonValue {
  const p = cloneJson(patch, 'merge patch');
  if (Array.isArray(p)) return pruneNulls(p);
  if (!isObject(p)) throw malformed('Invalid JSON Patch');
  const target = cloneJson(doc, 'object');
  // A document that is not an object is replaced by the (pruned) patch, as the library does.
  if (!isObject(target)) return pruneNulls(p);
  mergeInto(target, p);
  return target;
}

function mergeInto(doc: JsonObject, patch: JsonObject): void {
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === null) {
      del(doc, key);
      continue;
    }
    const current = get(doc, key);
    set(doc, key, current === undefined || current === null ? pruneNulls(value) : merge(current, value));
  }
}

function merge(current: JsonValue, patch: JsonValue): JsonValue {
  if (!isObject(current)) return pruneNulls(patch);
  if (!isObject(patch)) return patch;
  mergeInto(current, patch);
  return current;
}

/** Drops null members of objects, at any depth; null array elements stay. Mutates and returns `v`. */
function pruneNulls(v: JsonValue): JsonValue {
  if (Array.isArray(v)) {
    for (const item of v) if (item !== null) pruneNulls(item);
  } else if (isObject(v)) {
    for (const key of Object.keys(v)) {
      const member = v[key];
      if (member === null) del(v, key);
      else pruneNulls(member);
    }
  }
  return v;
}
