/**
 * `x-kubernetes-list-type: set | map` invariants (apiextensions listtype.ValidateListSetsAndMaps): set items are
 * unique, map items are objects unique by their `x-kubernetes-list-map-keys`. Each duplicate is reported once,
 * at its second occurrence.
 */
import { child, duplicate, index, invalid, key, type FieldError } from './errors';
import { goJson } from './go-format';
import { hasOwn, isObject, type Schema } from './schema-types';

export function validateListTypes(obj: unknown, schema: Schema | undefined, path = ''): FieldError[] {
  if (!schema) return [];
  const errs: FieldError[] = [];
  if (Array.isArray(obj)) {
    if (schema['x-kubernetes-list-type'] === 'set') errs.push(...validateSet(obj, path));
    if (schema['x-kubernetes-list-type'] === 'map') errs.push(...validateMap(obj, schema['x-kubernetes-list-map-keys'] ?? [], path));
    obj.forEach((item, i) => errs.push(...validateListTypes(item, schema.items, index(path, i))));
  } else if (isObject(obj)) {
    for (const [k, v] of Object.entries(obj)) {
      if (schema.properties && hasOwn(schema.properties, k)) errs.push(...validateListTypes(v, schema.properties[k], child(path, k)));
      else if (isObject(schema.additionalProperties)) errs.push(...validateListTypes(v, schema.additionalProperties as Schema, key(path, k)));
    }
  }
  return errs;
}

function validateSet(items: unknown[], path: string): FieldError[] {
  const seen = new Map<string, number>();
  const errs: FieldError[] = [];
  items.forEach((item, i) => {
    const identity = goJson(item);
    const times = seen.get(identity) ?? 0;
    seen.set(identity, times + 1);
    if (times === 1) errs.push(duplicate(index(path, i), item));
  });
  return errs;
}

function validateMap(items: unknown[], keys: readonly string[], path: string): FieldError[] {
  const seen = new Map<string, number>();
  const errs: FieldError[] = [];
  items.forEach((item, i) => {
    if (!isObject(item)) {
      errs.push(invalid(index(path, i), item, 'must be an object for an array of list-type map'));
      return;
    }
    if (Object.keys(item).length === 0) {
      errs.push(invalid(index(path, i), item, 'must contain at least one key'));
      return;
    }
    const keyFields: Record<string, unknown> = {};
    for (const k of keys) if (hasOwn(item, k)) keyFields[k] = item[k];
    const identity = goJson(keyFields);
    const times = seen.get(identity) ?? 0;
    seen.set(identity, times + 1);
    if (times === 1) errs.push(duplicate(index(path, i), keyFields));
  });
  return errs;
}
