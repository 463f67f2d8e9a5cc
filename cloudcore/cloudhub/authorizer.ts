/**
 * Node authorization: an edge node may only report on itself. It may write its own Node (node, nodestatus,
 * nodepatch), its Lease kube-node-lease/<node>, pods bound to it (pod, podstatus, podpatch), events about those, and
 * devices bound to it; it may read those, plus the configmaps, secrets and other objects its pods use. "Used by its
 * pods" is approximated as "in a namespace where it has pods" (devicemodels: "where it has devices"), which needs one
 * list per node instead of reading every pod spec.
 *
 * The rules are here; what they need to know about the cluster comes through NodeObjectLookup, so they are tested
 * against the real API server (kube-lookup.ts) and can run against anything else that answers the same questions.
 */
import { Operation, readJsonContent, type Message } from '../../pkg/message';

export type RefusalReason =
  /** The object belongs to another node. */
  | 'other_node'
  /** The object is not bound to any node, or the event is about an object the node does not own. */
  | 'not_bound'
  /** The object does not exist, so it cannot be bound to the node. */
  | 'not_found'
  /** Edge nodes may not do this to this kind of object at all. */
  | 'unsupported'
  /** The resource or content cannot be read. */
  | 'malformed'
  /** The cluster could not be asked; the edge retries. */
  | 'lookup_failed';

export type Authorization = { readonly allowed: true } | { readonly allowed: false; readonly reason: RefusalReason; readonly message: string };

export interface NodeAuthorizer {
  /** Decides whether `node` may send `message` (its edge-side resource, before the `node/<node>/` prefix). */
  authorize(node: string, message: Message): Promise<Authorization>;
}

/** The questions the rules ask about the cluster. */
export interface NodeObjectLookup {
  /** spec.nodeName of the pod ('' when unscheduled), or null when there is no such pod. */
  podNode(namespace: string, name: string): Promise<string | null>;
  /** spec.nodeName of the device ('' when unbound), or null when there is no such device. */
  deviceNode(namespace: string, name: string): Promise<string | null>;
  /** Namespaces where pods bound to the node live. */
  podNamespaces(node: string): Promise<ReadonlySet<string>>;
  /** Namespaces where devices bound to the node live. */
  deviceNamespaces(node: string): Promise<ReadonlySet<string>>;
}

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

const ALLOWED: Authorization = { allowed: true };
const READ_OPERATIONS: ReadonlySet<Operation> = new Set([Operation.OPERATION_QUERY, Operation.OPERATION_GET, Operation.OPERATION_LIST]);
/** Objects a node may read in the namespaces of its pods. */
const POD_DEPENDENCIES: ReadonlySet<string> = new Set([
  'configmap',
  'secret',
  'serviceaccounttoken',
  'persistentvolumeclaim',
  'service',
  'endpoints',
]);

const refuse = (reason: RefusalReason, message: string): Authorization => ({ allowed: false, reason, message });

export function createNodeAuthorizer(lookup: NodeObjectLookup): NodeAuthorizer {
  return {
    async authorize(node, message) {
      const route = message.route!;
      const operation = route.operation;
      if (operation === Operation.OPERATION_KEEPALIVE) return ALLOWED;
      // Answers to the cloud's own queries: the cloud module that asked decides what to do with them.
      const answers = operation === Operation.OPERATION_RESPONSE || operation === Operation.OPERATION_ERROR;
      if (answers && message.header!.parentId !== '') return ALLOWED;
      try {
        if (route.group === 'resource') return await resourceRule(lookup, node, message, READ_OPERATIONS.has(operation));
        if (route.group === 'twin') return await twinRule(lookup, node, route.resource);
      } catch (error) {
        return refuse('lookup_failed', `cannot check ${route.resource} for node ${node}: ${(error as Error).message}; retry later`);
      }
      // Application data (group user) is routed by Rule objects and is not about cluster objects.
      return ALLOWED;
    },
  };
}

async function resourceRule(lookup: NodeObjectLookup, node: string, message: Message, read: boolean): Promise<Authorization> {
  const resource = message.route!.resource;
  const [namespace = '', type = '', name = ''] = resource.split('/');
  if (namespace === '' || type === '') {
    return refuse('malformed', `route.resource ${JSON.stringify(resource)} is not <namespace>/<type>[/<name>]`);
  }
  const verb = read ? 'read' : 'write';
  switch (type) {
    case 'node':
    case 'nodestatus':
    case 'nodepatch':
      return name === node ? ALLOWED : refuse('other_node', `node ${node} may not ${verb} ${type} of node ${JSON.stringify(name)}, only its own`);
    case 'lease':
      return namespace === NODE_LEASE_NAMESPACE && name === node
        ? ALLOWED
        : refuse('other_node', `node ${node} may only ${verb} its own lease ${NODE_LEASE_NAMESPACE}/${node}, not ${namespace}/${name}`);
    case 'pod':
    case 'podstatus':
    case 'podpatch':
      return podRule(lookup, node, message, namespace, name, verb);
    case 'event':
      return read ? refuse('unsupported', `edge nodes may not read events`) : eventRule(lookup, node, message);
    case 'device':
      return deviceRule(lookup, node, namespace, name, verb);
    case 'devicemodel':
      if (!read) return refuse('unsupported', `edge nodes may not write devicemodels`);
      return inNamespaces(await lookup.deviceNamespaces(node), node, namespace, type, 'devices');
    default:
      if (POD_DEPENDENCIES.has(type)) {
        if (!read) return refuse('unsupported', `edge nodes may not write ${type}s`);
        return inNamespaces(await lookup.podNamespaces(node), node, namespace, type, 'pods');
      }
      return refuse('unsupported', `edge nodes may not ${verb} ${JSON.stringify(type)} objects`);
  }
}

