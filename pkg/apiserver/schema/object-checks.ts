/**
 * The checks of apiextensions' customResourceValidator around the schema: TypeMeta (kind and apiVersion must be the
 * endpoint's), the name and namespace parts of ObjectMeta, and the /scale replica fields.
 */
import type { ScaleSubresource } from './crd-types';
import { forbidden, invalid, required, type FieldError } from './errors';
import { goTypeName, goValue, isInt64 } from './go-format';
import { isDns1123Label, isDns1123Subdomain } from './names';
import { hasOwn, isObject } from './schema-types';

const MAX_INT32 = 2147483647;

export interface ResourceIdentity {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

/** Errors here make the server skip every other check. */
export function validateTypeMeta(obj: Record<string, unknown>, id: ResourceIdentity): FieldError[] {
  const errs: FieldError[] = [];
  const kind = typeof obj.kind === 'string' ? obj.kind : '';
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  if (kind !== id.kind) errs.push(invalid('kind', kind, `must be ${id.kind}`));
  if (apiVersion !== `${id.group}/${id.version}`) errs.push(invalid('apiVersion', apiVersion, `must be ${id.group}/${id.version}`));
  return errs;
}

/**
 * The name (a DNS-1123 subdomain) and namespace (required for namespaced resources, a DNS-1123 label; forbidden
 * otherwise). The rest of ObjectMeta (labels, annotations, owner references, finalizers, generation) is generic and
 * checked by the HTTP layer for every type.
 */
export function validateObjectMetaNames(obj: Record<string, unknown>, namespaced: boolean): FieldError[] {
  const meta = isObject(obj.metadata) ? obj.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  const namespace = typeof meta.namespace === 'string' ? meta.namespace : '';
  const errs: FieldError[] = [];
  if (!name) errs.push(required('metadata.name', 'name or generateName is required'));
  else for (const p of isDns1123Subdomain(name)) errs.push(invalid('metadata.name', name, p));
  if (namespaced) {
    if (!namespace) errs.push(required('metadata.namespace'));
    else for (const p of isDns1123Label(namespace)) errs.push(invalid('metadata.namespace', namespace, p));
  } else if (namespace) {
    errs.push(forbidden('metadata.namespace', 'not allowed on this type'));
  }
  return errs;
}

type Nested = { found: boolean; value?: unknown; error?: string };

/** unstructured.NestedFieldNoCopy plus the type check of NestedInt64/NestedString. */
function nested(obj: Record<string, unknown>, jsonPath: string, expected: 'int64' | 'string'): Nested {
  const fields = jsonPath.replace(/^\./, '').split('.');
  let current: unknown = obj;
  for (let i = 0; i < fields.length; i++) {
    if (!isObject(current)) {
      const at = `.${fields.slice(0, i).join('.')}`;
      return { found: false, error: `${at} accessor error: ${goValue(current)} is of the type ${goTypeName(current)}, expected map[string]interface{}` };
    }
    if (!hasOwn(current, fields[i])) return { found: false };
    current = current[fields[i]];
  }
  const ok = expected === 'int64' ? typeof current === 'number' && isInt64(current) : typeof current === 'string';
  if (!ok) return { found: false, error: `.${fields.join('.')} accessor error: ${goValue(current)} is of the type ${goTypeName(current)}, expected ${expected}` };
  return { found: true, value: current };
}

function replicas(obj: Record<string, unknown>, path: string): FieldError[] {
  const r = nested(obj, path, 'int64');
  if (r.error) return [invalid(path, 0, r.error)];
  const n = typeof r.value === 'number' ? r.value : 0;
  if (n < 0) return [invalid(path, n, 'should be a non-negative integer')];
  if (n > MAX_INT32) return [invalid(path, n, `should be less than or equal to ${MAX_INT32}`)];
  return [];
}

/** The spec replicas path of /scale must hold a non-negative int32 when present. The error path is the raw JSONPath. */
export function validateScaleSpec(obj: Record<string, unknown>, scale: ScaleSubresource | undefined): FieldError[] {
  return scale ? replicas(obj, scale.specReplicasPath) : [];
}

export function validateScaleStatus(obj: Record<string, unknown>, scale: ScaleSubresource | undefined): FieldError[] {
  if (!scale) return [];
  const errs = replicas(obj, scale.statusReplicasPath);
  if (scale.labelSelectorPath !== undefined) {
    const r = nested(obj, scale.labelSelectorPath, 'string');
    if (r.error) errs.push(invalid(scale.labelSelectorPath, '', r.error));
  }
  return errs;
}
