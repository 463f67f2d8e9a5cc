/**
 * Strategic merge patch directives: `$patch`, `$retainKeys`, `$setElementOrder/<list>`,
 * `$deleteFromPrimitiveList/<list>`, and what becomes of patch values that are stored as sent.
 */
import { cannotMerge, malformed, type PatchError } from '../errors';
import { goString, goValue } from '../go-format';
import { del, get, has, isObject, set, type JsonObject, type JsonValue } from '../json';

export const PATCH = '$patch';
export const RETAIN_KEYS = '$retainKeys';
export const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
export const SET_ELEMENT_ORDER = '$setElementOrder';

/** The server's texts for malformed directives (k8s.io/apimachinery/pkg/util/mergepatch); all answered with 400. */
export const BAD_PRIMITIVE_LIST = 'invalid patch format of primitive list';
export const BAD_RETAIN_KEYS = 'invalid patch format of retainKeys';
export const BAD_SET_ELEMENT_ORDER = 'invalid patch format of setElementOrder list';

const isDirectiveKey = (key: string): boolean =>
  key === PATCH || key === RETAIN_KEYS || key.startsWith(DELETE_FROM_PRIMITIVE_LIST) || key.startsWith(SET_ELEMENT_ORDER);

export const badPatchType = (directive: JsonValue | undefined, m: JsonObject): PatchError =>
  cannotMerge(`unknown patch type: ${goString(directive)} in map: ${goValue(m)}`);

/** The list a `<prefix>/<list>` key names; the prefix must be followed by exactly `/`. */
export function extractKey(key: string, prefix: typeof DELETE_FROM_PRIMITIVE_LIST | typeof SET_ELEMENT_ORDER): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    throw malformed(prefix === DELETE_FROM_PRIMITIVE_LIST ? BAD_PRIMITIVE_LIST : BAD_SET_ELEMENT_ORDER);
  }
  return key.slice(slash + 1);
}

/**
 * Applies and removes `$retainKeys`: members of `original` not listed are cleared. Every non-null member the patch
 * sets must be listed. The server applies it wherever it appears, whatever the field's tags say.
 */
export function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!has(patch, RETAIN_KEYS)) return;
  const list = patch[RETAIN_KEYS];
  del(patch, RETAIN_KEYS);
  if (!Array.isArray(list)) throw malformed(BAD_RETAIN_KEYS);
  const keep = new Set(list.filter((k): k is string => typeof k === 'string'));
  for (const key of Object.keys(patch)) {
    if (patch[key] === null || key.startsWith(DELETE_FROM_PRIMITIVE_LIST) || key.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(key)) throw malformed(BAD_RETAIN_KEYS);
  }
  for (const key of Object.keys(original)) if (!keep.has(key)) del(original, key);
}

/**
 * A patch value that lands where the object had nothing (or a value of another type). The server drops its nulls
 * and every object carrying `$patch` (removeDirectives, since 1.28); the typed decode that follows drops the other
 * directive keys, so we drop them here. Undefined means "store nothing".
 */
export function added(v: JsonValue): JsonValue | undefined {
  if (Array.isArray(v)) {
    const out: JsonValue[] = [];
    for (const item of v) {
      const kept = item === null ? null : added(item);
      if (kept !== undefined) out.push(kept);
    }
    return out;
  }
  if (!isObject(v)) return v;
  if (get(v, PATCH) !== undefined && v[PATCH] !== null) return undefined;
  const out: JsonObject = {};
  for (const key of Object.keys(v)) {
    const member = v[key];
    if (member === null || isDirectiveKey(key)) continue;
    const kept = added(member);
    if (kept !== undefined) set(out, key, kept);
  }
  return out;
}

/**
 * A patch value the server stores as sent (a `$patch: replace` object, a replaced list, an appended list item).
 * Its typed decode drops directive keys and null members; we do the same so neither reaches storage.
 */
export function stored(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map((item) => (item === null ? null : stored(item)));
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const key of Object.keys(v)) {
    const member = v[key];
    if (member !== null && !isDirectiveKey(key)) set(out, key, stored(member));
  }
  return out;
}
