/**
 * The downstream half of EdgeController: every pod bound to an edge node, and every configmap and secret such a pod
 * uses, is sent to that node through CloudHub; when the object changes it is sent again, and when it goes away (or
 * stops being needed on a node) a delete follows. Level-triggered: a key names one object, and reconciling it
 * compares what the caches say the nodes need with what was last sent where. Duplicates are harmless (CloudHub drops
 * what ObjectSync says was delivered; the edge drops stale versions), so a node that reconnects is simply resent what
 * it needs.
 */
import type { Logger } from 'pino';
import type { CacheReader, KubeObject } from '../../pkg/kube';
import { cloudResource, jsonContent, newMessage, objectResource, Operation, type Message } from '../../pkg/message';
import { configMapIndexValues, secretIndexValues, type Pod } from './pod-references';

export type Kind = 'Pod' | 'ConfigMap' | 'Secret';

/** The work queue's key: `<Kind>:<namespace>/<name>`. */
export function downstreamKey(kind: Kind, object: KubeObject): string {
  return `${kind}:${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

function parseKey(key: string): { kind: Kind; namespace: string; name: string } {
  const colon = key.indexOf(':');
  const slash = key.indexOf('/', colon);
  return { kind: key.slice(0, colon) as Kind, namespace: key.slice(colon + 1, slash), name: key.slice(slash + 1) };
}

/** Pod index names the downstream needs on the shared pod informer. */
export const POD_BY_NODE = 'edgecontroller:node';
export const POD_BY_CONFIGMAP = 'edgecontroller:configmap';
export const POD_BY_SECRET = 'edgecontroller:secret';

export interface DownstreamCaches {
  pods: CacheReader<Pod>;
  configMaps: CacheReader<KubeObject>;
  secrets: CacheReader<KubeObject>;
  /** True for a Node labelled node-role.kubernetes.io/edge. */
  isEdgeNode(name: string): boolean;
}

/** What was last sent for one object, and to which nodes. */
interface Sent {
  uid: string;
  resourceVersion: string;
  nodes: Set<string>;
  /** The object's identity for a later delete message. */
  last: KubeObject;
}

export class Downstream {
  private readonly sent = new Map<string, Sent>();
  /** Final states of deleted objects, kept from the informer's delete event until the delete has been sent. */
  private readonly deleted = new Map<string, KubeObject>();

  constructor(
    private readonly caches: DownstreamCaches,
    private readonly send: (message: Message) => Promise<void>,
    private readonly log: Logger,
  ) {}

  /** Called from the informer's delete handler (no I/O there): remember the final state for the delete message. */
  noteDeleted(key: string, object: KubeObject): void {
    this.deleted.set(key, object);
  }

  /** Forget what was sent to `node`, so that the next reconcile of its keys sends them again. */
  forgetNode(node: string): void {
    for (const entry of this.sent.values()) entry.nodes.delete(node);
  }

  /** The keys of everything `node` needs: its pods and what they use. */
  keysForNode(node: string): string[] {
    const keys: string[] = [];
    for (const pod of this.caches.pods.byIndex(POD_BY_NODE, node)) {
      keys.push(downstreamKey('Pod', pod));
      for (const value of configMapIndexValues(pod)) keys.push(`ConfigMap:${value}`);
      for (const value of secretIndexValues(pod)) keys.push(`Secret:${value}`);
    }
    return keys;
  }

  async reconcile(key: string): Promise<void> {
    const { kind, namespace, name } = parseKey(key);
    const object = this.cacheFor(kind).get(`${namespace}/${name}`);
    const previous = this.sent.get(key);
    const targets = object ? this.targets(kind, object) : new Set<string>();

    if (object) {
      const uid = object.metadata?.uid ?? '';
      const resourceVersion = object.metadata?.resourceVersion ?? '';
      // A recreated object (new uid) is news to every node, even those that held the old one.
      const sameObject = previous !== undefined && previous.uid === uid;
      for (const node of targets) {
        const fresh = sameObject && previous.nodes.has(node) && previous.resourceVersion === resourceVersion;
        if (!fresh) await this.sendTo(node, sameObject && previous.nodes.has(node) ? Operation.OPERATION_UPDATE : Operation.OPERATION_INSERT, object);
      }
    }
    for (const node of previous?.nodes ?? []) {
      if (targets.has(node) && previous?.uid === object?.metadata?.uid) continue;
      await this.sendTo(node, Operation.OPERATION_DELETE, this.deleted.get(key) ?? object ?? previous!.last);
    }

    this.deleted.delete(key);
    if (object && targets.size > 0) {
      this.sent.set(key, {
        uid: object.metadata?.uid ?? '',
        resourceVersion: object.metadata?.resourceVersion ?? '',
        nodes: targets,
        last: identity(object, kind),
      });
    } else {
      this.sent.delete(key);
    }
  }

  private async sendTo(node: string, operation: Operation, object: KubeObject): Promise<void> {
    // Informer items and the identities kept here always carry their kind (the informer fills it in from the list).
    const message = newMessage({
      source: 'edgecontroller',
      group: 'resource',
      operation,
      resource: cloudResource(node, objectResource(object)),
      resourceVersion: object.metadata?.resourceVersion ?? '',
      ...jsonContent(object),
    });
    this.log.debug({ node, resource: message.route?.resource, operation }, 'downstream');
    await this.send(message);
  }

  /** The edge nodes that need `object` now. */
  private targets(kind: Kind, object: KubeObject): Set<string> {
    const nodes = new Set<string>();
    if (kind === 'Pod') {
      const node = (object as Pod).spec?.nodeName;
      if (node && this.caches.isEdgeNode(node)) nodes.add(node);
      return nodes;
    }
    const index = kind === 'ConfigMap' ? POD_BY_CONFIGMAP : POD_BY_SECRET;
    const value = `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
    for (const pod of this.caches.pods.byIndex(index, value)) {
      const node = pod.spec?.nodeName;
      if (node && this.caches.isEdgeNode(node)) nodes.add(node);
    }
    return nodes;
  }

  private cacheFor(kind: Kind): CacheReader<KubeObject> {
    return kind === 'Pod' ? this.caches.pods : kind === 'ConfigMap' ? this.caches.configMaps : this.caches.secrets;
  }
}

function identity(object: KubeObject, kind: Kind): KubeObject {
  const { name, namespace, uid, resourceVersion } = object.metadata ?? {};
  return { apiVersion: 'v1', kind, metadata: { name, namespace, uid, resourceVersion } } as KubeObject;
}
