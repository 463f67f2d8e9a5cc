/**
 * Queries from edge modules. While the cloud is connected, types the cloud is the source of truth for are fetched from
 * it (through edgehub, with a timeout) and the answer is stored; offline, or when the cloud does not answer, the
 * local store answers. A cached answer goes through the same version rule as pushed changes, so a slow answer never
 * overwrites a newer pushed version.
 */
import { newMessage, Operation, type Message } from '../../pkg/message';
import { ModuleError, type ModuleContext } from '../../pkg/modules';
import { answerError, answerJson } from './answers';
import { checkObject, readJson } from './content';
import { decodeQuery, queryType, type Query } from './decode-query';
import { invalidField, MetaError } from './errors';
import { METAMANAGER } from './handle-change';
import type { MetaMetrics } from './metrics';
import { CLUSTER_SCOPE, parseObjectResource, type ObjectResource } from './resource';
import { parseResourceVersion } from './resource-version';
import type { MetaStore } from './store';

/** The edge module that carries messages to the cloud (group hub). */
export const EDGEHUB = 'edgehub';

/**
 * What KubeEdge's MetaManager fetches from the cloud while connected (facts 4.2). Pods and the like are pushed by the
 * cloud, so the store is already their truth, and edged's start-up pod list never waits for the cloud.
 */
export const DEFAULT_REMOTE_QUERY_TYPES: readonly string[] = [
  'configmap',
  'secret',
  'persistentvolume',
  'persistentvolumeclaim',
  'volumeattachment',
  'serviceaccounttoken',
  'lease',
  'certificatesigningrequest',
];

export interface QueryDeps {
  readonly store: MetaStore;
  readonly metrics: MetaMetrics;
  readonly isCloudConnected: () => boolean;
  readonly remoteQueryTypes: ReadonlySet<string>;
  readonly queryTimeoutMs: number;
}

export async function handleQuery(ctx: ModuleContext, deps: QueryDeps, message: Message): Promise<void> {
  const log = ctx.log.child({ msgId: message.header?.id, resource: message.route?.resource });
  if (!message.header?.sync) log.warn('a query sent without sendSync has nobody to answer; use sendSync');
  let query: Query;
  try {
    query = decodeQuery(message);
  } catch (error) {
    deps.metrics.error('invalid');
    log.warn({ err: error }, 'refused a query');
    answerError(ctx, message, error);
    return;
  }
  let cloudRefusal = '';
  // A list of every namespace is the store's alone: the cloud answers objects and lists in one namespace.
  const allNamespaces = query.kind === 'list' && query.namespace === undefined;
  if (!allNamespaces && deps.isCloudConnected() && deps.remoteQueryTypes.has(queryType(query))) {
    try {
      const answer = await ctx.sendSync(EDGEHUB, forwardOf(message), deps.queryTimeoutMs);
      if (answer.route?.operation === Operation.OPERATION_RESPONSE) {
        await cacheAnswer(ctx, deps, query, answer);
        deps.metrics.query('cloud');
        answerJson(ctx, message, answer.content);
        return;
      }
      cloudRefusal = describeCloudError(answer);
      deps.metrics.remoteFallback('error');
      log.info({ cloudAnswer: cloudRefusal }, 'the cloud refused a query; answering from the local store');
    } catch (error) {
      const timedOut = error instanceof ModuleError && error.code === 'SYNC_TIMEOUT';
      deps.metrics.remoteFallback(timedOut ? 'timeout' : 'error');
      cloudRefusal = (error as Error).message;
      log.info({ err: error }, 'the cloud did not answer a query; answering from the local store');
    }
  }
  await answerFromStore(ctx, deps, query, message, cloudRefusal);
}

