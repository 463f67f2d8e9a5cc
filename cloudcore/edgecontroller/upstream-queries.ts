/**
 * Reads the edge asks for while connected (metamanager forwards them and caches the answer):
 * configmaps and secrets from the informer caches (the same objects the downstream sends), the node's own Node, and
 * service account tokens through the TokenRequest API. An absent object is an UpstreamError NOT_FOUND, which
 * metamanager and edged read as "absent".
 */
import type { Message } from '../../pkg/message';
import { isNotFound, KubeApiError, NAMESPACE_INDEX, RESOURCES, resourcePath, type CacheReader, type Client, type KubeObject } from '../../pkg/kube';
import { readTokenRequestSpec } from './upstream-content';
import { UpstreamError } from './upstream-errors';

export interface QueryDeps {
  client: Client;
  configMaps: CacheReader<KubeObject>;
  secrets: CacheReader<KubeObject>;
}

/** The object types a query may name. */
export const QUERY_TYPES = ['configmap', 'secret', 'node', 'serviceaccounttoken'] as const;

const SERVICE_ACCOUNTS = { apiVersion: 'v1', plural: 'serviceaccounts', kind: 'ServiceAccount' } as const;

/** Answers a query of `<namespace>/<type>/<name>` (or of `<namespace>/<type>`: a list); the value is sent as JSON. */
export async function answerQuery(deps: QueryDeps, query: { namespace: string; type: string; name: string }, message: Message, signal: AbortSignal): Promise<unknown> {
  const { namespace, type, name } = query;
  switch (type) {
    case 'configmap':
    case 'secret': {
      const cache = type === 'configmap' ? deps.configMaps : deps.secrets;
      if (name === '') return cache.byIndex(NAMESPACE_INDEX, namespace);
      const object = cache.get(`${namespace}/${name}`);
      if (!object) throw new UpstreamError('NOT_FOUND', `${type} ${namespace}/${name} not found`);
      return object;
    }
    case 'node':
      // Nodes are cluster-scoped: the namespace (registerNodeNamespace) is ignored, as in KubeEdge.
      try {
        return await deps.client.resource(RESOURCES.nodes).get(name, { signal });
      } catch (error) {
        if (isNotFound(error)) throw new UpstreamError('NOT_FOUND', `node ${name} not found`, { cause: error });
        throw error;
      }
    case 'serviceaccounttoken':
      return requestToken(deps.client, namespace, name, readTokenRequestSpec(message), signal);
    default:
      throw new UpstreamError('UNSUPPORTED', `edgecontroller answers queries of ${QUERY_TYPES.join(', ')}, not ${JSON.stringify(type)}`);
  }
}

/** POST serviceaccounts/<name>/token; answers the TokenRequest with its status (token, expirationTimestamp). */
async function requestToken(client: Client, namespace: string, name: string, spec: Record<string, unknown>, signal: AbortSignal): Promise<unknown> {
  try {
    return await client.transport.request({
      method: 'POST',
      path: resourcePath(SERVICE_ACCOUNTS, namespace, name, 'token'),
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: { name, namespace }, spec },
      signal,
    });
  } catch (error) {
    if (!(error instanceof KubeApiError) || (error.code !== 404 && error.code !== 405)) throw error;
  }
  // 404 means either no such service account or no TokenRequest API: tell which.
  try {
    await client.resource(SERVICE_ACCOUNTS).get(name, { namespace, signal });
  } catch (error) {
    if (isNotFound(error)) throw new UpstreamError('NOT_FOUND', `serviceaccount ${namespace}/${name} not found`, { cause: error });
    throw error;
  }
  throw new UpstreamError(
    'UNSUPPORTED',
    `serviceaccounttoken ${namespace}/${name}: the API server does not serve the TokenRequest API (POST serviceaccounts/${name}/token), ` +
      'so projected service account tokens cannot be issued; mark the projection optional or use a cluster whose API server issues tokens',
  );
}
