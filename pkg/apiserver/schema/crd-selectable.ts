/**
 * `selectableFields` of a CRD version (ValidateCustomResourceSelectableFields): each names, by a dotted path, a
 * string, boolean or integer field outside metadata; at most 8 distinct ones. The server resolves paths with its
 * CEL field-path parser; this one resolves plain `.a.b` paths, and its "invalid path" wording is approximate.
 */
import { child, duplicate, index, invalid, required, tooMany, type FieldError } from './errors';
import { hasOwn, type Schema } from './schema-types';

const MAX_SELECTABLE_FIELDS = 8;

function resolve(jsonPath: string, schema: Schema): Schema | undefined {
  if (!jsonPath.startsWith('.')) return undefined;
  let node: Schema | undefined = schema;
  for (const part of jsonPath.slice(1).split('.')) {
    if (!node || !part || !node.properties || !hasOwn(node.properties, part)) return undefined;
    node = node.properties[part];
  }
  return node;
}

export function validateSelectableFields(fields: { jsonPath: string }[], schema: Schema | undefined, path: string): FieldError[] {
  if (fields.length === 0) return [];
  if (!schema) return [invalid(path, '', 'selectableFields may only be set when version.schema.openAPIV3Schema is not included')];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  fields.forEach((f, i) => {
    const at = child(index(path, i), 'jsonPath');
    if (!f.jsonPath) {
      errs.push(required(at));
      return;
    }
    const found = resolve(f.jsonPath, schema);
    if (!found) {
      errs.push(invalid(at, f.jsonPath, 'is an invalid path: does not refer to a valid field'));
      return;
    }
    if (f.jsonPath.split('.')[1] === 'metadata') errs.push(invalid(at, f.jsonPath, 'must not point to fields in metadata'));
    if (found.type !== 'string' && found.type !== 'boolean' && found.type !== 'integer') {
      errs.push(invalid(at, f.jsonPath, 'must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed.'));
    }
    if (seen.has(f.jsonPath)) errs.push(duplicate(at, f.jsonPath));
    seen.add(f.jsonPath);
  });
  if (seen.size > MAX_SELECTABLE_FIELDS) errs.push(tooMany(path, seen.size, MAX_SELECTABLE_FIELDS));
  return errs;
}
