/**
 * Resources embedded in a custom object (`x-kubernetes-embedded-resource: true`), e.g. a pod template: their
 * TypeMeta and ObjectMeta are validated like a top-level object's, and their metadata is decoded as ObjectMeta,
 * which drops unknown keys and adds `creationTimestamp: null` as Go's round trip through metav1.ObjectMeta does.
 * The custom object's own root metadata is left to the HTTP layer, which treats it as for any other type.
 */
import { child, index, invalid, key, required, type FieldError } from './errors';
import { isDns1035Label, isDns1123Label, isPathSegmentName } from './names';
import { hasOwn, isObject, type Schema } from './schema-types';

const OBJECT_META_FIELDS = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]);

/** Where a value sits and which schema applies to it, for every node of an object (pre-order). */
function walk(
  value: unknown,
  s: Schema | undefined,
  path: string,
  visit: (value: Record<string, unknown>, s: Schema, path: string) => void,
): void {
  if (!s) return;
  if (isObject(value)) {
    visit(value, s, path);
    for (const [k, v] of Object.entries(value)) {
      if (s.properties && hasOwn(s.properties, k)) walk(v, s.properties[k], child(path, k), visit);
      else if (isObject(s.additionalProperties)) walk(v, s.additionalProperties as Schema, key(path, k), visit);
    }
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => walk(v, s.items, index(path, i), visit));
  }
}

/** objectmeta.Validate: apiVersion and kind required and well formed, metadata names valid, below the root. */
export function validateEmbeddedResources(obj: unknown, schema: Schema | undefined): FieldError[] {
  const errs: FieldError[] = [];
  walk(obj, schema, '', (value, s, path) => {
    if (s['x-kubernetes-embedded-resource'] && path !== '') errs.push(...validateEmbedded(value, path));
  });
  return errs;
}

function validateEmbedded(x: Record<string, unknown>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!hasOwn(x, 'apiVersion')) errs.push(required(child(path, 'apiVersion')));
  if (!hasOwn(x, 'kind')) errs.push(required(child(path, 'kind')));
  for (const [k, v] of Object.entries(x)) {
    const at = child(path, k);
    if (k === 'apiVersion') {
      if (typeof v !== 'string') errs.push(invalid(at, v, 'must be a string'));
      else if (v === '') errs.push(required(at));
      else if ((v.match(/\//g) ?? []).length > 1 && v !== '/') errs.push(invalid(at, v, `unexpected GroupVersion string: ${v}`));
    } else if (k === 'kind') {
      if (typeof v !== 'string') errs.push(invalid(at, v, 'must be a string'));
      else if (v === '') errs.push(required(at));
      else {
        const problems = isDns1035Label(v.toLowerCase());
        if (problems.length > 0) errs.push(invalid(at, v, `may have mixed case, but should otherwise match: ${problems.join(',')}`));
      }
    } else if (k === 'metadata' && isObject(v)) {
      errs.push(...validateEmbeddedMeta(v, at));
    }
  }
  return errs;
}

/** The name checks of ValidateObjectMeta for embedded objects (labels and annotations are not checked here). */
function validateEmbeddedMeta(meta: Record<string, unknown>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = typeof meta.name === 'string' && meta.name !== '' ? meta.name : 'fakename';
  const generateName = typeof meta.generateName === 'string' ? meta.generateName : '';
  if (generateName) for (const p of isPathSegmentName(generateName)) errs.push(invalid(child(path, 'generateName'), generateName, p));
  for (const p of isPathSegmentName(name)) errs.push(invalid(child(path, 'name'), name, p));
  const namespace = typeof meta.namespace === 'string' ? meta.namespace : '';
  if (namespace) for (const p of isDns1123Label(namespace)) errs.push(invalid(child(path, 'namespace'), namespace, p));
  return errs;
}

/**
 * Drops unknown keys from every embedded resource's metadata (reporting them like pruned fields) and writes
 * `creationTimestamp: null` when it is missing. Mutates `obj`; callers pass a copy.
 */
export function coerceEmbeddedMetadata(obj: unknown, schema: Schema | undefined, dropped: string[]): void {
  walk(obj, schema, '', (value, s, path) => {
    if (!s['x-kubernetes-embedded-resource'] || path === '' || !isObject(value.metadata)) return;
    const meta = value.metadata;
    for (const k of Object.keys(meta)) {
      if (!OBJECT_META_FIELDS.has(k)) {
        dropped.push(`${child(path, 'metadata')}.${k}`);
        delete meta[k];
      }
    }
    if (!hasOwn(meta, 'creationTimestamp')) meta.creationTimestamp = null;
  });
}
