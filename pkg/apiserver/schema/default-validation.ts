/**
 * Checks on `default` values when a CRD is created or updated (apiextensions defaulting.ValidateDefaults): a
 * default must not carry fields its schema would prune, and must itself validate against its node's schema.
 * The default is validated as a value at kube-openapi path '' (hence messages such as
 * `...properties[replicas].default: Invalid value: "string":  in body must be of type integer: "string"`).
 * Defaults inside embedded resources' apiVersion/kind/metadata are not checked here.
 */
import { child, invalid, key, type FieldError } from './errors';
import { hasDefault } from './defaulting';
import { toFieldErrors } from './openapi-errors';
import { pruneFields } from './prune';
import { jsonEqual, type Schema } from './schema-types';
import type { ValueValidator } from './validate-value';

const META_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

export function validateSchemaDefaults(root: Schema, path: string, validator: ValueValidator): FieldError[] {
  const errs: FieldError[] = [];
  visit({ ...root, 'x-kubernetes-embedded-resource': true }, path, false, validator, errs);
  return errs;
}

function visit(s: Schema, path: string, insideMeta: boolean, validator: ValueValidator, errs: FieldError[]): void {
  const embedded = !!s['x-kubernetes-embedded-resource'];
  if (embedded) insideMeta = false;
  if (hasDefault(s) && !insideMeta) {
    const at = child(path, 'default');
    const pruned = pruneFields(s.default, s, { isResourceRoot: embedded }).value;
    if (!jsonEqual(pruned, s.default)) errs.push(invalid(at, s.default, 'must not have unknown fields'));
    errs.push(...toFieldErrors(validator.validate(s, s.default), at));
  }
  if (s.items) visit(s.items, child(path, 'items'), insideMeta, validator, errs);
  for (const [k, sub] of Object.entries(s.properties ?? {})) {
    visit(sub, key(child(path, 'properties'), k), insideMeta || (embedded && META_FIELDS.has(k)), validator, errs);
  }
}