async function answerFromStore(
  ctx: ModuleContext,
  deps: QueryDeps,
  query: Query,
  message: Message,
  cloudRefusal: string,
): Promise<void> {
  try {
    if (query.kind === 'list') {
      const objects = await deps.store.list({ type: query.type, namespace: query.namespace });
      deps.metrics.query('store');
      // An empty list is an answer, not an error: e.g. a new node has no pods yet.
      answerJson(ctx, message, `[${objects.map((o) => o.json).join(',')}]`);
      return;
    }
    const object = await deps.store.get(query.key);
    if (object === undefined) {
      const why = cloudRefusal === '' ? 'the cloud is not connected' : `the cloud did not answer: ${cloudRefusal}`;
      answerError(ctx, message, new MetaError('NOT_FOUND', `${query.key} not found locally (${why})`));
      return;
    }
    deps.metrics.query('store');
    answerJson(ctx, message, object.json);
  } catch (error) {
    deps.metrics.error('storage');
    ctx.log.error({ err: error, resource: message.route?.resource }, 'could not read the local store');
    answerError(ctx, message, error);
  }
}

/**
 * A new message (own id: the caller's sendSync still waits on the original's) with the same operation, resource and
 * content, in group resource, which cloudhub hands to edgecontroller.
 */
function forwardOf(query: Message): Message {
  return newMessage({
    source: METAMANAGER,
    group: 'resource',
    operation: query.route!.operation,
    resource: query.route!.resource,
    content: query.content,
    contentType: query.contentType,
  });
}

/**
 * Stores what the cloud answered: one object, or a list (a JSON array, or a Kubernetes List's items). An answer that
 * cannot be stored is still passed on; it is logged and counted.
 */
async function cacheAnswer(ctx: ModuleContext, deps: QueryDeps, query: Query, answer: Message): Promise<void> {
  const failed = (error: unknown): void => {
    deps.metrics.error('cache');
    ctx.log.warn({ err: error, resource: answer.route?.resource }, 'could not store the cloud answer to a query');
  };
  let content;
  try {
    content = readJson(answer);
    if (content === undefined) return;
    if (query.kind === 'get') {
      await cacheObject(deps, query.resource, content.value, content.text, answer.header?.resourceVersion ?? '', 'content');
      return;
    }
  } catch (error) {
    failed(error);
    return;
  }
  const items = Array.isArray(content.value) ? content.value : (content.value as { items?: unknown } | null)?.items;
  if (!Array.isArray(items)) {
    failed(new MetaError('INVALID', 'content: a list answer must be a JSON array, or an object with items'));
    return;
  }
  // One bad item does not keep the others out.
  for (const [index, item] of items.entries()) {
    const field = `content[${index}]`;
    try {
      const name = (item as { metadata?: { name?: unknown } } | null)?.metadata?.name;
      if (typeof name !== 'string' || name === '') throw invalidField(`${field}.metadata.name`, 'is missing');
      const resource = parseObjectResource(`${query.namespace ?? CLUSTER_SCOPE}/${query.type}/${name}`, `${field}.metadata.name`);
      await cacheObject(deps, resource, item, JSON.stringify(item), '', field);
    } catch (error) {
      failed(error);
    }
  }
}

async function cacheObject(
  deps: QueryDeps,
  resource: ObjectResource,
  value: unknown,
  json: string,
  headerVersion: string,
  field: string,
): Promise<void> {
  const object = checkObject(value, resource, field);
  const [version, versionField] =
    headerVersion !== ''
      ? [headerVersion, 'header.resourceVersion']
      : [object.metadata.resourceVersion ?? '', `${field}.metadata.resourceVersion`];
  const resourceVersion = parseResourceVersion(version, versionField);
  await deps.store.apply({ kind: 'upsert', resource, resourceVersion, json });
}

function describeCloudError(answer: Message): string {
  try {
    const value = readJson(answer)?.value as { message?: unknown } | undefined;
    if (typeof value?.message === 'string') return value.message;
  } catch {
    // fall through: an error answer without the usual shape
  }
  return 'an error without a reason';
}
