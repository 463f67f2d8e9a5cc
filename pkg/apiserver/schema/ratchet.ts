/**
 * Validation ratcheting on update (CRDValidationRatcheting, on by default since 1.30): a schema error about a value
 * the update did not change is dropped, so objects stored before a schema was tightened can still be updated.
 * Approximation: values are matched by path (the server also correlates list-type=map items by key); a "Required
 * value" is matched on its parent object, since the missing field has no value of its own.
 */
import type { FieldError } from './errors';
import { hasOwn, isObject, jsonEqual } from './schema-types';

const MISSING = Symbol('missing');

/** `spec.items[0].name` -> ['spec', 'items', 0, 'name']; '' for the root. */
function segments(field: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of field.split('.')) {
    if (part === '') continue;
    const m = /^([^[]*)((\[\d+\])*)$/.exec(part);
    if (!m) return [part];
    if (m[1]) out.push(m[1]);
    for (const idx of m[2].match(/\d+/g) ?? []) out.push(Number(idx));
  }
  return out;
}

function lookup(value: unknown, path: (string | number)[]): unknown {
  let node: unknown = value;
  for (const seg of path) {
    if (typeof seg === 'number') {
      if (!Array.isArray(node) || seg >= node.length) return MISSING;
      node = node[seg];
    } else {
      if (!isObject(node) || !hasOwn(node, seg)) return MISSING;
      node = node[seg];
    }
  }
  return node;
}

/** Keeps the errors about values that changed (or cannot be found in both versions). */
export function ratchet(errors: readonly FieldError[], next: unknown, old: unknown): FieldError[] {
  return errors.filter((e) => {
    if (!e.field) return true;
    let path = segments(e.field);
    if (e.type === 'FieldValueRequired') path = path.slice(0, -1);
    const before = lookup(old, path);
    const after = lookup(next, path);
    return before === MISSING || after === MISSING || !jsonEqual(before, after);
  });
}
