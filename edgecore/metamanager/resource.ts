/**
 * Edge resource strings (facts 2.4): cloudhub strips `node/<node>/` on the way down, so the edge sees
 * `<namespace>/<type>/<name>` for an object and `<namespace>/<type>` for a list. Cluster-scoped objects use the
 * namespace `null`. The whole object string is the store's key, as KubeEdge's meta table has it.
 */
import { CLUSTER_SCOPE } from '../../pkg/message';
import { invalidField } from './errors';

export { CLUSTER_SCOPE };

export interface EdgeResource {
  readonly namespace: string;
  /** KubeEdge's lower-case type name: pod, configmap, secret, node, lease, device... */
  readonly type: string;
  /** Absent for a list resource. */
  readonly name?: string;
}

export interface ObjectResource extends EdgeResource {
  readonly name: string;
}

const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const TYPE = /^[a-z][a-z0-9]{0,31}$/;
// Kubernetes names are DNS subdomains; devices and a few KubeEdge types allow a little more, so be lenient but bounded.
const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.:]{0,251}[A-Za-z0-9])?$/;
const EXAMPLE = 'write <namespace>/<type>/<name>, such as default/pod/nginx (namespace null for cluster-scoped objects)';

/** Parses `<namespace>/<type>[/<name>]`; throws INVALID naming `field` and the fix. */
export function parseEdgeResource(resource: string, field = 'route.resource'): EdgeResource {
  if (resource === '') throw invalidField(field, `is empty; ${EXAMPLE}`);
  const parts = resource.split('/');
  if (parts.length > 3) {
    const hint =
      parts[0] === 'node' ? '; it looks like a cloud-side resource, whose node/<node>/ prefix cloudhub strips' : '';
    throw invalidField(field, `${JSON.stringify(resource)} has ${parts.length} parts${hint}; ${EXAMPLE}`);
  }
  if (parts.length < 2) throw invalidField(field, `${JSON.stringify(resource)} names no type; ${EXAMPLE}`);
  const [namespace, type, name] = parts as [string, string, string | undefined];
  if (namespace !== CLUSTER_SCOPE && !NAMESPACE.test(namespace)) {
    throw invalidField(field, `namespace ${JSON.stringify(namespace)} is not a namespace name; ${EXAMPLE}`);
  }
  if (!TYPE.test(type)) {
    throw invalidField(field, `type ${JSON.stringify(type)} is not a KubeEdge resource type (lower-case, such as pod or configmap)`);
  }
  if (name === undefined) return { namespace, type };
  if (!NAME.test(name)) throw invalidField(field, `name ${JSON.stringify(name)} is not an object name; ${EXAMPLE}`);
  return { namespace, type, name };
}

/** Parses a resource that must name one object. */
export function parseObjectResource(resource: string, field = 'route.resource'): ObjectResource {
  const parsed = parseEdgeResource(resource, field);
  if (parsed.name === undefined) {
    throw invalidField(field, `${JSON.stringify(resource)} names no object; ${EXAMPLE}`);
  }
  return parsed as ObjectResource;
}

/** The store key of an object: its edge resource string. */
export function resourceKey(resource: ObjectResource): string {
  return `${resource.namespace}/${resource.type}/${resource.name}`;
}
