import { CLUSTER_SCOPE, parseEdgeResource, splitNodeResource } from '../message';

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
  const split = splitNodeResource(resource);
  // A namespace may be called "node": `node/pod/x` is an edge resource, not node "pod".
  const cloudSide = split ? parseEdgeResource(split.rest) : undefined;
  const parsed = cloudSide ?? parseEdgeResource(resource);
  if (!parsed) return undefined;
  return {
    ...(cloudSide && split ? { node: split.node } : {}),
    ...(parsed.namespace !== '' ? { namespace: parsed.namespace } : {}),
    type: parsed.type,
    ...(parsed.name !== '' && parsed.name !== CLUSTER_SCOPE ? { name: parsed.name } : {}),
  };
}
