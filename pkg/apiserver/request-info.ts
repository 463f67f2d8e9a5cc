/**
 * What a request asks for, read from its path and method the way the Kubernetes API server reads it:
 *   /api/v1[/namespaces/{ns}]/{resource}[/{name}[/{subresource}]]
 *   /apis/{group}/{version}[/namespaces/{ns}]/{resource}[/{name}[/{subresource}]]
 * `namespaces` itself is a resource: /api/v1/namespaces/{name}[/{subresource}] (status, finalize).
 */
import { badRequest, methodNotAllowed } from './status';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface ResourceRequest {
  group: string;
  version: string;
  namespace: string;
  resource: string;
  name: string;
  subresource: string;
  verb: Verb;
}

/** Parses a resource path; undefined when the path is not a resource path (discovery, openapi, health...). */
export function parseResourcePath(method: string, path: string, query: URLSearchParams): ResourceRequest | undefined {
  const parts = path.split('/').filter((p) => p.length > 0).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else {
    return undefined;
  }

  let namespace = '';
  // /namespaces/{ns}/{resource}... ; but /namespaces, /namespaces/{name} and its subresources (status, finalize)
  // address namespaces themselves.
  const namespaceSubresource = rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize');
  if (rest[0] === 'namespaces' && rest.length >= 3 && !namespaceSubresource) {
    namespace = rest[1]!;
    rest = rest.slice(2);
  }
  const [resource, name = '', subresource = '', ...extra] = rest;
  if (!resource || extra.length > 0) return undefined;

  const watchParam = query.get('watch');
  const watching = watchParam === 'true' || watchParam === '1';
  return { group, version, namespace, resource, name, subresource, verb: verbFor(method, name !== '', watching) };
}

function verbFor(method: string, named: boolean, watching: boolean): Verb {
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (watching) return 'watch';
      return named ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      if (!named) throw methodNotAllowed('PUT needs an object name in the path');
      return 'update';
    case 'PATCH':
      if (!named) throw methodNotAllowed('PATCH needs an object name in the path');
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      throw badRequest(`unsupported HTTP method ${method}`);
  }
}
