/**
 * Defaulting (apiextensions defaulting.PruneNonNullableNullsWithoutDefaults + Default): a `null` where the schema
 * is not nullable is dropped unless the field has a default, then missing (or such null) fields with a `default`
 * get a copy of it, top-down, so defaults inside a defaulted object apply too.
 *
 * The real server does this when it decodes a request body (create, update, patch result) and again whenever it
 * reads an object from storage, so a default added to a CRD later shows up on old objects. Non-mutating.
 */
import { deepCopy, hasOwn, isObject, setOwn, type Schema } from './schema-types';

const extraSchema = (s: Schema | undefined): Schema | undefined =>
  s && isObject(s.additionalProperties) ? (s.additionalProperties as Schema) : undefined;

function fieldSchema(s: Schema | undefined, k: string): Schema | undefined {
  if (!s) return undefined;
  if (s.properties && hasOwn(s.properties, k)) return s.properties[k];
  return extraSchema(s);
}

/** A `default: null` is no default: the server's structural schema keeps only non-null defaults. */
export const hasDefault = (s: Schema | undefined): s is Schema & { default: NonNullable<Schema['default']> } =>
  s !== undefined && s.default !== undefined && s.default !== null;

const isNonNullableNull = (x: unknown, s: Schema | undefined): boolean => x === null && s !== undefined && !s.nullable;

function pruneNulls(x: unknown, s: Schema | undefined): void {
  if (isObject(x)) {
    for (const k of Object.keys(x)) {
      const sub = fieldSchema(s, k);
      if (isNonNullableNull(x[k], sub) && !hasDefault(sub)) delete x[k];
      else pruneNulls(x[k], sub);
    }
  } else if (Array.isArray(x)) {
    for (const item of x) pruneNulls(item, s?.items);
  }
}

function applyDefaults(x: unknown, s: Schema | undefined): void {
  if (!s) return;
  if (isObject(x)) {
    for (const [k, prop] of Object.entries(s.properties ?? {})) {
      if (hasDefault(prop) && (!hasOwn(x, k) || isNonNullableNull(x[k], prop))) setOwn(x, k, deepCopy(prop.default));
    }
    for (const k of Object.keys(x)) {
      if (s.properties && hasOwn(s.properties, k)) {
        applyDefaults(x[k], s.properties[k]);
      } else {
        const extra = extraSchema(s);
        if (!extra) continue;
        if (isNonNullableNull(x[k], extra) && hasDefault(extra)) setOwn(x, k, deepCopy(extra.default));
        applyDefaults(x[k], extra);
      }
    }
  } else if (Array.isArray(x)) {
    x.forEach((item, i) => {
      if (isNonNullableNull(item, s.items) && hasDefault(s.items)) x[i] = deepCopy(s.items.default);
      applyDefaults(x[i], s.items);
    });
  }
}

/** Returns a defaulted copy of `obj` (non-nullable nulls without a default removed first). */
export function applySchemaDefaults(obj: unknown, schema: Schema | undefined): unknown {
  const value = deepCopy(obj);
  if (!schema) return value;
  pruneNulls(value, schema);
  applyDefaults(value, schema);
  return value;
}