async function podRule(
  lookup: NodeObjectLookup,
  node: string,
  message: Message,
  namespace: string,
  name: string,
  verb: string,
): Promise<Authorization> {
  if (name === '') return refuse('unsupported', `edge nodes may only ${verb} pods by name, not all pods of ${namespace}`);
  if (message.route!.operation === Operation.OPERATION_INSERT) {
    // A pod the edge creates (a static pod's mirror) must be bound to the edge in what it sends.
    const bound = contentField(message, (pod) => (pod as { spec?: { nodeName?: unknown } }).spec?.nodeName);
    if (bound !== node) return refuse('other_node', `node ${node} may only create pods with spec.nodeName ${node}, not ${JSON.stringify(bound ?? '')}`);
  }
  const boundTo = await lookup.podNode(namespace, name);
  if (boundTo === null) {
    // Creating a mirror pod needs no existing one; a delete (the edge confirming a deletion) of a pod already gone
    // changes nothing, and edgecontroller answers it as done. The delete carries the pod's uid, so a pod created
    // under that name meanwhile is safe.
    const operation = message.route!.operation;
    return operation === Operation.OPERATION_INSERT || operation === Operation.OPERATION_DELETE
      ? ALLOWED
      : refuse('not_found', `pod ${namespace}/${name} does not exist, so node ${node} may not ${verb} it`);
  }
  return bindingDecision(boundTo, node, `pod ${namespace}/${name}`, verb);
}

async function eventRule(lookup: NodeObjectLookup, node: string, message: Message): Promise<Authorization> {
  const involved = contentField(message, (event) => (event as { involvedObject?: unknown }).involvedObject) as
    | { kind?: unknown; namespace?: unknown; name?: unknown }
    | undefined;
  if (typeof involved?.kind !== 'string' || typeof involved.name !== 'string') {
    return refuse('malformed', 'content: an event must carry involvedObject.kind and involvedObject.name');
  }
  const namespace = typeof involved.namespace === 'string' ? involved.namespace : '';
  const about = `${involved.kind} ${namespace === '' ? '' : `${namespace}/`}${involved.name}`;
  switch (involved.kind) {
    case 'Node':
      return involved.name === node ? ALLOWED : refuse('other_node', `node ${node} may not report events about ${about}`);
    case 'Pod': {
      const boundTo = await lookup.podNode(namespace, involved.name);
      if (boundTo === null) return refuse('not_found', `node ${node} may not report events about ${about}: it does not exist`);
      return bindingDecision(boundTo, node, about, 'report events about');
    }
    case 'Device': {
      const boundTo = await lookup.deviceNode(namespace, involved.name);
      if (boundTo === null) return refuse('not_found', `node ${node} may not report events about ${about}: it does not exist`);
      return bindingDecision(boundTo, node, about, 'report events about');
    }
    default:
      return refuse('not_bound', `node ${node} may only report events about itself, its pods and its devices, not ${about}`);
  }
}

async function deviceRule(lookup: NodeObjectLookup, node: string, namespace: string, name: string, verb: string): Promise<Authorization> {
  if (name === '') return refuse('unsupported', `edge nodes may only ${verb} devices by name`);
  const boundTo = await lookup.deviceNode(namespace, name);
  if (boundTo === null) return refuse('not_found', `device ${namespace}/${name} does not exist, so node ${node} may not ${verb} it`);
  return bindingDecision(boundTo, node, `device ${namespace}/${name}`, verb);
}

/**
 * Many devices' twin and state reports in one message (devicetwin's cloud sync, when more than one device has
 * changes). It names no single device, so DeviceController checks each entry's binding itself (upstream.ts).
 */
const DEVICE_BATCH_RESOURCE = 'device/batch/report';

/**
 * Twin traffic: `device/<namespace>/<name>/...` for a device bound to the node, the node's own membership, or a batch
 * of reports (checked entry by entry downstream).
 */
async function twinRule(lookup: NodeObjectLookup, node: string, resource: string): Promise<Authorization> {
  if (resource === DEVICE_BATCH_RESOURCE) return ALLOWED;
  const [kind = '', namespace = '', name = ''] = resource.split('/');
  if (kind === 'membership') return ALLOWED;
  if (kind !== 'device' || namespace === '' || name === '') {
    return refuse('malformed', `route.resource ${JSON.stringify(resource)}: twin messages are about device/<namespace>/<name>/... or membership`);
  }
  return deviceRule(lookup, node, namespace, name, 'update the twin of');
}

function bindingDecision(boundTo: string, node: string, what: string, verb: string): Authorization {
  if (boundTo === node) return ALLOWED;
  if (boundTo === '') return refuse('not_bound', `${what} is not bound to any node, so node ${node} may not ${verb} it`);
  return refuse('other_node', `${what} is bound to another node, so node ${node} may not ${verb} it`);
}

function inNamespaces(namespaces: ReadonlySet<string>, node: string, namespace: string, type: string, owners: string): Authorization {
  return namespaces.has(namespace)
    ? ALLOWED
    : refuse('not_bound', `node ${node} may only read ${type}s in namespaces where it has ${owners}, and ${namespace} is not one`);
}

/** A field of the JSON content, or undefined when the content is not JSON or lacks it. */
function contentField(message: Message, pick: (value: object) => unknown): unknown {
  try {
    const value = readJsonContent(message);
    return value !== null && typeof value === 'object' ? pick(value) : undefined;
  } catch {
    return undefined;
  }
}
