/**
 * ObjectMeta, label, annotation and label selector validation (apimachinery `ValidateObjectMeta` and friends plus
 * the core API's finalizer rule), with the real messages and field paths.
 */
import { child, forbidden, index, invalid, required, tooLong } from '../../schema/errors';
import { isDns1035Label, isDns1123Label, isDns1123Subdomain, isPathSegmentName } from '../../schema/names';
import type { Cause, KObject } from '../types';
import { isObject, list, num, obj, objs, sortedKeys, str, strings } from '../util/json';
import { isQualifiedName, isValidLabelValue } from './strings';

/** How a type's names are checked; `prefix` is true for `generateName`, which may end in '-'. */
export type NameRule = (name: string, prefix: boolean) => string[];

/** Go's maskTrailingDash: it really does drop two characters before appending 'a'. */
const maskTrailingDash = (name: string): string => (name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name);

const withPrefix =
  (check: (name: string) => string[]): NameRule =>
  (name, prefix) =>
    check(prefix ? maskTrailingDash(name) : name);

export const NAME_RULES = {
  dnsSubdomain: withPrefix(isDns1123Subdomain),
  dnsLabel: withPrefix(isDns1123Label),
  dns1035Label: withPrefix(isDns1035Label),
  pathSegment: ((name: string, prefix: boolean) => (prefix ? [] : isPathSegmentName(name))) as NameRule,
} as const;

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

export function validateLabels(labels: unknown, path: string): Cause[] {
  const errs: Cause[] = [];
  const m = obj(labels);
  for (const k of sortedKeys(m)) {
    for (const msg of isQualifiedName(k)) errs.push(invalid(path, k, msg));
    for (const msg of isValidLabelValue(str(m[k]))) errs.push(invalid(path, str(m[k]), msg));
  }
  return errs;
}

