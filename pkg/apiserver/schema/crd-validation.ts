/**
 * CustomResourceDefinition (apiextensions.k8s.io/v1) validation on create and update, in the order and with the
 * messages of apiextensions' ValidateCustomResourceDefinition. The server validates its internal form, into which
 * v1 is converted: when every version has the same schema (always so with one version), the schema moves to
 * `spec.validation`, and so do errors (`spec.validation.openAPIV3Schema.type`); likewise identical subresources and
 * printer columns move to `spec.subresources` and `spec.additionalPrinterColumns`.
 *
 * Left to the HTTP layer, as for every type: generic ObjectMeta checks (labels, annotations size, namespace).
 */
import { validateColumn, validateConversion, validateDeprecationWarning, validateNames, validateSubresources } from './crd-parts';
import { defaultCustomResourceDefinition, nextStoredVersions, storedVersionsOf } from './crd-defaults';
import { validateCrdSchema, type SchemaCheckDeps } from './crd-schema';
import { validateSelectableFields } from './crd-selectable';
import { readCrd, type Crd, type CrdVersion, type Subresources } from './crd-types';
import { child, index, invalid, key, notSupported, required, type FieldError } from './errors';
import { isDns1035Label, isDns1123Subdomain } from './names';
import { PatternCache } from './regex';
import { isObject, jsonEqual, type Schema } from './schema-types';
import { ValueValidator } from './validate-value';

const APPROVAL = 'api-approved.kubernetes.io';
const IMMUTABLE = 'field is immutable';

/** Errors for creating this CRD (decoded JSON). Never throws. */
export function validateCustomResourceDefinition(raw: unknown): FieldError[] {
  return validate(raw, undefined);
}

/** Errors for replacing `oldRaw` (the stored CRD) with `raw`. */
export function validateCustomResourceDefinitionUpdate(raw: unknown, oldRaw: unknown): FieldError[] {
  return validate(raw, oldRaw);
}

/** The per-version parts after the server's folding of identical values into top-level fields. */
interface Folded {
  schema?: { set: boolean; schema?: Schema };
  subresources?: Subresources;
  columns?: CrdVersion['additionalPrinterColumns'];
  perVersionSchema: boolean;
  perVersionSubresources: boolean;
  perVersionColumns: boolean;
}

function fold(versions: CrdVersion[]): Folded {
  if (versions.length === 0) return { perVersionSchema: false, perVersionSubresources: false, perVersionColumns: false };
  const [first] = versions;
  const same = (f: (v: CrdVersion) => unknown): boolean => versions.every((v) => jsonEqual(f(v) ?? null, f(first) ?? null));
  const schemas = same((v) => (v.schemaSet ? { s: v.schema ?? null } : null));
  const subresources = same((v) => v.subresources);
  const columns = same((v) => (v.additionalPrinterColumns.length > 0 ? v.additionalPrinterColumns : null));
  return {
    schema: schemas && first.schemaSet ? { set: true, schema: first.schema } : undefined,
    subresources: subresources ? first.subresources : undefined,
    columns: columns ? first.additionalPrinterColumns : undefined,
    perVersionSchema: !schemas,
    perVersionSubresources: !subresources,
    perVersionColumns: !columns,
  };
}

function validate(raw: unknown, oldRaw: unknown): FieldError[] {
  const defaulted = defaultCustomResourceDefinition(raw);
  const crd = readCrd(defaulted);
  const old = oldRaw === undefined ? undefined : readCrd(oldRaw);
  const deps: SchemaCheckDeps = { patterns: new PatternCache(), validator: new ValueValidator(new PatternCache()) };
  const errs = [...validateName(crd), ...validateSpec(crd, defaulted, deps)];
  if (old) errs.push(...immutability(crd, old, isEstablished(oldRaw)));
  errs.push(...validateStoredVersions(crd, nextStoredVersions(defaulted, oldRaw === undefined ? [] : storedVersionsOf(oldRaw))));
  errs.push(...validateApproval(crd, old));
  if (crd.spec.preserveUnknownFields && !old?.spec.preserveUnknownFields) {
    errs.push(invalid('spec.preserveUnknownFields', true, 'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead'));
  }
  return errs;
}

