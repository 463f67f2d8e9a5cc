/**
 * A query from an edge module: one object (`get`, or `query` of `<ns>/<type>/<name>`), a list of one type in one
 * namespace (`<ns>/<type>`), or a list of one type in every namespace (`/<type>`: edged lists all its pods at start).
 */
import { Operation, type Message } from '../../pkg/message';
import { invalidField } from './errors';
import { CLUSTER_SCOPE, parseEdgeResource, resourceKey, type ObjectResource } from './resource';

export type Query =
  | { readonly kind: 'get'; readonly resource: ObjectResource; readonly key: string }
  /** `namespace` absent: every namespace. */
  | { readonly kind: 'list'; readonly namespace?: string; readonly type: string };

export function isQueryOperation(operation: Operation): boolean {
  return operation === Operation.OPERATION_QUERY || operation === Operation.OPERATION_GET || operation === Operation.OPERATION_LIST;
}

export function queryType(query: Query): string {
  return query.kind === 'get' ? query.resource.type : query.type;
}

export function decodeQuery(message: Message): Query {
  const operation = message.route?.operation;
  const raw = message.route?.resource ?? '';
  if (raw.startsWith('/') && raw.indexOf('/', 1) === -1) {
    if (operation === Operation.OPERATION_GET) {
      throw invalidField('route.resource', 'a get names one object: <namespace>/<type>/<name>; use list (or query) for /<type>');
    }
    // Checked as if cluster-scoped, so the type gets the usual validation and message.
    return { kind: 'list', type: parseEdgeResource(`${CLUSTER_SCOPE}${raw}`).type };
  }
  const resource = parseEdgeResource(raw);
  if (resource.name === undefined) {
    if (operation === Operation.OPERATION_GET) {
      throw invalidField('route.resource', 'a get names one object: <namespace>/<type>/<name>; use list (or query) for <namespace>/<type>');
    }
    return { kind: 'list', namespace: resource.namespace, type: resource.type };
  }
  if (operation === Operation.OPERATION_LIST) {
    throw invalidField('route.resource', 'a list names <namespace>/<type>, not one object; use get (or query) for one object');
  }
  const object = resource as ObjectResource;
  return { kind: 'get', resource: object, key: resourceKey(object) };
}
