/**
 * delete and deletecollection with the real server's semantics: preconditions, finalizers (an object with finalizers is
 * only marked with deletionTimestamp), propagationPolicy (Foreground and Orphan add their finalizers for the garbage
 * collector), graceful deletion of pods bound to a node (the node's agent confirms with gracePeriodSeconds=0) and
 * namespaces (Terminating until the namespace controller has emptied and finalized them).
 */
import { decodeBody, readBody } from '../body';
import { writeJson, writeText } from '../respond';
import type { ServedType } from '../served-type';
import { badRequest, conflict, notFound } from '../status';
import { isStorageError, type KubeObject } from '../storage';
import { listObjects } from './read';
import { finalizersOf, readyToRemove, rfc3339 } from './object-meta';
import { isDryRun, keyOf, present, presentJson, toStorage, type RequestScope } from './scope';

interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
}

export async function remove(scope: RequestScope): Promise<void> {
  const options = await readDeleteOptions(scope);
  const { code, object } = await deleteOne(scope, scope.info.name, options);
  writeText(scope.res, code, JSON.stringify(object), 'application/json');
}

export async function removeCollection(scope: RequestScope): Promise<void> {
  const options = await readDeleteOptions(scope);
  const objects = listObjects(scope);
  for (const object of objects) {
    try {
      await deleteOne({ ...scope, info: { ...scope.info, namespace: String(object.metadata.namespace ?? '') } }, String(object.metadata.name), options);
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && (error as { code: unknown }).code === 404)) throw error;
    }
  }
  writeJson(scope.res, 200, {
    kind: scope.type.listKind,
    apiVersion: scope.type.group ? `${scope.type.group}/${scope.type.version}` : scope.type.version,
    metadata: { resourceVersion: String(scope.parts.store.revision) },
    items: objects,
  });
}

/** 200 with the deleted object, or 202 with the object marked for deletion when something must finish first. */
async function deleteOne(scope: RequestScope, name: string, options: DeleteOptions): Promise<{ code: number; object: KubeObject }> {
  const { type, parts } = scope;
  const key = keyOf(scope, name);
  const stored = parts.store.get(key);
  if (!stored) throw notFound(type, name);
  const current = present(type, stored);
  checkPreconditions(type, name, current, options);

  const addFinalizer = { Foreground: 'foregroundDeletion', Orphan: 'orphan', Background: undefined }[options.propagationPolicy ?? 'Background'];
  const graceSeconds = gracePeriodFor(type, current, options);
  const marked = structuredClone(current);
  const meta = marked.metadata;
  const now = parts.now().getTime();
  // A first delete sets the deadline; a later one with a shorter grace period brings it forward (kubectl --grace-period).
  if (!meta.deletionTimestamp || graceSeconds < Number(meta.deletionGracePeriodSeconds ?? Infinity)) {
    meta.deletionTimestamp = rfc3339(new Date(now + graceSeconds * 1000));
    meta.deletionGracePeriodSeconds = graceSeconds;
  }
  if (addFinalizer && !finalizersOf(marked).includes(addFinalizer)) meta.finalizers = [...finalizersOf(marked), addFinalizer];
  if (type.kind === 'Namespace') marked.status = { ...(marked.status as object | undefined), phase: 'Terminating' };

  if (graceSeconds === 0 && readyToRemove(marked)) {
    if (isDryRun(scope.query)) return { code: 200, object: current };
    const deleted = await parts.store.delete(key, { expectedRevision: stored.revision }).catch(rethrow(type, name));
    return { code: 200, object: JSON.parse(presentJson(type, deleted)) as KubeObject };
  }
  if (isDryRun(scope.query)) return { code: 202, object: marked };
  const updated = await parts.store
    .update(key, toStorage(type, marked), { expectedRevision: stored.revision })
    .catch(rethrow(type, name));
  return { code: 202, object: JSON.parse(presentJson(type, updated)) as KubeObject };
}

/** Only pods bound to a node wait for their agent; everything else goes at once unless it has finalizers. */
function gracePeriodFor(type: ServedType, object: KubeObject, options: DeleteOptions): number {
  if (type.kind !== 'Pod' || !(object.spec as { nodeName?: string } | undefined)?.nodeName) return 0;
  if (options.gracePeriodSeconds !== undefined) return Math.max(0, options.gracePeriodSeconds);
  return Number((object.spec as { terminationGracePeriodSeconds?: number }).terminationGracePeriodSeconds ?? 30);
}

function checkPreconditions(type: ServedType, name: string, object: KubeObject, options: DeleteOptions): void {
  const pre = options.preconditions;
  if (pre?.uid && pre.uid !== object.metadata.uid) {
    throw conflict(type, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${String(object.metadata.uid)}`);
  }
  if (pre?.resourceVersion && pre.resourceVersion !== object.metadata.resourceVersion) {
    throw conflict(type, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${String(object.metadata.resourceVersion)}`);
  }
}

/** DeleteOptions from the body (kubectl sends one) or the query string. */
async function readDeleteOptions(scope: RequestScope): Promise<DeleteOptions> {
  const body = await readBody(scope.req, scope.parts.maxBodyBytes);
  const fromBody =
    body.length > 0 && body.toString('utf8').trim() !== ''
      ? (decodeBody(body, scope.req.headers['content-type'] ?? 'application/json', { apiVersion: 'v1', kind: 'DeleteOptions' }) as DeleteOptions)
      : {};
  if (fromBody === null || typeof fromBody !== 'object') throw badRequest('the delete options must be a JSON object');
  const q = scope.query;
  const grace = q.get('gracePeriodSeconds') ?? fromBody.gracePeriodSeconds;
  const policy = q.get('propagationPolicy') ?? fromBody.propagationPolicy;
  if (policy !== undefined && policy !== null && !['Foreground', 'Background', 'Orphan'].includes(String(policy))) {
    throw badRequest(`propagationPolicy: Unsupported value: "${String(policy)}": supported values: "Foreground", "Background", "Orphan"`);
  }
  const orphan = q.get('orphanDependents') ?? (fromBody as { orphanDependents?: boolean }).orphanDependents;
  return {
    ...(grace !== undefined && grace !== null ? { gracePeriodSeconds: Number(grace) } : {}),
    ...(policy ? { propagationPolicy: policy as DeleteOptions['propagationPolicy'] } : String(orphan) === 'true' ? { propagationPolicy: 'Orphan' as const } : {}),
    ...(fromBody.preconditions ? { preconditions: fromBody.preconditions } : {}),
  };
}

const rethrow = (type: ServedType, name: string) => (error: unknown): never => {
  if (isStorageError(error) && error.code === 'NOT_FOUND') throw notFound(type, name);
  if (isStorageError(error) && error.code === 'CONFLICT') {
    throw conflict(type, name, 'the object has been modified; please apply your changes to the latest version and try again');
  }
  throw error;
};