/** The name must be a DNS subdomain equal to `<plural>.<group>` (the only CRD-specific metadata rule). */
function validateName(crd: Crd): FieldError[] {
  const { name } = crd.metadata;
  if (!name) return [required('metadata.name', 'name or generateName is required')];
  const problems = isDns1123Subdomain(name);
  if (name !== `${crd.spec.names.plural}.${crd.spec.group}`) problems.push('must be spec.names.plural+"."+spec.group');
  return problems.map((p) => invalid('metadata.name', name, p));
}

function validateSpec(crd: Crd, defaulted: Record<string, unknown>, deps: SchemaCheckDeps): FieldError[] {
  const { spec } = crd;
  const errs: FieldError[] = [];
  if (!spec.group) errs.push(required('spec.group'));
  else if (isDns1123Subdomain(spec.group).length > 0) errs.push(invalid('spec.group', spec.group, isDns1123Subdomain(spec.group).join(',')));
  else if (spec.group.split('.').length < 2) errs.push(invalid('spec.group', spec.group, 'should be a domain with at least one dot'));
  if (!spec.scope) errs.push(required('spec.scope'));
  else if (spec.scope !== 'Cluster' && spec.scope !== 'Namespaced') errs.push(notSupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']));

  const folded = fold(spec.versions);
  if (!folded.schema?.schema) {
    spec.versions.forEach((v, i) => {
      if (!v.schema) errs.push(required(`spec.versions[${i}].schema.openAPIV3Schema`, 'schemas are required'));
    });
  }
  if (spec.preserveUnknownFields && spec.versions.some((v) => v.schema && schemaHasDefault(v.schema))) {
    errs.push(invalid('spec.preserveUnknownFields', true, 'must be false in order to use defaults in the schema'));
  }
  const anyStatus = !!folded.subresources?.status || spec.versions.some((v) => v.subresources?.status);
  const names = new Set<string>();
  let unique = true;
  spec.versions.forEach((v, i) => {
    const at = index('spec.versions', i);
    if (names.has(v.name)) unique = false;
    names.add(v.name);
    const nameProblems = isDns1035Label(v.name);
    if (nameProblems.length > 0) errs.push(invalid(child(at, 'name'), v.name, nameProblems.join(',')));
    errs.push(...validateDeprecationWarning(v.deprecated, v.deprecationWarning, at));
    const sub = folded.perVersionSubresources ? v.subresources : folded.subresources;
    if (folded.perVersionSchema && v.schema) errs.push(...validateCrdSchema(v.schema, !!sub?.status, child(at, 'schema'), deps));
    if (folded.perVersionSubresources) errs.push(...validateSubresources(v.subresources, child(at, 'subresources')));
    if (folded.perVersionColumns) {
      v.additionalPrinterColumns.forEach((c, j) => errs.push(...validateColumn(c, index(child(at, 'additionalPrinterColumns'), j))));
    }
    const schema = folded.perVersionSchema ? v.schema : folded.schema?.schema;
    errs.push(...validateSelectableFields(v.selectableFields, schema, child(at, 'selectableFields')));
  });
  const rawSpec = isObject(defaulted.spec) ? defaulted.spec : {};
  const versionsValue = Array.isArray(rawSpec.versions) ? rawSpec.versions : null;
  if (!unique) errs.push(invalid('spec.versions', versionsValue, 'must contain unique version names'));
  if (spec.versions.filter((v) => v.storage).length !== 1) {
    errs.push(invalid('spec.versions', versionsValue, 'must have exactly one version marked as storage version'));
  }
  // The internal form also carries spec.version (= versions[0].name), which is validated a second time.
  const firstName = spec.versions[0]?.name ?? '';
  if (firstName && isDns1035Label(firstName).length > 0) errs.push(invalid('spec.version', firstName, isDns1035Label(firstName).join(',')));
  for (const field of ['plural', 'singular', 'kind', 'listKind'] as const) {
    if (!spec.names[field]) errs.push(required(`spec.names.${field}`));
  }
  errs.push(...validateNames(spec.names, 'spec.names'));
  if (folded.schema?.schema) errs.push(...validateCrdSchema(folded.schema.schema, anyStatus, 'spec.validation', deps));
  errs.push(...validateSubresources(folded.subresources, 'spec.subresources'));
  (folded.columns ?? []).forEach((c, j) => errs.push(...validateColumn(c, index('spec.additionalPrinterColumns', j))));
  errs.push(...validateConversion(spec.conversion, !!spec.preserveUnknownFields, 'spec.conversion'));
  return errs;
}

function schemaHasDefault(s: Schema): boolean {
  const subs = [s.items, s.not, isObject(s.additionalProperties) ? (s.additionalProperties as Schema) : undefined];
  const lists = [...(s.allOf ?? []), ...(s.anyOf ?? []), ...(s.oneOf ?? []), ...Object.values(s.properties ?? {})];
  return s.default !== undefined || [...subs, ...lists].some((x) => x !== undefined && schemaHasDefault(x));
}

function isEstablished(oldRaw: unknown): boolean {
  const status = isObject(oldRaw) && isObject(oldRaw.status) ? oldRaw.status : {};
  const conditions = Array.isArray(status.conditions) ? status.conditions : [];
  return conditions.some((c) => isObject(c) && c.type === 'Established' && c.status === 'True');
}

function immutability(crd: Crd, old: Crd, established: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (established && crd.spec.scope !== old.spec.scope) errs.push(invalid('spec.scope', crd.spec.scope, IMMUTABLE));
  if (established && crd.spec.names.kind !== old.spec.names.kind) errs.push(invalid('spec.names.kind', crd.spec.names.kind, IMMUTABLE));
  if (crd.spec.group !== old.spec.group) errs.push(invalid('spec.group', crd.spec.group, IMMUTABLE));
  if (crd.spec.names.plural !== old.spec.names.plural) errs.push(invalid('spec.names.plural', crd.spec.names.plural, IMMUTABLE));
  return errs;
}

function validateStoredVersions(crd: Crd, stored: string[]): FieldError[] {
  const at = 'status.storedVersions';
  if (stored.length === 0) return [invalid(at, null, 'must have at least one stored version')];
  const errs: FieldError[] = [];
  for (const v of crd.spec.versions) if (v.storage && !stored.includes(v.name)) errs.push(invalid(at, stored, `must have the storage version ${v.name}`));
  stored.forEach((s, i) => {
    if (crd.spec.versions.some((v) => v.name === s)) return;
    const detail = `missing from spec.versions; ${s} was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in ${s} and removes ${s} from status.storedVersions`;
    errs.push(invalid(index(at, i), s, detail));
  });
  return errs;
}

type Approval = 'missing' | 'bypassed' | 'approved' | 'invalid';

function approvalState(annotations: Record<string, string>): [Approval, string] {
  const value = annotations[APPROVAL] ?? '';
  if (value === '') return ['missing', `protected groups must have approval annotation "${APPROVAL}", see https://github.com/kubernetes/enhancements/pull/1111`];
  if (value.startsWith('unapproved')) return ['bypassed', ''];
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#\s]+/.test(value)) return ['approved', ''];
  return ['invalid', `protected groups must have approval annotation "${APPROVAL}" with either a URL or a reason starting with "unapproved", see https://github.com/kubernetes/enhancements/pull/1111`];
}

/** Groups under k8s.io and kubernetes.io need an API review annotation. */
function validateApproval(crd: Crd, old: Crd | undefined): FieldError[] {
  const g = crd.spec.group;
  if (!(g === 'k8s.io' || g.endsWith('.k8s.io') || g === 'kubernetes.io' || g.endsWith('.kubernetes.io'))) return [];
  const [state, reason] = approvalState(crd.metadata.annotations);
  if (old && approvalState(old.metadata.annotations)[0] === state) return [];
  const at = key('metadata.annotations', APPROVAL);
  if (state === 'missing') return [required(at, reason)];
  if (state === 'invalid') return [invalid(at, crd.metadata.annotations[APPROVAL], reason)];
  return [];
}
