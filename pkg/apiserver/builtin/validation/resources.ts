/** Container `resources` validation (`validateResourceRequirements`): names, signs, integers, requests <= limits. */
import { child, invalid, key, required } from '../../schema/errors';
import type { Cause } from '../types';
import { isObject, obj, sortedKeys } from '../util/json';
import { compareQuantities, formatQuantity, isNegative, parseQuantity, type Quantity } from '../util/quantity';
import { IS_NEGATIVE } from './causes';
import { isQualifiedName } from './strings';

/** Single-word names the API knows; others must be fully qualified (`example.com/gpu`). */
const STANDARD_RESOURCES = new Set([
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'pods',
  'services',
  'replicationcontrollers',
  'resourcequotas',
  'secrets',
  'persistentvolumeclaims',
  'configmaps',
  'services.nodeports',
  'services.loadbalancers',
  'requests.storage',
  'storage',
]);
const CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);

const isHugePages = (name: string): boolean => name.startsWith('hugepages-');
const isNative = (name: string): boolean => !name.includes('/') || name.includes('kubernetes.io/');
/** Extended resources (`vendor.com/gpu`) are whole numbers and may not be overcommitted. */
const isExtended = (name: string): boolean => !isNative(name) && !name.startsWith('requests.') && isQualifiedName(`requests.${name}`).length === 0;
const overcommitAllowed = (name: string): boolean => isNative(name) && !isHugePages(name);

function validateResourceName(name: string, path: string): Cause[] {
  const errs = isQualifiedName(name).map((m) => invalid(path, name, m));
  if (errs.length > 0) return errs;
  if (!name.includes('/')) {
    if (!STANDARD_RESOURCES.has(name) && !isHugePages(name)) return [invalid(path, name, 'must be a standard resource type or fully qualified')];
    if (!CONTAINER_RESOURCES.has(name) && !isHugePages(name)) return [invalid(path, name, 'must be a standard resource for containers')];
  } else if (!isNative(name) && !isExtended(name)) {
    return [invalid(path, name, "doesn't follow extended resource name standard")];
  }
  return [];
}

function validateQuantity(name: string, q: Quantity, path: string): Cause[] {
  const errs: Cause[] = [];
  if (isNegative(q)) errs.push(invalid(path, formatQuantity(q), IS_NEGATIVE));
  if (isExtended(name) && (q.numerator * 1000n) % 10n ** BigInt(q.scale + 3) !== 0n) {
    errs.push(invalid(path, formatQuantity(q), 'must be an integer'));
  }
  return errs;
}

function quantities(list: unknown): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  const m = obj(list);
  for (const name of sortedKeys(m)) {
    const q = parseQuantity(m[name]);
    // Unparsable quantities never get here on a real server: its decoder answers 400 first (see decodeError).
    if (q !== undefined) out.set(name, q);
  }
  return out;
}

export function validateResources(resources: unknown, path: string): Cause[] {
  if (!isObject(resources)) return [];
  const errs: Cause[] = [];
  const limPath = child(path, 'limits');
  const reqPath = child(path, 'requests');
  const limits = quantities(resources.limits);
  const requests = quantities(resources.requests);
  for (const [name, q] of limits) {
    errs.push(...validateResourceName(name, key(limPath, name)));
    errs.push(...validateQuantity(name, q, key(limPath, name)));
  }
  for (const [name, q] of requests) {
    errs.push(...validateResourceName(name, key(reqPath, name)));
    errs.push(...validateQuantity(name, q, key(reqPath, name)));
    const limit = limits.get(name);
    if (limit !== undefined) {
      const cmp = compareQuantities(q, limit);
      if (cmp !== 0 && !overcommitAllowed(name)) {
        errs.push(invalid(reqPath, formatQuantity(q), `must be equal to ${name} limit of ${formatQuantity(limit)}`));
      } else if (cmp > 0) {
        errs.push(invalid(reqPath, formatQuantity(q), `must be less than or equal to ${name} limit of ${formatQuantity(limit)}`));
      }
    } else if (!overcommitAllowed(name)) {
      errs.push(required(limPath, 'Limit must be set for non overcommitable resources'));
    }
  }
  return errs;
}
