/**
 * Reliable delivery's records (KubeEdge's ObjectSync / ClusterObjectSync, `reliablesyncs.kubeedge.io/v1alpha1`): the
 * CRDs, the recorder cloudhub calls after an edge ack, and the index cloudhub and the SyncController read.
 */
export { RELIABLE_SYNC_CRDS } from './crds';
export { ensureReliableSyncCRDs, type EnsureCrdsOptions } from './ensure-crds';
export { ReliableSyncError, type ReliableSyncErrorCode } from './errors';
export {
  CLUSTER_OBJECT_SYNCS,
  NODE_LABEL,
  OBJECT_SYNCS,
  RELIABLE_SYNC_API_VERSION,
  RELIABLE_SYNC_GROUP,
  nodeLabelValue,
  nodeSelector,
  objectSyncName,
  parseObjectSyncName,
  recordNode,
  recordResource,
  type ObjectSyncRecord,
  type ObjectSyncSpec,
  type ObjectSyncStatus,
} from './records';
export { isNewerResourceVersion, parseResourceVersion, requireResourceVersion } from './resource-version';
export { KNOWN_RESOURCE_TYPES, parseResource, resourceTypeOf, type ResourceParts } from './resource-types';
export { deliveredChange, type DeliveredChange } from './delivered-object';
export { DeliveryRecorder, type DeliveryRecorderOptions, type RecordCache } from './recorder';
export type { RecordOutcome } from './metrics';
export { DeliveredIndex, type DeliveredIndexOptions } from './delivered-index';
