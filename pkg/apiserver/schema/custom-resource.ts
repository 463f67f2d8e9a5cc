/**
 * Everything the HTTP layer needs to serve one version of a CRD's resource, compiled once per CRD version:
 * pruning, defaulting, validation, the printer columns. Intended order on a write, as on the real server:
 *   prune (report unknown fields per fieldValidation) -> applyDefaults -> validate -> store;
 * on a read from storage: applyDefaults.
 */
import { readDefaultedCrd } from './crd-defaults';
import type { Crd, CrdVersion, PrinterColumn, ScaleSubresource } from './crd-types';
import { applySchemaDefaults } from './defaulting';
import { validateEmbeddedResources } from './embedded';
import { SchemaError, type FieldError } from './errors';
import { validateListTypes } from './list-types';
import {
  validateObjectMetaNames,
  validateScaleSpec,
  validateScaleStatus,
  validateTypeMeta,
  type ResourceIdentity,
} from './object-checks';
import { toFieldErrors } from './openapi-errors';
import { pruneUnknownFields, type PruneResult } from './prune';
import { ratchet } from './ratchet';
import { PatternCache } from './regex';
import { isObject, type Schema } from './schema-types';
import { buildTable, crdTableColumns, type Table, type TableColumn, type TableOptions } from './table';
import { ValueValidator } from './validate-value';

export interface CustomResourceVersion extends ResourceIdentity {
  readonly plural: string;
  readonly singular: string;
  readonly listKind: string;
  readonly schema: Schema | undefined;
  readonly statusSubresource: boolean;
  readonly scale: ScaleSubresource | undefined;
  /** The CRD's printer columns for this version (the Name and default Age columns are added by the table). */
  readonly printerColumns: readonly PrinterColumn[];
  /** Drops unknown fields (see prune.ts); non-mutating. */
  prune(obj: unknown): PruneResult;
  /** Applies schema defaults (see defaulting.ts); non-mutating. */
  applyDefaults(obj: unknown): unknown;
  /** Create: kind/apiVersion, name/namespace, schema, /scale spec and status paths, embedded resources, list types. */
  validate(obj: unknown): FieldError[];
  /** The same without the /scale spec check and without ratcheting (prefer validateUpdate with `status: true`). */
  validateStatus(obj: unknown): FieldError[];
  /**
   * Update of `old` to `obj` (main resource, or /status with `status: true`): schema errors on values the update
   * did not change are dropped (ratcheting), and list-type errors only count if `old` had none.
   */
  validateUpdate(obj: unknown, old: unknown, options?: { status?: boolean }): FieldError[];
  /** The columns `kubectl get` shows: Name, then the printer columns or Age. */
  readonly tableColumns: readonly TableColumn[];
  /** A Table of objects of this version, with ages computed from the injected clock. */
  toTable(objects: readonly unknown[], options?: TableOptions): Table;
}

export interface CustomResourceDeps {
  /** Milliseconds since the epoch; the Age cells are computed from it. */
  readonly now: () => number;
}

function versionOf(crd: Crd, name: string): CrdVersion {
  const v = crd.spec.versions.find((x) => x.name === name);
  if (!v) throw new SchemaError('UNKNOWN_VERSION', `CustomResourceDefinition ${crd.metadata.name} has no version ${JSON.stringify(name)}`);
  return v;
}

/**
 * Compiles `version` of a stored (already validated) CRD, given as decoded JSON.
 * Throws SchemaError UNKNOWN_VERSION if the CRD has no such version.
 */
export function compileCustomResourceVersion(crdRaw: unknown, version: string, deps: CustomResourceDeps): CustomResourceVersion {
  const crd = readDefaultedCrd(crdRaw);
  const v = versionOf(crd, version);
  const schema = v.schema;
  const { names } = crd.spec;
  const validator = new ValueValidator(new PatternCache());
  const id: ResourceIdentity = { group: crd.spec.group, version, kind: names.kind, namespaced: crd.spec.scope === 'Namespaced' };
  const scale = v.subresources?.scale;

  const check = (obj: unknown, withScaleSpec: boolean, old?: unknown): FieldError[] => {
    if (!isObject(obj)) return toFieldErrors(validator.validate({ type: 'object' }, obj));
    const typeErrs = validateTypeMeta(obj, id);
    if (typeErrs.length > 0) return typeErrs;
    const errs = validateObjectMetaNames(obj, id.namespaced);
    if (schema) {
      const schemaErrs = toFieldErrors(validator.validate(schema, obj));
      errs.push(...(old === undefined ? schemaErrs : ratchet(schemaErrs, obj, old)));
    }
    if (withScaleSpec) errs.push(...validateScaleSpec(obj, scale));
    errs.push(...validateScaleStatus(obj, scale));
    errs.push(...validateEmbeddedResources(obj, schema));
    if (old === undefined || validateListTypes(old, schema).length === 0) errs.push(...validateListTypes(obj, schema));
    return errs;
  };

  const tableColumns = crdTableColumns(v.additionalPrinterColumns, deps.now);
  return {
    ...id,
    plural: names.plural,
    singular: names.singular,
    listKind: names.listKind,
    schema,
    statusSubresource: !!v.subresources?.status,
    scale,
    printerColumns: v.additionalPrinterColumns,
    prune: (obj) => pruneUnknownFields(obj, schema, { isResourceRoot: true }),
    applyDefaults: (obj) => applySchemaDefaults(obj, schema),
    validate: (obj) => check(obj, true),
    validateStatus: (obj) => check(obj, false),
    validateUpdate: (obj, old, options) => check(obj, !options?.status, old),
    tableColumns,
    toTable: (objects, options) => buildTable(objects, tableColumns, options),
  };
}
