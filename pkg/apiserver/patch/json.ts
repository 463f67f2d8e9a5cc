/**
 * JSON values as the patch code sees them, and the few safe operations on them. Objects are plain objects whose keys
 * may be anything a client sends (`__proto__`, `constructor`), so every access goes through `has`/`get`/`set`.
 */
import { malformed } from './errors';

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/**
 * Deeper than any real Kubernetes object (they stay under ~30 levels); the bound keeps recursion off the stack limit.
 * Go's decoder allows 10000, which we cannot recurse through safely.
 */
export const MAX_DEPTH = 512;

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export const has = (o: JsonObject, key: string): boolean => Object.hasOwn(o, key);

export const get = (o: JsonObject, key: string): JsonValue | undefined => (Object.hasOwn(o, key) ? o[key] : undefined);

/** Assigns an own, enumerable property even for `__proto__`, which plain assignment would treat as the prototype. */
export function set(o: JsonObject, key: string, value: JsonValue): void {
  if (key === '__proto__') {
    Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    o[key] = value;
  }
}

export function del(o: JsonObject, key: string): void {
  if (Object.hasOwn(o, key)) delete o[key];
}

/**
 * A deep copy of `value`, checked to be JSON: plain objects, arrays, strings, finite numbers, booleans and null.
 * Undefined members are left out and undefined elements become null, as JSON.stringify does. Anything else
 * (functions, class instances, cycles, NaN) or nesting beyond MAX_DEPTH is MALFORMED.
 */
export function cloneJson(value: unknown, what: string): JsonValue {
  return copy(value, what, 0);
}

function copy(v: unknown, what: string, depth: number): JsonValue {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw malformed(`${what} is not valid JSON: ${v} is not a JSON number`);
    return v;
  }
  if (depth >= MAX_DEPTH) throw malformed(`${what} is nested more than ${MAX_DEPTH} levels deep`);
  if (Array.isArray(v)) return Array.from(v, (item: unknown) => (item === undefined ? null : copy(item, what, depth + 1)));
  if (typeof v === 'object') {
    // A plain object from any realm (structuredClone and test sandboxes make objects of another realm's Object).
    const proto: unknown = Object.getPrototypeOf(v);
    const plain = proto === null || Object.getPrototypeOf(proto) === null;
    if (!plain || Object.prototype.toString.call(v) !== '[object Object]') {
      throw malformed(`${what} is not valid JSON: not a plain object`);
    }
    const out: JsonObject = {};
    for (const key of Object.keys(v)) {
      const member = (v as Record<string, unknown>)[key];
      if (member !== undefined) set(out, key, copy(member, what, depth + 1));
    }
    return out;
  }
  throw malformed(`${what} is not valid JSON: found a value of type ${typeof v}`);
}

/** Structural equality; object key order does not matter. */
export function deepEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => has(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** The word Go's encoding/json uses for a JSON value in "cannot unmarshal X into ..." errors. */
export function jsonKind(v: JsonValue): 'object' | 'array' | 'string' | 'number' | 'bool' | 'null' {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'string' ? 'string' : 'number';
}
