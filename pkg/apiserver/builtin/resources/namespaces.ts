/** core/v1 namespaces: the `kubernetes` finalizer and `Active` phase on create, the name label, /finalize. */
import { child, invalid } from '../../schema/errors';
import { Namespace, NamespaceList } from '../openapi/core-resources';
import { typeSchema } from '../openapi/type-schema';
import { AGE_COLUMN, ageOf, column, NAME_COLUMN, nameOf } from '../tables/columns';
import type { BuiltinDefinition, Cause } from '../types';
import { ensureObject, obj, str, strings } from '../util/json';
import { NAME_RULES, validateMetadata } from '../validation/meta';
import { isQualifiedName } from '../validation/strings';
import { keepStatus } from './common';

const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

export const namespaces: BuiltinDefinition = {
  group: '',
  version: 'v1',
  kind: 'Namespace',
  listKind: 'NamespaceList',
  plural: 'namespaces',
  singular: 'namespace',
  namespaced: false,
  shortNames: ['ns'],
  categories: [],
  // No deletecollection for namespaces.
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: ['status', 'finalize'],
  defaults(ns) {
    // SetDefaults_Namespace: the name label is always the name.
    const meta = ensureObject(ns, 'metadata');
    ensureObject(meta, 'labels')['kubernetes.io/metadata.name'] = str(meta.name);
    const status = ensureObject(ns, 'status');
    if (!str(status.phase)) status.phase = 'Active';
  },
  prepareForCreate(ns) {
    // The kubernetes finalizer is added on create only: /finalize may remove it later.
    const spec = ensureObject(ns, 'spec');
    const finalizers = strings(spec.finalizers);
    if (!finalizers.includes('kubernetes')) spec.finalizers = [...finalizers, 'kubernetes'];
    ns.status = { phase: 'Active' };
  },
  prepareForUpdate(next, old) {
    ensureObject(next, 'spec').finalizers = structuredClone(obj(old.spec).finalizers);
    if (obj(next.spec).finalizers === undefined) delete obj(next.spec).finalizers;
    keepStatus(next, old);
  },
  validate(ns, old) {
    const errs: Cause[] = validateMetadata(ns, old, { namespaced: false, name: NAME_RULES.dnsLabel });
    const path = child('spec', 'finalizers');
    for (const f of strings(obj(ns.spec).finalizers)) {
      errs.push(...isQualifiedName(f).map((m) => invalid(path, f, m)));
      if (!f.includes('/') && !STANDARD_FINALIZERS.has(f)) errs.push(invalid(path, f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
    return errs;
  },
  table: {
    columns: [NAME_COLUMN, column('Status', 'string', 'The status of the namespace'), AGE_COLUMN],
    cells: (ns, nowMs = Date.now()) => [nameOf(ns), str(obj(ns.status).phase), ageOf(ns, nowMs)],
  },
  openapi: typeSchema(Namespace, NamespaceList),
};
