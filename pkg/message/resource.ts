/**
 * KubeEdge's resource strings. Cloud modules address an object on a node as `node/<node>/<namespace>/<type>/<name>`;
 * CloudHub strips `node/<node>/` on the way down, so edge modules see `<namespace>/<type>/<name>`, and adds it back on
 * the way up. Cluster-scoped objects use the namespace `null`. Types are KubeEdge's lower-case names (pod, configmap,
 * nodestatus, ...), which for plain objects is the lower-case kind.
 */

/** The namespace segment of a cluster-scoped object. */
export const CLUSTER_SCOPE = 'null';

const NODE_PREFIX = 'node/';

export interface EdgeResource {
  namespace: string;
  type: string;
  /** Empty when the resource names a type, not one object (a list or a query). */
  name: string;
}

/** `<namespace>/<type>[/<name>]` as edge modules see it. */
export function edgeResource({ namespace, type, name }: EdgeResource): string {
  const scope = namespace === '' ? CLUSTER_SCOPE : namespace;
  return name === '' ? `${scope}/${type}` : `${scope}/${type}/${name}`;
}

/** `node/<node>/<namespace>/<type>[/<name>]` as cloud modules see it. */
export function cloudResource(node: string, resource: EdgeResource): string {
  return nodeResource(node, edgeResource(resource));
}

/** `node/<node>/<rest>`, or `node/<node>` when there is no rest: what CloudHub makes of an edge resource coming up. */
export function nodeResource(node: string, rest: string): string {
  return rest === '' ? `${NODE_PREFIX}${node}` : `${NODE_PREFIX}${node}/${rest}`;
}

/** The edge resource of a Kubernetes object: its namespace (or null), its lower-case kind, its name. */
export function objectResource(object: { kind?: string; metadata?: { namespace?: string; name?: string } }): EdgeResource {
  return { namespace: object.metadata?.namespace ?? '', type: (object.kind ?? '').toLowerCase(), name: object.metadata?.name ?? '' };
}

/**
 * Splits a cloud-side resource into its node and the edge-side rest, or undefined when it does not start with
 * `node/<node>/`. `node/<node>` alone (connection events) gives an empty rest.
 */
export function splitNodeResource(resource: string): { node: string; rest: string } | undefined {
  if (!resource.startsWith(NODE_PREFIX)) return undefined;
  const slash = resource.indexOf('/', NODE_PREFIX.length);
  const node = slash === -1 ? resource.slice(NODE_PREFIX.length) : resource.slice(NODE_PREFIX.length, slash);
  if (node === '') return undefined;
  return { node, rest: slash === -1 ? '' : resource.slice(slash + 1) };
}

/**
 * Parses `<namespace>/<type>[/<name>]`; undefined when it has fewer than two or more than three non-empty segments.
 * A name may not contain '/', as in Kubernetes.
 */
export function parseEdgeResource(resource: string): EdgeResource | undefined {
  const parts = resource.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((part) => part === '')) return undefined;
  const [scope, type, name = ''] = parts as [string, string, string?];
  return { namespace: scope === CLUSTER_SCOPE ? '' : scope, type, name };
}
