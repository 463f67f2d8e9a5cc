/** pods/binding (the scheduler's write), /scale (autoscaling/v1 Scale) and namespaces/finalize. */
import { decodeBody, expectObject, readBody } from '../body';
import { writeJson, writeText } from '../respond';
import type { ScaleSpec, ServedType } from '../served-type';
import { badRequest, conflict, invalid, notFound } from '../status';
import { isStorageError, type KubeObject } from '../storage';
import { bindPod, validateBinding } from '../builtin';
import { readyToRemove, rfc3339 } from './object-meta';
import { keyOf, present, presentJson, toStorage, type RequestScope } from './scope';

/** POST pods/{name}/binding: sets spec.nodeName once; a second binding is a conflict, as with the real server. */
export async function bind(scope: RequestScope): Promise<void> {
  const body = await readBody(scope.req, scope.parts.maxBodyBytes);
  const binding = expectObject(decodeBody(body, scope.req.headers['content-type'], { apiVersion: 'v1', kind: 'Binding' }), 'the binding');
  const causes = validateBinding(binding);
  if (causes.length > 0) throw invalid('Binding', '', scope.info.name, causes);
  const now = rfc3339(scope.parts.now());
  await scope.parts.store
    .guaranteedUpdate(keyOf(scope), (pod) => {
      const bound = bindPod(pod, binding, now);
      if ('conflict' in bound) throw conflict(scope.type, scope.info.name, bound.conflict);
      return bound.pod as KubeObject;
    })
    .catch(notFoundAs(scope.type, scope.info.name));
  writeJson(scope.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}

/** GET/PUT/PATCH {resource}/{name}/scale through an autoscaling/v1 Scale view of the object. */
export async function scale(scope: RequestScope): Promise<void> {
  const spec = scope.type.scale;
  if (!spec) throw notFound(scope.type, `${scope.info.name}/scale`);
  if (scope.info.verb === 'get') {
    const stored = scope.parts.store.get(keyOf(scope));
    if (!stored) throw notFound(scope.type, scope.info.name);
    writeJson(scope.res, 200, scaleOf(present(scope.type, stored), spec));
    return;
  }
  if (scope.info.verb !== 'update' && scope.info.verb !== 'patch') throw badRequest(`scale does not support ${scope.info.verb}`);
  const raw = await readBody(scope.req, scope.parts.maxBodyBytes);
  const body = expectObject(decodeBody(raw, scope.req.headers['content-type'] ?? 'application/json', { apiVersion: 'autoscaling/v1', kind: 'Scale' }), 'the scale');
  const replicas = (body.spec as { replicas?: unknown } | undefined)?.replicas;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw invalid('Scale', 'autoscaling', scope.info.name, [
      { type: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` },
    ]);
  }
  const stored = await scope.parts.store
    .guaranteedUpdate(keyOf(scope), (raw) => {
      const object = scope.type.fromStorage ? scope.type.fromStorage(raw) : raw;
      setPath(object, spec.specReplicasPath, replicas);
      object.metadata.generation = Number(object.metadata.generation ?? 0) + 1;
      return toStorage(scope.type, object);
    })
    .catch(notFoundAs(scope.type, scope.info.name));
  writeJson(scope.res, 200, scaleOf(present(scope.type, stored), spec));
}

/** PUT namespaces/{name}/finalize: the namespace controller removes its spec finalizer when the namespace is empty. */
export async function finalize(scope: RequestScope): Promise<void> {
  const raw = await readBody(scope.req, scope.parts.maxBodyBytes);
  const body = expectObject(decodeBody(raw, scope.req.headers['content-type'] ?? 'application/json', { apiVersion: 'v1', kind: 'Namespace' }), 'the namespace');
  const finalizers = ((body.spec as { finalizers?: unknown } | undefined)?.finalizers ?? []) as unknown;
  if (!Array.isArray(finalizers)) throw badRequest('spec.finalizers: must be a list of strings');
  const key = keyOf(scope);
  const stored = await scope.parts.store
    .guaranteedUpdate(key, (ns) => {
      ns.spec = { ...(ns.spec as object | undefined), finalizers };
      return ns;
    })
    .catch(notFoundAs(scope.type, scope.info.name));
  if (readyToRemove(stored.object)) {
    const deleted = await scope.parts.store.delete(key).catch(notFoundAs(scope.type, scope.info.name));
    writeText(scope.res, 200, presentJson(scope.type, deleted), 'application/json');
    return;
  }
  writeText(scope.res, 200, presentJson(scope.type, stored), 'application/json');
}

function scaleOf(object: KubeObject, spec: ScaleSpec): Record<string, unknown> {
  const selector = spec.selector ? spec.selector(object) : spec.labelSelectorPath ? getPath(object, spec.labelSelectorPath) : undefined;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: object.metadata.name,
      namespace: object.metadata.namespace,
      uid: object.metadata.uid,
      resourceVersion: object.metadata.resourceVersion,
      creationTimestamp: object.metadata.creationTimestamp,
    },
    spec: { replicas: Number(getPath(object, spec.specReplicasPath) ?? 0) },
    status: {
      replicas: Number(getPath(object, spec.statusReplicasPath) ?? 0),
      ...(selector !== undefined ? { selector: selectorString(selector) } : {}),
    },
  };
}

/** Scale.status.selector is the label selector in its string form. */
function selectorString(selector: unknown): string {
  if (typeof selector === 'string') return selector;
  const labels = (selector as { matchLabels?: Record<string, string> }).matchLabels ?? {};
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
}

/** `.spec.replicas`-style paths, as CRD scale subresources and built-in types name them. */
function getPath(object: unknown, path: string): unknown {
  return path.replace(/^\./, '').split('.').reduce<unknown>((value, part) => (value as Record<string, unknown> | undefined)?.[part], object);
}

function setPath(object: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.replace(/^\./, '').split('.');
  let at = object;
  for (const part of parts.slice(0, -1)) at = (at[part] ??= {}) as Record<string, unknown>;
  at[parts[parts.length - 1]!] = value;
}

const notFoundAs = (type: ServedType, name: string) => (error: unknown): never => {
  if (isStorageError(error) && error.code === 'NOT_FOUND') throw notFound(type, name);
  throw error;
};
