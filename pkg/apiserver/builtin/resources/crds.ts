/**
 * apiextensions.k8s.io/v1 customresourcedefinitions. CRD defaulting and validation are the schema package's; this
 * adds the generic metadata checks, the registry's create/update behaviour and the default table.
 */
import { defaultCustomResourceDefinition, nextStoredVersions, storedVersionsOf, validateCustomResourceDefinition, validateCustomResourceDefinitionUpdate } from '../../schema';
import { CustomResourceDefinition, CustomResourceDefinitionList } from '../openapi/apiextensions';
import { typeSchema } from '../openapi/type-schema';
import { column, NAME_COLUMN, nameOf } from '../tables/columns';
import type { BuiltinDefinition, KObject } from '../types';
import { timestampMs } from '../util/age';
import { ensureObject, obj } from '../util/json';
import { validateMetadata } from '../validation/meta';
import { bumpGeneration, firstGeneration, keepStatus, STANDARD_VERBS } from './common';

/** `Created At` is a date column: RFC 3339 in UTC, the zero time when unset (the default table convertor). */
function createdAt(o: KObject): string {
  const ms = timestampMs(obj(o.metadata).creationTimestamp);
  return ms === undefined ? '0001-01-01T00:00:00Z' : `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

export const customResourceDefinitions: BuiltinDefinition = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  kind: 'CustomResourceDefinition',
  listKind: 'CustomResourceDefinitionList',
  plural: 'customresourcedefinitions',
  singular: 'customresourcedefinition',
  namespaced: false,
  shortNames: ['crd', 'crds'],
  categories: ['api-extensions'],
  verbs: STANDARD_VERBS,
  subresources: ['status'],
  defaults(crd) {
    const defaulted = defaultCustomResourceDefinition(crd);
    for (const k of Object.keys(crd)) if (!(k in defaulted)) delete crd[k];
    Object.assign(crd, defaulted);
  },
  prepareForCreate(crd) {
    crd.status = { acceptedNames: { kind: '', plural: '' }, storedVersions: nextStoredVersions(crd) };
    firstGeneration(crd);
  },
  prepareForUpdate(next, old) {
    keepStatus(next, old);
    ensureObject(next, 'status').storedVersions = nextStoredVersions(next, storedVersionsOf(old));
    bumpGeneration(next, old);
  },
  validate(crd, old) {
    // Names are the schema package's rule (`<plural>.<group>`), so only the rest of the metadata is checked here.
    const meta = validateMetadata(crd, old, { namespaced: false, name: undefined });
    const own = old === undefined ? validateCustomResourceDefinition(crd) : validateCustomResourceDefinitionUpdate(crd, old);
    return [...meta, ...own];
  },
  table: {
    columns: [NAME_COLUMN, column('Created At', 'date', 'When the object was created.')],
    cells: (crd) => [nameOf(crd), createdAt(crd)],
  },
  openapi: typeSchema(CustomResourceDefinition, CustomResourceDefinitionList),
};
