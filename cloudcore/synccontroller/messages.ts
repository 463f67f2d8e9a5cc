/** The messages the SyncController sends to cloudhub, and the connection events it receives from it. */
import { jsonContent, newMessage, Operation, type Message } from '../../pkg/message';
import { resourceTypeOf } from '../../pkg/reliablesync';
import type { KubeObject } from '../../pkg/kube';

export const SYNC_CONTROLLER = 'synccontroller';
export const CLOUDHUB = 'cloudhub';

/** `node/<node>/<namespace or null>/<type>/<name>`, the cloud side's resource string. */
export function downstreamResource(node: string, namespace: string | undefined, kind: string, name: string): string {
  return `node/${node}/${namespace || 'null'}/${resourceTypeOf(kind)}/${name}`;
}

/** An update carrying the object as it is now. */
export function updateMessage(node: string, object: KubeObject & { apiVersion: string; kind: string }): Message {
  const metadata = object.metadata ?? {};
  return newMessage({
    source: SYNC_CONTROLLER,
    group: 'resource',
    operation: Operation.OPERATION_UPDATE,
    resource: downstreamResource(node, metadata.namespace, object.kind, metadata.name ?? ''),
    resourceVersion: metadata.resourceVersion ?? '',
    ...jsonContent(object),
  });
}

export interface GoneObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  /** The uid the edge node holds (not that of a newer object of the same name). */
  uid: string;
  /** The version the edge node acknowledged. */
  resourceVersion: string;
}

/** A delete carrying the last state we can rebuild: the identity the edge holds, at the version it acknowledged. */
export function deleteMessage(node: string, gone: GoneObject): Message {
  const content = {
    apiVersion: gone.apiVersion,
    kind: gone.kind,
    metadata: { name: gone.name, ...(gone.namespace ? { namespace: gone.namespace } : {}), uid: gone.uid, resourceVersion: gone.resourceVersion },
  };
  return newMessage({
    source: SYNC_CONTROLLER,
    group: 'resource',
    operation: Operation.OPERATION_DELETE,
    resource: downstreamResource(node, gone.namespace, gone.kind, gone.name),
    resourceVersion: gone.resourceVersion,
    ...jsonContent(content),
  });
}

export type ConnectionEvent = { type: 'connected' | 'disconnected'; node: string };

const NODE_RESOURCE = /^node\/([^/]+)$/;

/** cloudhub's CONNECTED / DISCONNECTED (resource `node/<node>`); undefined for any other message. */
export function connectionEvent(message: Message): ConnectionEvent | undefined {
  const operation = message.route?.operation;
  if (operation !== Operation.OPERATION_CONNECTED && operation !== Operation.OPERATION_DISCONNECTED) return undefined;
  const node = NODE_RESOURCE.exec(message.route?.resource ?? '')?.[1];
  if (!node) return undefined;
  return { type: operation === Operation.OPERATION_CONNECTED ? 'connected' : 'disconnected', node };
}
