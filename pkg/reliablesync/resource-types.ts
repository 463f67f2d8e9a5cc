/**
 * KubeEdge's resource type names (the `<type>` in `<namespace>/<type>/<name>`): the kind in lower case. The table
 * gives the apiVersion and kind back for the types KubeEdge sends, for messages whose content lacks them.
 */

/** "ConfigMap" -> "configmap", as KubeEdge names resource types. */
export function resourceTypeOf(kind: string): string {
  return kind.toLowerCase();
}

export const KNOWN_RESOURCE_TYPES: Readonly<Record<string, { apiVersion: string; kind: string }>> = Object.freeze({
  pod: { apiVersion: 'v1', kind: 'Pod' },
  configmap: { apiVersion: 'v1', kind: 'ConfigMap' },
  secret: { apiVersion: 'v1', kind: 'Secret' },
  service: { apiVersion: 'v1', kind: 'Service' },
  endpoints: { apiVersion: 'v1', kind: 'Endpoints' },
  node: { apiVersion: 'v1', kind: 'Node' },
  persistentvolume: { apiVersion: 'v1', kind: 'PersistentVolume' },
  persistentvolumeclaim: { apiVersion: 'v1', kind: 'PersistentVolumeClaim' },
  volumeattachment: { apiVersion: 'storage.k8s.io/v1', kind: 'VolumeAttachment' },
  lease: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' },
  device: { apiVersion: 'devices.kubeedge.io/v1beta1', kind: 'Device' },
  devicemodel: { apiVersion: 'devices.kubeedge.io/v1beta1', kind: 'DeviceModel' },
  rule: { apiVersion: 'rules.kubeedge.io/v1', kind: 'Rule' },
  ruleendpoint: { apiVersion: 'rules.kubeedge.io/v1', kind: 'RuleEndpoint' },
});

/** The parts of a downstream resource string; `node` only when it had the cloud side's `node/<node>/` prefix. */
export interface ResourceParts {
  node?: string;
  /** Undefined for cluster-scoped objects (KubeEdge writes "null"). */
  namespace?: string;
  type: string;
  name?: string;
}

/**
 * Reads `<namespace>/<type>[/<name>]` (edge side) or `node/<node>/<namespace>/<type>[/<name>]` (cloud side).
 * Undefined for anything else (device and membership resources, router topics).
 */
export function parseResource(resource: string): ResourceParts | undefined {
  let parts = resource.split('/');
  let node: string | undefined;
  if (parts[0] === 'node' && parts.length >= 4) {
    node = parts[1];
    parts = parts.slice(2);
  }
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) return undefined;
  const [namespace, type, name] = parts as [string, string, string | undefined];
  return {
    ...(node ? { node } : {}),
    ...(namespace !== 'null' ? { namespace } : {}),
    type,
    ...(name !== undefined && name !== 'null' ? { name } : {}),
  };
}
