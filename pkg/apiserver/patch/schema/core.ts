/**
 * Patch metadata of core/v1 types, from the struct tags in k8s.io/api core/v1 types.go (checked against the tags
 * compiled into kubectl v1.32). Lists not named here have no patchStrategy and are replaced whole on purpose:
 * tolerations, readinessGates, envFrom, resizePolicy, resources.claims, affinity terms, node taints and images,
 * Endpoints subsets, Namespace spec.finalizers, ServiceAccount imagePullSecrets, containerStatuses, managedFields.
 */
import { SET_LIST, mergeList, object, type PatchSchema } from './types';

export const OBJECT_META: PatchSchema = {
  finalizers: SET_LIST, // ObjectMeta.Finalizers: patchStrategy:"merge", no key: merged as a set of strings
  ownerReferences: mergeList('uid'), // ObjectMeta.OwnerReferences: patchMergeKey:"uid"
};

/** Container, and EphemeralContainerCommon, which carries the same tags. */
export const CONTAINER: PatchSchema = {
  ports: mergeList('containerPort'), // keyed by containerPort alone: the same port with two protocols collides
  env: mergeList('name'),
  volumeMounts: mergeList('mountPath'),
  volumeDevices: mergeList('devicePath'),
};

export const POD_SPEC: PatchSchema = {
  volumes: mergeList('name'), // patchStrategy:"merge,retainKeys": a volume source switch sends $retainKeys
  initContainers: mergeList('name', CONTAINER),
  containers: mergeList('name', CONTAINER),
  ephemeralContainers: mergeList('name', CONTAINER),
  imagePullSecrets: mergeList('name'),
  hostAliases: mergeList('ip'),
  topologySpreadConstraints: mergeList('topologyKey'), // the listMapKey adds whenUnsatisfiable; the patch key does not
  schedulingGates: mergeList('name'),
  resourceClaims: mergeList('name'), // patchStrategy:"merge,retainKeys"
};

/** ContainerStatus has keyed lists (volumeMounts, allocatedResourcesStatus), but containerStatuses itself does not. */
export const POD_STATUS: PatchSchema = {
  conditions: mergeList('type'),
  podIPs: mergeList('ip'),
  hostIPs: mergeList('ip'),
  resourceClaimStatuses: mergeList('name'), // patchStrategy:"merge,retainKeys"
};

export const METADATA_ONLY: PatchSchema = { metadata: object(OBJECT_META) };

export const POD: PatchSchema = { metadata: object(OBJECT_META), spec: object(POD_SPEC), status: object(POD_STATUS) };

export const POD_TEMPLATE_SPEC: PatchSchema = { metadata: object(OBJECT_META), spec: object(POD_SPEC) };

/** The kind PodTemplate. */
export const POD_TEMPLATE: PatchSchema = { metadata: object(OBJECT_META), template: object(POD_TEMPLATE_SPEC) };

export const NODE: PatchSchema = {
  metadata: object(OBJECT_META),
  spec: object({ podCIDRs: SET_LIST }), // taints have no strategy: `kubectl taint` sends the whole list
  status: object({ addresses: mergeList('type'), conditions: mergeList('type') }),
};

export const SERVICE: PatchSchema = {
  metadata: object(OBJECT_META),
  spec: object({ ports: mergeList('port') }), // ServiceSpec.Ports: patchMergeKey:"port" (listMapKey adds protocol)
  status: object({ conditions: mergeList('type') }),
};

export const NAMESPACE: PatchSchema = {
  metadata: object(OBJECT_META),
  status: object({ conditions: mergeList('type') }),
};

export const SERVICE_ACCOUNT: PatchSchema = { metadata: object(OBJECT_META), secrets: mergeList('name') };

export const PERSISTENT_VOLUME_CLAIM: PatchSchema = {
  metadata: object(OBJECT_META),
  status: object({ conditions: mergeList('type') }),
};

export const REPLICATION_CONTROLLER: PatchSchema = {
  metadata: object(OBJECT_META),
  spec: object({ template: object(POD_TEMPLATE_SPEC) }),
  status: object({ conditions: mergeList('type') }),
};

/** Every core/v1 kind with something to describe; the others (ConfigMap, Secret, Endpoints, Event...) are METADATA_ONLY. */
export const CORE_KINDS: Readonly<Record<string, PatchSchema>> = {
  Pod: POD,
  PodTemplate: POD_TEMPLATE,
  Node: NODE,
  Service: SERVICE,
  Namespace: NAMESPACE,
  ServiceAccount: SERVICE_ACCOUNT,
  PersistentVolumeClaim: PERSISTENT_VOLUME_CLAIM,
  ReplicationController: REPLICATION_CONTROLLER,
};
