/**
 * What a reliable-sync record is: an ObjectSync (namespaced object) or ClusterObjectSync (cluster-scoped object) named
 * `<node>.<uid>`, saying which object version an edge node has acknowledged.
 */
import { createHash } from 'node:crypto';
import type { KubeObject, ResourceRef } from '../kube';
import { ReliableSyncError } from './errors';

export const RELIABLE_SYNC_GROUP = 'reliablesyncs.kubeedge.io';
export const RELIABLE_SYNC_API_VERSION = `${RELIABLE_SYNC_GROUP}/v1alpha1`;

export const OBJECT_SYNCS = { apiVersion: RELIABLE_SYNC_API_VERSION, plural: 'objectsyncs', kind: 'ObjectSync' } as const satisfies ResourceRef;
export const CLUSTER_OBJECT_SYNCS = {
  apiVersion: RELIABLE_SYNC_API_VERSION,
  plural: 'clusterobjectsyncs',
  kind: 'ClusterObjectSync',
} as const satisfies ResourceRef;

/**
 * Every record carries this label, valued nodeLabelValue(node), so one node's records can be listed with a label
 * selector (`nodeSelector(node)`) rather than by reading every record's name. KubeEdge's records have no such label;
 * the name (`<node>.<uid>`) stays the source of truth, and a record without the label is still found by name.
 */
export const NODE_LABEL = `${RELIABLE_SYNC_GROUP}/node`;

export interface ObjectSyncSpec {
  objectAPIVersion?: string;
  objectKind?: string;
  objectName?: string;
}

export interface ObjectSyncStatus {
  /** The resourceVersion the node acknowledged. */
  objectResourceVersion?: string;
}

/** An ObjectSync or a ClusterObjectSync (the same fields; the kind says which). */
export interface ObjectSyncRecord extends KubeObject {
  spec?: ObjectSyncSpec;
  status?: ObjectSyncStatus;
}

const DNS_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS_SUBDOMAIN = new RegExp(`^${DNS_LABEL}(\\.${DNS_LABEL})*$`);
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const MAX_NAME = 253;
const MAX_LABEL_VALUE = 63;

/** `<node>.<uid>`, KubeEdge's record name. Throws INVALID_NAME when the two cannot make a valid object name. */
export function objectSyncName(node: string, uid: string): string {
  if (!DNS_SUBDOMAIN.test(node)) {
    throw new ReliableSyncError('INVALID_NAME', `node: ${JSON.stringify(node)} is not a node name; it must be a lowercase DNS subdomain such as "edge-1"`);
  }
  if (uid === '' || uid.includes('.') || !DNS_SUBDOMAIN.test(uid)) {
    throw new ReliableSyncError('INVALID_NAME', `metadata.uid: ${JSON.stringify(uid)} is not an object uid; it must be a lowercase UUID as the API server assigns`);
  }
  const name = `${node}.${uid}`;
  if (name.length > MAX_NAME) {
    throw new ReliableSyncError('INVALID_NAME', `node: "${node}" is too long for a record name "<node>.<uid>" (${name.length} > ${MAX_NAME} characters)`);
  }
  return name;
}

/** The inverse of objectSyncName (uids hold no dot, so the last dot splits); undefined for a name it did not make. */
export function parseObjectSyncName(name: string): { node: string; uid: string } | undefined {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || dot === name.length - 1) return undefined;
  return { node: name.slice(0, dot), uid: name.slice(dot + 1) };
}

/** The NODE_LABEL value for a node: its name, or (for names too long for a label value) a stable hash of it. */
export function nodeLabelValue(node: string): string {
  if (node.length <= MAX_LABEL_VALUE && LABEL_VALUE.test(node)) return node;
  return `h-${createHash('sha256').update(node).digest('hex').slice(0, 40)}`;
}

/** A label selector for one node's records. */
export function nodeSelector(node: string): string {
  return `${NODE_LABEL}=${nodeLabelValue(node)}`;
}

/** Which resource holds the record of an object: ObjectSync when the object is namespaced. */
export function recordResource(namespace: string | undefined): ResourceRef {
  return namespace ? OBJECT_SYNCS : CLUSTER_OBJECT_SYNCS;
}

/** The node a record belongs to, from its name. */
export function recordNode(record: KubeObject): string | undefined {
  const name = record.metadata?.name;
  return name ? parseObjectSyncName(name)?.node : undefined;
}
