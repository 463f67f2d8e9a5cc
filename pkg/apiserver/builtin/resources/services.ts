/** core/v1 services and endpoints. Cluster IP allocation is not defaulting: it is left to whoever allocates. */
import { child, duplicate, forbidden, index, invalid, required } from '../../schema/errors';
import { goQuote } from '../../schema/go-format';
import { isDns1123Label, isDns1123Subdomain } from '../../schema/names';
import { Endpoints, EndpointsList, Service, ServiceList } from '../openapi/core-resources';
import { typeSchema } from '../openapi/type-schema';
import { AGE_COLUMN, ageOf, column, NAME_COLUMN, nameOf, wide } from '../tables/columns';
import type { BuiltinDefinition, Cause, KObject } from '../types';
import { goIntOrString } from '../util/go-syntax';
import { ensureObject, isObject, obj, objs, setDefault, str, strings, stringMap } from '../util/json';
import { formatLabels } from '../util/label-selector';
import { nameErrors, requiredEnum } from '../validation/causes';
import { validatePortNumOrName } from '../validation/container';
import { NAME_RULES, validateLabels, validateMetadata } from '../validation/meta';
import { isValidIp, isValidPortNum } from '../validation/strings';
import { keepStatus, STANDARD_VERBS } from './common';

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

function defaultService(svc: KObject): void {
  const spec = ensureObject(svc, 'spec');
  setDefault(spec, 'sessionAffinity', 'None');
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP') {
    const clientIP = ensureObject(ensureObject(spec, 'sessionAffinityConfig'), 'clientIP');
    setDefault(clientIP, 'timeoutSeconds', 10800);
  }
  setDefault(spec, 'type', 'ClusterIP');
  for (const port of objs(spec.ports)) {
    setDefault(port, 'protocol', 'TCP');
    if (port.targetPort === undefined || port.targetPort === null || port.targetPort === 0 || port.targetPort === '') port.targetPort = port.port;
  }
  const type = str(spec.type);
  if ((type === 'NodePort' || type === 'LoadBalancer') && !str(spec.externalTrafficPolicy)) spec.externalTrafficPolicy = 'Cluster';
  if (type === 'LoadBalancer' && typeof spec.allocateLoadBalancerNodePorts !== 'boolean') spec.allocateLoadBalancerNodePorts = true;
  if (type !== 'ExternalName') {
    setDefault(spec, 'internalTrafficPolicy', 'Cluster');
    // clusterIP and clusterIPs describe the same thing; the REST layer keeps them in step.
    const ips = strings(spec.clusterIPs);
    if (str(spec.clusterIP) && ips.length === 0) spec.clusterIPs = [spec.clusterIP];
    else if (!str(spec.clusterIP) && ips.length > 0) spec.clusterIP = ips[0];
    // One IPv4 family: this server is single-stack. A headless service without a selector asks for every family.
    const headlessNoSelector = spec.clusterIP === 'None' && Object.keys(obj(spec.selector)).length === 0;
    setDefault(spec, 'ipFamilyPolicy', headlessNoSelector ? 'RequireDualStack' : 'SingleStack');
    if (strings(spec.ipFamilies).length === 0) spec.ipFamilies = ['IPv4'];
  }
  const status = ensureObject(svc, 'status');
  if (!isObject(status.loadBalancer)) status.loadBalancer = {};
}

/** Values allocated on create survive an update that leaves them out (`kubectl replace` of a manifest). */
function keepAllocated(next: KObject, old: KObject): void {
  const spec = ensureObject(next, 'spec');
  const oldSpec = obj(old.spec);
  if (str(spec.type) !== 'ExternalName' && str(oldSpec.type) !== 'ExternalName') {
    if (!str(spec.clusterIP) && strings(spec.clusterIPs).length === 0 && str(oldSpec.clusterIP)) {
      spec.clusterIP = oldSpec.clusterIP;
      spec.clusterIPs = structuredClone(oldSpec.clusterIPs ?? [oldSpec.clusterIP]);
    }
  }
  const oldPorts = objs(oldSpec.ports);
  for (const port of objs(spec.ports)) {
    if (port.nodePort) continue;
    const match = oldPorts.find((o) => o.port === port.port && str(o.protocol || 'TCP') === str(port.protocol || 'TCP'));
    if (match?.nodePort && (spec.type === 'NodePort' || spec.type === 'LoadBalancer')) port.nodePort = match.nodePort;
  }
  if (!spec.healthCheckNodePort && oldSpec.healthCheckNodePort && spec.externalTrafficPolicy === 'Local') spec.healthCheckNodePort = oldSpec.healthCheckNodePort;
}

/** `core.ServicePort{...}` of the duplicate (port, protocol) key, as `%#v` prints it. */
const goServicePortKey = (port: KObject): string =>
  `core.ServicePort{Name:"", Protocol:${goQuote(str(port.protocol))}, AppProtocol:(*string)(nil), Port:${Number(port.port ?? 0)}, TargetPort:${goIntOrString(0)}, NodePort:0}`;

