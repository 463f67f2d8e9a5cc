/** core/v1 serviceaccounts and coordination.k8s.io/v1 leases (node heartbeats, leader election). */
import { forbidden, invalid } from '../../schema/errors';
import { ServiceAccount, ServiceAccountList } from '../openapi/core-resources';
import { Lease, LeaseList } from '../openapi/groups';
import { typeSchema } from '../openapi/type-schema';
import { AGE_COLUMN, ageOf, column, NAME_COLUMN, nameOf } from '../tables/columns';
import type { BuiltinDefinition, Cause } from '../types';
import { canonicalMicroTime } from '../util/time';
import { isObject, list, obj, str } from '../util/json';
import { NAME_RULES, validateMetadata } from '../validation/meta';
import { STANDARD_VERBS } from './common';

export const serviceAccounts: BuiltinDefinition = {
  group: '',
  version: 'v1',
  kind: 'ServiceAccount',
  listKind: 'ServiceAccountList',
  plural: 'serviceaccounts',
  singular: 'serviceaccount',
  namespaced: true,
  shortNames: ['sa'],
  categories: [],
  verbs: STANDARD_VERBS,
  subresources: [],
  defaults() {},
  validate: (sa, old) => validateMetadata(sa, old, { namespaced: true, name: NAME_RULES.dnsSubdomain }),
  table: {
    columns: [NAME_COLUMN, column('Secrets', 'string', 'Number of secrets of the account.'), AGE_COLUMN],
    cells: (sa, nowMs = Date.now()) => [nameOf(sa), list(sa.secrets).length, ageOf(sa, nowMs)],
  },
  openapi: typeSchema(ServiceAccount, ServiceAccountList),
};

function validateLeaseSpec(specValue: unknown): Cause[] {
  const spec = obj(specValue);
  const errs: Cause[] = [];
  const duration = spec.leaseDurationSeconds;
  if (typeof duration === 'number' && duration <= 0) errs.push(invalid('spec.leaseDurationSeconds', duration, 'must be greater than 0'));
  const transitions = spec.leaseTransitions;
  if (typeof transitions === 'number' && transitions < 0) errs.push(invalid('spec.leaseTransitions', transitions, 'must be greater than or equal to 0'));
  if (str(spec.preferredHolder) && !str(spec.strategy)) errs.push(forbidden('spec.preferredHolder', 'may only be specified if `strategy` is defined'));
  return errs;
}

export const leases: BuiltinDefinition = {
  group: 'coordination.k8s.io',
  version: 'v1',
  kind: 'Lease',
  listKind: 'LeaseList',
  plural: 'leases',
  singular: 'lease',
  namespaced: true,
  shortNames: [],
  categories: [],
  verbs: STANDARD_VERBS,
  subresources: [],
  defaults(lease) {
    // MicroTime values are written back with exactly six fractional digits.
    if (!isObject(lease.spec)) return;
    for (const f of ['acquireTime', 'renewTime']) if (lease.spec[f] !== undefined) lease.spec[f] = canonicalMicroTime(lease.spec[f]);
  },
  validate: (lease, old) => [...validateMetadata(lease, old, { namespaced: true, name: NAME_RULES.dnsSubdomain }), ...validateLeaseSpec(lease.spec)],
  table: {
    columns: [NAME_COLUMN, column('Holder', 'string', 'Identity of the current holder.'), AGE_COLUMN],
    cells: (lease, nowMs = Date.now()) => [nameOf(lease), str(obj(lease.spec).holderIdentity), ageOf(lease, nowMs)],
  },
  openapi: typeSchema(Lease, LeaseList),
};
