/**
 * Discovery: /api, /apis, /apis/{group}, /api/v1 and /apis/{group}/{version}, in the legacy form and, when the client
 * asks for it (kubectl 1.26+ does), the aggregated apidiscovery.k8s.io/v2 form that answers everything in two requests.
 */
import type { TypeRegistry } from './registry';
import { apiVersionOf, type ServedType } from './served-type';

export const AGGREGATED_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const AGGREGATED_V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

/** The aggregated form the client accepts, if any, in its order of preference. */
export function aggregatedFormat(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  for (const offer of (accept ?? '').split(',').map((s) => s.replace(/\s+/g, ''))) {
    if (offer === AGGREGATED_V2) return 'v2';
    if (offer === AGGREGATED_V2BETA1) return 'v2beta1';
  }
  return undefined;
}

export const aggregatedContentType = (format: 'v2' | 'v2beta1'): string =>
  format === 'v2' ? AGGREGATED_V2 : AGGREGATED_V2BETA1;

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

/** The named groups (/apis); the legacy core group is listed by /api only. */
export function apiGroupList(registry: TypeRegistry): Record<string, unknown> {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groupsOf(registry).filter((g) => g.name !== '').map(apiGroup) };
}

export function apiGroupOf(registry: TypeRegistry, group: string): Record<string, unknown> | undefined {
  const found = groupsOf(registry).find((g) => g.name === group);
  return found ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(found) } : undefined;
}

export function apiResourceList(registry: TypeRegistry, group: string, version: string): Record<string, unknown> | undefined {
  const types = registry.inGroupVersion(group, version);
  if (types.length === 0) return undefined;
  const resources = types.flatMap((t) => [
    {
      name: t.plural,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: t.verbs,
      ...(t.shortNames.length > 0 ? { shortNames: t.shortNames } : {}),
      ...(t.categories.length > 0 ? { categories: t.categories } : {}),
    },
    ...t.subresources.map((sub) => ({
      name: `${t.plural}/${sub}`,
      singularName: '',
      namespaced: t.namespaced,
      ...subresourceKind(t, sub),
      verbs: subresourceVerbs(sub),
    })),
  ]);
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf({ group, version }), resources };
}

/** The aggregated list for /api (`core`: the legacy group only) or /apis (every named group). */
export function aggregatedDiscovery(registry: TypeRegistry, core: boolean, format: 'v2' | 'v2beta1'): Record<string, unknown> {
  const items = groupsOf(registry)
    .filter((g) => (g.name === '') === core)
    .map((g) => ({
      metadata: { name: g.name, creationTimestamp: null },
      versions: g.versions.map((version) => ({
        version,
        freshness: 'Current',
        resources: registry.inGroupVersion(g.name, version).map((t) => ({
          resource: t.plural,
          responseKind: { group: t.group, version: t.version, kind: t.kind },
          scope: t.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: t.singular,
          verbs: t.verbs,
          ...(t.shortNames.length > 0 ? { shortNames: t.shortNames } : {}),
          ...(t.categories.length > 0 ? { categories: t.categories } : {}),
          ...(t.subresources.length > 0
            ? {
                subresources: t.subresources.map((sub) => ({
                  subresource: sub,
                  responseKind: subresourceResponseKind(t, sub),
                  verbs: subresourceVerbs(sub),
                })),
              }
            : {}),
        })),
      })),
    }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${format}`, metadata: {}, items };
}

interface GroupInfo {
  name: string;
  versions: string[];
}

/** Groups with their versions, preferred (first) version first; the core group is named "". */
function groupsOf(registry: TypeRegistry): GroupInfo[] {
  const groups = new Map<string, string[]>();
  for (const { group, version } of registry.groupVersions()) {
    const versions = groups.get(group) ?? [];
    if (!versions.includes(version)) versions.push(version);
    groups.set(group, versions);
  }
  return [...groups].map(([name, versions]) => ({ name, versions: versions.sort(compareVersions) }));
}

function apiGroup(g: GroupInfo): Record<string, unknown> {
  const versions = g.versions.map((version) => ({ groupVersion: `${g.name}/${version}`, version }));
  return { name: g.name, versions, preferredVersion: versions[0] };
}

/** Kubernetes version priority: GA > beta > alpha, higher numbers first (v2 > v1 > v1beta2 > v1beta1 > v1alpha1). */
export function compareVersions(a: string, b: string): number {
  const rank = (v: string): [number, number, number] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [-1, 0, 0];
    const stage = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
    return [stage, Number(m[1]), Number(m[3] ?? 0)];
  };
  const [sa, ma, na] = rank(a);
  const [sb, mb, nb] = rank(b);
  if (sa === -1 || sb === -1) return sa === sb ? a.localeCompare(b) : sb - sa;
  return sb - sa || mb - ma || nb - na;
}

function subresourceVerbs(sub: string): string[] {
  switch (sub) {
    case 'binding':
      return ['create'];
    case 'finalize':
      return ['update'];
    default:
      return ['get', 'patch', 'update'];
  }
}

function subresourceResponseKind(t: ServedType, sub: string): { group: string; version: string; kind: string } {
  if (sub === 'scale') return { group: 'autoscaling', version: 'v1', kind: 'Scale' };
  if (sub === 'binding') return { group: '', version: 'v1', kind: 'Binding' };
  return { group: t.group, version: t.version, kind: t.kind };
}

function subresourceKind(t: ServedType, sub: string): { kind: string; group?: string; version?: string } {
  const k = subresourceResponseKind(t, sub);
  return k.group === t.group && k.version === t.version ? { kind: k.kind } : k;
}