function validateServiceSpec(specValue: unknown): Cause[] {
  const spec = obj(specValue);
  const errs: Cause[] = [];
  const type = str(spec.type);
  const headless = spec.clusterIP === 'None';
  const ports = objs(spec.ports);
  if (ports.length === 0 && !headless && type !== 'ExternalName') errs.push(required('spec.ports'));
  if (type === 'ExternalName') {
    if (strings(spec.clusterIPs).length > 0) errs.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    const cname = str(spec.externalName).replace(/\.$/, '');
    if (cname) errs.push(...nameErrors(cname, 'spec.externalName', isDns1123Subdomain));
    else errs.push(required('spec.externalName'));
  }
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = index('spec.ports', i);
    const name = str(port.name);
    if (ports.length > 1 && !name) errs.push(required(child(p, 'name')));
    else if (name) {
      errs.push(...nameErrors(name, child(p, 'name'), isDns1123Label));
      if (names.has(name)) errs.push(duplicate(child(p, 'name'), name));
      names.add(name);
    }
    errs.push(...isValidPortNum(Number(port.port ?? 0)).map((m) => invalid(child(p, 'port'), port.port ?? 0, m)));
    errs.push(...requiredEnum(port.protocol, child(p, 'protocol'), PROTOCOLS));
    errs.push(...validatePortNumOrName(port.targetPort, child(p, 'targetPort')));
  });
  if (isObject(spec.selector)) errs.push(...validateLabels(spec.selector, 'spec.selector'));
  errs.push(...requiredEnum(spec.sessionAffinity, 'spec.sessionAffinity', ['ClientIP', 'None']));
  errs.push(...requiredEnum(spec.type, 'spec.type', ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort']));
  if (type === 'ClusterIP') {
    ports.forEach((port, i) => {
      if (port.nodePort) errs.push(forbidden(child(index('spec.ports', i), 'nodePort'), "may not be used when `type` is 'ClusterIP'"));
    });
  }
  const seen = new Set<string>();
  ports.forEach((port, i) => {
    const k = `${str(port.protocol)}/${String(port.port)}`;
    if (seen.has(k)) errs.push({ type: 'FieldValueDuplicate', field: index('spec.ports', i), message: `Duplicate value: ${goServicePortKey(port)}` });
    seen.add(k);
  });
  for (const ip of strings(spec.clusterIPs)) {
    if (ip !== 'None' && !isValidIp(ip)) errs.push(invalid('spec.clusterIPs', ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  }
  return errs;
}

/** `getServiceExternalIP` with `wide` set, as the server prints it. */
function externalIp(svc: KObject): string {
  const spec = obj(svc.spec);
  const external = strings(spec.externalIPs);
  switch (str(spec.type)) {
    case 'ClusterIP':
    case 'NodePort':
      return external.length > 0 ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = [...new Set(objs(obj(obj(svc.status).loadBalancer).ingress).map((i) => str(i.ip) || str(i.hostname)).filter((x) => x))];
      if (external.length > 0) return [...lb, ...external].join(',');
      return lb.length > 0 ? lb.join(',') : '<pending>';
    }
    case 'ExternalName':
      return str(spec.externalName);
    default:
      return '<unknown>';
  }
}

const portString = (ports: KObject[]): string =>
  ports.map((p) => (Number(p.nodePort ?? 0) > 0 ? `${Number(p.port ?? 0)}:${Number(p.nodePort)}/${str(p.protocol)}` : `${Number(p.port ?? 0)}/${str(p.protocol)}`)).join(',');

export const services: BuiltinDefinition = {
  group: '',
  version: 'v1',
  kind: 'Service',
  listKind: 'ServiceList',
  plural: 'services',
  singular: 'service',
  namespaced: true,
  shortNames: ['svc'],
  categories: ['all'],
  verbs: STANDARD_VERBS,
  subresources: ['status'],
  defaults: defaultService,
  prepareForCreate(svc) {
    svc.status = { loadBalancer: {} };
  },
  prepareForUpdate(next, old) {
    keepAllocated(next, old);
    keepStatus(next, old);
  },
  validate(svc, old) {
    const errs = validateMetadata(svc, old, { namespaced: true, name: NAME_RULES.dns1035Label });
    errs.push(...validateServiceSpec(svc.spec));
    if (old !== undefined) {
      const before = obj(old.spec);
      const after = obj(svc.spec);
      if (str(before.type) !== 'ExternalName' && str(after.type) !== 'ExternalName') {
        const oldIps = strings(before.clusterIPs);
        const newIps = strings(after.clusterIPs);
        if (oldIps.length > 0 && newIps.length > 0 && oldIps[0] !== newIps[0]) {
          errs.push(invalid('spec.clusterIPs[0]', newIps, 'may not change once set'));
        }
      }
    }
    return errs;
  },
  table: {
    columns: [
      NAME_COLUMN,
      column('Type', 'string', 'How the service is exposed.'),
      column('Cluster-IP', 'string', 'Virtual IP of the service.'),
      column('External-IP', 'string', 'External addresses of the service.'),
      column('Port(s)', 'string', 'Ports of the service.'),
      AGE_COLUMN,
      wide('Selector', 'string', 'Labels of the pods behind the service.'),
    ],
    cells(svc, nowMs = Date.now()) {
      const spec = obj(svc.spec);
      const ports = portString(objs(spec.ports));
      return [nameOf(svc), str(spec.type), strings(spec.clusterIPs)[0] ?? '<none>', externalIp(svc), ports || '<none>', ageOf(svc, nowMs), formatLabels(stringMap(spec.selector))];
    },
  },
  openapi: typeSchema(Service, ServiceList),
};

const SPECIAL_IPS: [RegExp, string][] = [
  [/^(0\.0\.0\.0|::)$/, 'may not be unspecified (0.0.0.0)'],
  [/^(127\.|::1$)/, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'],
  [/^(169\.254\.|fe80:)/i, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'],
  [/^(224\.0\.0\.|ff02:)/i, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'],
];

function validateSubsets(subsets: unknown): Cause[] {
  const errs: Cause[] = [];
  objs(subsets).forEach((ss, i) => {
    const p = index('subsets', i);
    if (objs(ss.addresses).length === 0 && objs(ss.notReadyAddresses).length === 0) errs.push(required(p, 'must specify `addresses` or `notReadyAddresses`'));
    for (const which of ['addresses', 'notReadyAddresses']) {
      objs(ss[which]).forEach((a, j) => {
        const ap = index(child(p, which), j);
        const ip = str(a.ip);
        if (!isValidIp(ip)) errs.push(invalid(child(ap, 'ip'), ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
        else for (const [re, msg] of SPECIAL_IPS) if (re.test(ip)) errs.push(invalid(child(ap, 'ip'), ip, msg));
        if (str(a.hostname)) errs.push(...nameErrors(str(a.hostname), child(ap, 'hostname'), isDns1123Label));
        if (typeof a.nodeName === 'string') errs.push(...nameErrors(a.nodeName, child(ap, 'nodeName'), isDns1123Subdomain));
      });
    }
    const ports = objs(ss.ports);
    ports.forEach((port, j) => {
      const pp = index(child(p, 'ports'), j);
      if (ports.length > 1 && !str(port.name)) errs.push(required(child(pp, 'name')));
      else if (str(port.name)) errs.push(...nameErrors(str(port.name), child(pp, 'name'), isDns1123Label));
      errs.push(...isValidPortNum(Number(port.port ?? 0)).map((m) => invalid(child(pp, 'port'), port.port ?? 0, m)));
      errs.push(...requiredEnum(port.protocol, child(pp, 'protocol'), PROTOCOLS));
    });
  });
  return errs;
}

/** `formatEndpoints`: up to three ip:port pairs, then `+ N more...`. */
export function formatEndpoints(ep: KObject): string {
  const subsets = objs(ep.subsets);
  if (subsets.length === 0) return '<none>';
  const shown: string[] = [];
  let count = 0;
  for (const ss of subsets) {
    const addresses = objs(ss.addresses).map((a) => str(a.ip));
    const ports = objs(ss.ports);
    const pairs = ports.length === 0 ? addresses : ports.flatMap((port) => addresses.map((ip) => (ip.includes(':') ? `[${ip}]:${Number(port.port)}` : `${ip}:${Number(port.port)}`)));
    count += pairs.length;
    for (const pair of pairs) if (shown.length < 3) shown.push(pair);
  }
  const text = shown.join(',');
  return count > 3 ? `${text} + ${count - 3} more...` : text;
}

export const endpoints: BuiltinDefinition = {
  group: '',
  version: 'v1',
  kind: 'Endpoints',
  listKind: 'EndpointsList',
  plural: 'endpoints',
  singular: 'endpoints',
  namespaced: true,
  shortNames: ['ep'],
  categories: [],
  verbs: STANDARD_VERBS,
  subresources: [],
  defaults(ep) {
    for (const ss of objs(ep.subsets)) for (const port of objs(ss.ports)) setDefault(port, 'protocol', 'TCP');
  },
  validate: (ep, old) => [...validateMetadata(ep, old, { namespaced: true, name: NAME_RULES.dnsSubdomain }), ...validateSubsets(ep.subsets)],
  table: {
    columns: [NAME_COLUMN, column('Endpoints', 'string', 'Addresses and ports of the endpoints.'), AGE_COLUMN],
    cells: (ep, nowMs = Date.now()) => [nameOf(ep), formatEndpoints(ep), ageOf(ep, nowMs)],
  },
  openapi: typeSchema(Endpoints, EndpointsList),
};
