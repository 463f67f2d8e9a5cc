/** core/v1 nodes: the edge nodes. Status from their conditions, roles from `node-role.kubernetes.io/*` labels. */
import { child, duplicate, forbidden, index, invalid } from '../../schema/errors';
import { goQuote } from '../../schema/go-format';
import { defaultResourceList } from '../defaults/pod';
import { Node, NodeList } from '../openapi/core-resources';
import { typeSchema } from '../openapi/type-schema';
import { AGE_COLUMN, ageOf, column, NAME_COLUMN, nameOf, wide } from '../tables/columns';
import type { BuiltinDefinition, Cause, KObject } from '../types';
import { ensureObject, isObject, obj, objs, str, strings, stringMap } from '../util/json';
import { NAME_RULES, validateMetadata } from '../validation/meta';
import { validateTaintEffect } from '../validation/scheduling';
import { isQualifiedName, isValidLabelValue } from '../validation/strings';
import { parseQuantity, QUANTITY_SYNTAX_ERROR } from '../util/quantity';
import { keepStatus, STANDARD_VERBS } from './common';

const ROLE_PREFIX = 'node-role.kubernetes.io/';

/** `findNodeRoles`, sorted (the real printer's order is random). */
export function nodeRoles(node: KObject): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(stringMap(obj(node.metadata).labels))) {
    if (k.startsWith(ROLE_PREFIX) && k.length > ROLE_PREFIX.length) roles.add(k.slice(ROLE_PREFIX.length));
    else if (k === 'kubernetes.io/role' && v !== '') roles.add(v);
  }
  return [...roles].sort();
}

/** `Ready`, `NotReady`, `Unknown`, with `,SchedulingDisabled` when cordoned. */
export function nodeStatus(node: KObject): string {
  const ready = objs(obj(node.status).conditions).filter((c) => c.type === 'Ready').pop();
  const status = ready === undefined ? ['Unknown'] : [ready.status === 'True' ? 'Ready' : 'NotReady'];
  if (obj(node.spec).unschedulable === true) status.push('SchedulingDisabled');
  return status.join(',');
}

const address = (node: KObject, type: string): string => str(objs(obj(node.status).addresses).find((a) => a.type === type)?.address) || '<none>';

function goTaint(t: KObject): string {
  return `core.Taint{Key:${goQuote(str(t.key))}, Value:${goQuote(str(t.value))}, Effect:${goQuote(str(t.effect))}, TimeAdded:(*v1.Time)(nil)}`;
}

function validateTaints(taints: unknown, path: string): Cause[] {
  const errs: Cause[] = [];
  const seen = new Set<string>();
  objs(taints).forEach((t, i) => {
    const p = index(path, i);
    errs.push(...isQualifiedName(str(t.key)).map((m) => invalid(child(p, 'key'), str(t.key), m)));
    const valueErrs = isValidLabelValue(str(t.value));
    if (valueErrs.length > 0) errs.push(invalid(child(p, 'value'), str(t.value), valueErrs.join(';')));
    errs.push(...validateTaintEffect(t.effect, false, child(p, 'effect')));
    const k = `${str(t.effect)}\u0000${str(t.key)}`;
    if (seen.has(k)) {
      const d = duplicate(p, null);
      errs.push({ ...d, message: `Duplicate value: ${goTaint(t)}: taints must be unique by key and effect pair` });
    }
    seen.add(k);
  });
  return errs;
}

export const nodes: BuiltinDefinition = {
  group: '',
  version: 'v1',
  kind: 'Node',
  listKind: 'NodeList',
  plural: 'nodes',
  singular: 'node',
  namespaced: false,
  shortNames: ['no'],
  categories: [],
  verbs: STANDARD_VERBS,
  subresources: ['status'],
  defaults(node) {
    // A node registers with its status (unlike most kinds, status is kept on create).
    const status = obj(node.status);
    defaultResourceList(status.capacity);
    if (isObject(status.capacity) && !isObject(status.allocatable)) status.allocatable = { ...status.capacity };
    defaultResourceList(status.allocatable);
    if (isObject(node.status)) {
      const endpoints = ensureObject(ensureObject(node.status, 'daemonEndpoints'), 'kubeletEndpoint');
      if (typeof endpoints.Port !== 'number') endpoints.Port = 0;
    }
  },
  prepareForUpdate: keepStatus,
  validate(node, old) {
    const errs = validateMetadata(node, old, { namespaced: false, name: NAME_RULES.dnsSubdomain });
    const spec = obj(node.spec);
    errs.push(...validateTaints(spec.taints, 'spec.taints'));
    if (old !== undefined) {
      const oldSpec = obj(old.spec);
      const oldCidrs = strings(oldSpec.podCIDRs);
      if (oldCidrs.length > 0 && JSON.stringify(oldCidrs) !== JSON.stringify(strings(spec.podCIDRs))) {
        errs.push(forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
      }
      if (str(oldSpec.providerID) && str(oldSpec.providerID) !== str(spec.providerID)) {
        errs.push(forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
      }
    }
    return errs;
  },
  decodeError(node) {
    const status = obj(node.status);
    const values = [...Object.values(obj(status.capacity)), ...Object.values(obj(status.allocatable))];
    return values.some((v) => parseQuantity(v) === undefined) ? QUANTITY_SYNTAX_ERROR : undefined;
  },
  table: {
    columns: [
      NAME_COLUMN,
      column('Status', 'string', 'The status of the node'),
      column('Roles', 'string', 'The roles of the node'),
      AGE_COLUMN,
      column('Version', 'string', 'Kubelet (edge core) version of the node.'),
      wide('Internal-IP', 'string', 'The first internal IP of the node.'),
      wide('External-IP', 'string', 'The first external IP of the node.'),
      wide('OS-Image', 'string', 'OS image of the node.'),
      wide('Kernel-Version', 'string', 'Kernel version of the node.'),
      wide('Container-Runtime', 'string', 'Container runtime and version of the node.'),
    ],
    cells(node, nowMs = Date.now()) {
      const info = obj(obj(node.status).nodeInfo);
      const roles = nodeRoles(node).join(',');
      return [
        nameOf(node),
        nodeStatus(node),
        roles || '<none>',
        ageOf(node, nowMs),
        str(info.kubeletVersion),
        address(node, 'InternalIP'),
        address(node, 'ExternalIP'),
        str(info.osImage) || '<unknown>',
        str(info.kernelVersion) || '<unknown>',
        str(info.containerRuntimeVersion) || '<unknown>',
      ];
    },
  },
  openapi: typeSchema(Node, NodeList),
};
