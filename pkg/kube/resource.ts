/** Resource identities, REST paths and object keys. */

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  creationTimestamp?: string;
  [field: string]: unknown;
}

/**
 * An object as the server sent it: plain JSON, never passed through client-node's model serializer (which drops fields
 * its models do not know and turns timestamps into Dates). Typing T as a client-node model (V1Pod) is fine for reading,
 * but its Date-typed fields are RFC 3339 strings here.
 */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

export interface KubeList<T> {
  apiVersion?: string;
  kind?: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

/**
 * What a resource is on the wire: `apiVersion` ("v1", "devices.kubeedge.io/v1beta1") and `plural` ("pods") name its
 * REST path. Scope follows from the call: give a namespace for namespaced resources, none for cluster-scoped ones (or
 * to list across all namespaces).
 */
export interface ResourceRef {
  apiVersion: string;
  plural: string;
  /** For messages and for objects the server returns without a kind (list items). */
  kind?: string;
}

/** The resources cloud controllers use most. */
export const RESOURCES = {
  pods: { apiVersion: 'v1', plural: 'pods', kind: 'Pod' },
  nodes: { apiVersion: 'v1', plural: 'nodes', kind: 'Node' },
  configMaps: { apiVersion: 'v1', plural: 'configmaps', kind: 'ConfigMap' },
  secrets: { apiVersion: 'v1', plural: 'secrets', kind: 'Secret' },
  namespaces: { apiVersion: 'v1', plural: 'namespaces', kind: 'Namespace' },
  services: { apiVersion: 'v1', plural: 'services', kind: 'Service' },
  events: { apiVersion: 'v1', plural: 'events', kind: 'Event' },
  leases: { apiVersion: 'coordination.k8s.io/v1', plural: 'leases', kind: 'Lease' },
  devices: { apiVersion: 'devices.kubeedge.io/v1beta1', plural: 'devices', kind: 'Device' },
  deviceModels: { apiVersion: 'devices.kubeedge.io/v1beta1', plural: 'devicemodels', kind: 'DeviceModel' },
} as const satisfies Record<string, ResourceRef>;

/** "pods" or "devices.devices.kubeedge.io/v1beta1": how messages name a resource. */
export function resourceName(ref: ResourceRef): string {
  return ref.apiVersion.includes('/') ? `${ref.plural}.${ref.apiVersion}` : ref.plural;
}

/** /api/v1[/namespaces/ns]/pods[/name[/status]] or /apis/group/version/... */
export function resourcePath(ref: ResourceRef, namespace?: string, name?: string, subresource?: string): string {
  if (!ref.apiVersion || !ref.plural) throw new TypeError(`resource needs apiVersion and plural (got ${JSON.stringify(ref)})`);
  const root = ref.apiVersion.includes('/') ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
  let path = root;
  if (namespace) path += `/namespaces/${encodeURIComponent(namespace)}`;
  path += `/${ref.plural}`;
  if (name !== undefined) {
    if (name === '') throw new TypeError(`${resourceName(ref)}: the object has no name`);
    path += `/${encodeURIComponent(name)}`;
    if (subresource) path += `/${subresource}`;
  }
  return path;
}

/** client-go's MetaNamespaceKeyFunc: "namespace/name", or "name" for cluster-scoped objects. */
export function objectKey(obj: KubeObject): string {
  const name = obj.metadata?.name;
  if (!name) throw new TypeError(`object has no metadata.name: ${JSON.stringify(obj).slice(0, 200)}`);
  const namespace = obj.metadata?.namespace;
  return namespace ? `${namespace}/${name}` : name;
}

/** The inverse of objectKey. */
export function splitKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf('/');
  if (slash < 0) return { name: key };
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