export function validateAnnotations(annotations: unknown, path: string): Cause[] {
  const errs: Cause[] = [];
  const m = obj(annotations);
  let size = 0;
  for (const k of sortedKeys(m)) {
    // Annotation keys are qualified names in any case.
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(invalid(path, k, msg));
    size += Buffer.byteLength(k) + Buffer.byteLength(str(m[k]));
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

export function validateLabelSelector(selector: unknown, path: string): Cause[] {
  if (!isObject(selector)) return [];
  const errs = validateLabels(selector.matchLabels, child(path, 'matchLabels'));
  objs(selector.matchExpressions).forEach((expr, i) => {
    const p = index(child(path, 'matchExpressions'), i);
    const values = strings(expr.values);
    const op = str(expr.operator);
    if (op === 'In' || op === 'NotIn') {
      if (values.length === 0) errs.push(required(child(p, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (op === 'Exists' || op === 'DoesNotExist') {
      if (values.length > 0) errs.push(forbidden(child(p, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else {
      errs.push(invalid(child(p, 'operator'), op, 'not a valid selector operator'));
    }
    for (const msg of isQualifiedName(str(expr.key))) errs.push(invalid(child(p, 'key'), str(expr.key), msg));
    values.forEach((v, j) => {
      for (const msg of isValidLabelValue(v)) errs.push(invalid(index(child(p, 'values'), j), v, msg));
    });
  });
  return errs;
}

function validateFinalizers(finalizers: unknown, path: string): Cause[] {
  const errs: Cause[] = [];
  const names = strings(finalizers);
  names.forEach((f, i) => {
    for (const msg of isQualifiedName(f)) errs.push(invalid(path, f, msg));
    if (!f.includes('/') && !STANDARD_FINALIZERS.has(f)) {
      errs.push(invalid(index(path, i), f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  });
  if (names.includes('orphan') && names.includes('foregroundDeletion')) {
    errs.push(invalid(path, names, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errs;
}

function validateOwnerReferences(refs: unknown, path: string): Cause[] {
  const errs: Cause[] = [];
  let firstController = '';
  for (const ref of objs(refs)) {
    const apiVersion = str(ref.apiVersion);
    const parts = apiVersion.split('/');
    const version = parts.length === 1 ? parts[0] : parts.length === 2 ? parts[1] : '';
    if (!version) errs.push(invalid(child(path, 'apiVersion'), apiVersion, 'version must not be empty'));
    if (!str(ref.kind)) errs.push(invalid(child(path, 'kind'), str(ref.kind), 'kind must not be empty'));
    if (!str(ref.name)) errs.push(invalid(child(path, 'name'), str(ref.name), 'name must not be empty'));
    if (!str(ref.uid)) errs.push(invalid(child(path, 'uid'), str(ref.uid), 'uid must not be empty'));
    if (ref.controller === true) {
      const name = `${str(ref.kind)}/${str(ref.name)}`;
      if (firstController) {
        errs.push(
          invalid(path, list(refs), `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${name}`),
        );
      } else {
        firstController = name;
      }
    }
  }
  return errs;
}

/** Everything but the name: shared by create and update. */
function validateMetaBody(meta: KObject, path: string): Cause[] {
  const errs: Cause[] = [];
  if (num(meta.generation) < 0) errs.push(invalid(child(path, 'generation'), meta.generation, 'must be greater than or equal to 0'));
  errs.push(...validateLabels(meta.labels, child(path, 'labels')));
  errs.push(...validateAnnotations(meta.annotations, child(path, 'annotations')));
  errs.push(...validateOwnerReferences(meta.ownerReferences, child(path, 'ownerReferences')));
  errs.push(...validateFinalizers(meta.finalizers, child(path, 'finalizers')));
  return errs;
}

export interface MetaRules {
  readonly namespaced: boolean;
  /** `undefined` when the type checks its names itself (CRDs: `<plural>.<group>`). */
  readonly name: NameRule | undefined;
}

/** Create-time validation of `metadata` (the name is expected to be generated already). */
export function validateObjectMeta(metadata: unknown, rules: MetaRules, path = 'metadata'): Cause[] {
  const meta = obj(metadata);
  const errs: Cause[] = [];
  const rule = rules.name;
  if (rule !== undefined) {
    const generateName = str(meta.generateName);
    if (generateName) for (const msg of rule(generateName, true)) errs.push(invalid(child(path, 'generateName'), generateName, msg));
    const name = str(meta.name);
    if (!name) errs.push(required(child(path, 'name'), 'name or generateName is required'));
    else for (const msg of rule(name, false)) errs.push(invalid(child(path, 'name'), name, msg));
  }
  const namespace = str(meta.namespace);
  if (rules.namespaced) {
    if (!namespace) errs.push(required(child(path, 'namespace')));
    else for (const msg of isDns1123Label(namespace)) errs.push(invalid(child(path, 'namespace'), namespace, msg));
  } else if (namespace) {
    errs.push(forbidden(child(path, 'namespace'), 'not allowed on this type'));
  }
  return [...errs, ...validateMetaBody(meta, path)];
}

/**
 * Update-time validation: immutable identity fields, and the body rules again. (The real server copies generation,
 * creationTimestamp and a missing uid from the stored object before validating, so those never fail here.)
 */
export function validateObjectMetaUpdate(next: unknown, old: unknown, path = 'metadata'): Cause[] {
  const n = obj(next);
  const o = obj(old);
  const errs: Cause[] = [];
  for (const field of ['name', 'namespace', 'uid'] as const) {
    if (field === 'uid' && !str(n.uid)) continue;
    if (str(n[field]) !== str(o[field])) errs.push(invalid(child(path, field), str(n[field]), 'field is immutable'));
  }
  return [...errs, ...validateMetaBody(n, path)];
}

/** A type's whole-object metadata check: create rules, or update rules when `old` is given. */
export function validateMetadata(obj_: KObject, old: KObject | undefined, rules: MetaRules): Cause[] {
  return old === undefined ? validateObjectMeta(obj_.metadata, rules) : validateObjectMetaUpdate(obj_.metadata, old.metadata);
}
