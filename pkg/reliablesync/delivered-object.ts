/** What a delivered downstream message says the edge now holds: which object, at which version, or that it is gone. */
import { Operation, readJsonContent, type Message } from '../message';
import { ReliableSyncError } from './errors';
import { KNOWN_RESOURCE_TYPES, parseResource } from './resource-types';
import { parseResourceVersion, requireResourceVersion } from './resource-version';

interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  /** Undefined: cluster-scoped. */
  namespace?: string;
  uid: string;
}

export type DeliveredChange =
  | { action: 'upsert'; object: ObjectRef; resourceVersion: bigint }
  | { action: 'delete'; object: ObjectRef }
  /** Nothing to record: the message carries no Kubernetes object (twin, membership, lists) or is not a change. */
  | { action: 'skip'; reason: string };

const UPSERTS = new Set<Operation>([Operation.OPERATION_INSERT, Operation.OPERATION_UPDATE, Operation.OPERATION_PATCH, Operation.OPERATION_RESPONSE]);

interface ContentMeta {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown; namespace?: unknown; uid?: unknown; resourceVersion?: unknown };
}

/**
 * Reads the change from a message. The object is the JSON content (for a delete, its last state); the namespace is
 * the object's (present exactly for namespaced objects), the version header.resourceVersion or else the object's.
 * Throws INVALID_MESSAGE for a message that claims a Kubernetes object but is inconsistent.
 */
export function deliveredChange(node: string, message: Message): DeliveredChange {
  const operation = message.route?.operation ?? Operation.OPERATION_UNSPECIFIED;
  const isDelete = operation === Operation.OPERATION_DELETE;
  if (!isDelete && !UPSERTS.has(operation)) return { action: 'skip', reason: `operation ${operation} changes nothing on the edge` };
  const resource = message.route?.resource ?? '';
  const parts = parseResource(resource);
  if (!parts) return { action: 'skip', reason: `resource "${resource}" does not name a Kubernetes object` };
  if (parts.node !== undefined && parts.node !== node) {
    throw new ReliableSyncError('INVALID_MESSAGE', `route.resource: "${resource}" is for node "${parts.node}", but it was delivered to node "${node}"`);
  }
  if (message.content.length === 0) return { action: 'skip', reason: 'no content' };
  let content: ContentMeta;
  try {
    content = readJsonContent(message) as ContentMeta;
  } catch {
    return { action: 'skip', reason: 'content is not JSON' };
  }
  const meta = typeof content === 'object' && content !== null ? content.metadata : undefined;
  if (typeof meta?.uid !== 'string' || meta.uid === '') return { action: 'skip', reason: 'content has no metadata.uid' };
  const name = typeof meta.name === 'string' && meta.name !== '' ? meta.name : parts.name;
  if (!name) throw new ReliableSyncError('INVALID_MESSAGE', `content.metadata.name: missing in a message for "${resource}"; send the object's name`);
  const known = KNOWN_RESOURCE_TYPES[parts.type];
  const apiVersion = typeof content.apiVersion === 'string' && content.apiVersion ? content.apiVersion : known?.apiVersion;
  const kind = typeof content.kind === 'string' && content.kind ? content.kind : known?.kind;
  if (!apiVersion || !kind) {
    throw new ReliableSyncError(
      'INVALID_MESSAGE',
      `content.apiVersion/kind: missing, and resource type "${parts.type}" is not one this package knows; send the object with its apiVersion and kind`,
    );
  }
  const namespace = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : undefined;
  const object: ObjectRef = { apiVersion, kind, name, uid: meta.uid, ...(namespace ? { namespace } : {}) };
  if (isDelete) return { action: 'delete', object };
  const headerVersion = message.header?.resourceVersion || undefined;
  const contentVersion = typeof meta.resourceVersion === 'string' ? meta.resourceVersion : undefined;
  if (headerVersion === undefined && parseResourceVersion(contentVersion) === undefined) {
    return { action: 'skip', reason: 'no resourceVersion' };
  }
  const field = headerVersion !== undefined ? 'header.resourceVersion' : 'content.metadata.resourceVersion';
  return { action: 'upsert', object, resourceVersion: requireResourceVersion(headerVersion ?? contentVersion, field) };
}
