/** create, update (PUT) and patch, for main resources and the /status subresource. */
import { decodeBody, expectObject, mediaType, readBody } from '../body';
import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  PatchError,
  strategicMergeSchemaFor,
  strategicMergeUnsupported,
  UNPROCESSABLE_MESSAGE,
} from '../patch';
import { writeText } from '../respond';
import type { ServedType } from '../served-type';
import {
  alreadyExists,
  badRequest,
  conflict,
  invalid,
  notFound,
  staleResourceVersion,
  StatusError,
  unsupportedMediaType,
} from '../status';
import { isStorageError, type KubeObject, type StoredObject } from '../storage';
import { checkNamespaceWritable } from './namespaces';
import { carryOver, generateSuffix, readyToRemove, stampNew } from './object-meta';
import { apiVersionFor, clone, isDryRun, keyOf, present, presentJson, toStorage, type RequestScope } from './scope';

export async function create(scope: RequestScope): Promise<void> {
  const { type, info, parts } = scope;
  const object = await readObject(scope);
  const meta = object.metadata;
  if (type.namespaced) {
    if (meta.namespace && info.namespace && meta.namespace !== info.namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    meta.namespace = info.namespace || meta.namespace || 'default';
    checkNamespaceWritable(parts, meta.namespace);
  } else {
    delete meta.namespace;
  }
  if (!meta.name && typeof meta.generateName === 'string' && meta.generateName) {
    meta.name = `${meta.generateName}${generateSuffix()}`;
  }
  if (!meta.name) {
    throw invalid(type.kind, type.group, '', [
      { type: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' },
    ]);
  }
  stampNew(object, parts.now());
  decodeAndDrop(scope, object);
  type.defaults(object);
  type.prepareForCreate?.(object);
  validateOrThrow(type, object);
  if (isDryRun(scope.query)) {
    writeText(scope.res, 201, JSON.stringify(object), 'application/json');
    return;
  }
  const key = keyOf(scope, meta.name);
  try {
    const stored = await parts.store.create(key, toStorage(type, object));
    writeText(scope.res, 201, presentJson(type, stored), 'application/json');
  } catch (error) {
    if (isStorageError(error) && error.code === 'EXISTS') throw alreadyExists(type, meta.name);
    throw error;
  }
}

export async function update(scope: RequestScope): Promise<void> {
  const next = await readObject(scope);
  if (next.metadata.name !== undefined && next.metadata.name !== scope.info.name) {
    throw badRequest(`the name of the object (${String(next.metadata.name)}) does not match the name on the URL (${scope.info.name})`);
  }
  next.metadata.name = scope.info.name;
  if (scope.type.namespaced) next.metadata.namespace = scope.info.namespace;
  const expected = next.metadata.resourceVersion;
  await writeChange(scope, () => next, expected ? String(expected) : undefined);
}

export async function patch(scope: RequestScope): Promise<void> {
  const contentType = mediaType(scope.req.headers['content-type']);
  const body = await readBody(scope.req, scope.parts.maxBodyBytes);
  const patchDoc = decodeBody(body, 'application/json');
  const apply = patchFunction(scope.type, contentType, patchDoc);
  await writeChange(scope, (current) => {
    const patched = apply(current);
    if (patched === null || typeof patched !== 'object' || Array.isArray(patched)) {
      throw badRequest('the patch must leave a JSON object');
    }
    const object = patched as KubeObject;
    object.metadata = (object.metadata ?? {}) as KubeObject['metadata'];
    if (object.metadata.name !== scope.info.name) throw badRequest('metadata.name: the name of the object cannot be changed by a patch');
    return object;
  }, preconditionOf(patchDoc));
}

/**
 * Read, change, validate and compare-and-swap one object. `change` gets a private copy of the current object as the
 * client sees it. With `expectedResourceVersion`, a stale client gets 409 Conflict instead of a retry.
 */
async function writeChange(
  scope: RequestScope,
  change: (current: KubeObject) => KubeObject,
  expectedResourceVersion: string | undefined,
): Promise<void> {
  const { type, parts, info } = scope;
  const key = keyOf(scope);
  const statusOnly = info.subresource === 'status';
  let result: KubeObject | undefined;
  let removed = false;
  try {
    const stored = await parts.store.guaranteedUpdate(key, (_raw, currentStored) => {
      const current = present(type, currentStored);
      if (expectedResourceVersion !== undefined && expectedResourceVersion !== String(currentStored.revision)) {
        throw staleResourceVersion(type, info.name);
      }
      const next = change(clone(current));
      checkKind(type, next);
      decodeAndDrop(scope, next);
      const prepared = carryOver(next, current, statusOnly);
      if (!statusOnly) {
        type.defaults(prepared);
        type.prepareForUpdate?.(prepared, current);
      }
      validateOrThrow(type, prepared, current);
      prepared.metadata.resourceVersion = String(currentStored.revision);
      result = prepared;
      if (readyToRemove(prepared)) {
        removed = true;
        return undefined;
      }
      return isDryRun(scope.query) ? undefined : toStorage(type, prepared);
    });
    if (removed && !isDryRun(scope.query)) {
      const deleted = await parts.store.delete(key, { expectedRevision: stored.revision });
      writeText(scope.res, 200, presentJson(type, deleted), 'application/json');
      return;
    }
    if (isDryRun(scope.query)) {
      writeText(scope.res, 200, JSON.stringify(result), 'application/json');
      return;
    }
    writeText(scope.res, 200, presentJson(type, stored), 'application/json');
  } catch (error) {
    if (isStorageError(error) && error.code === 'NOT_FOUND') throw notFound(type, info.name);
    if (isStorageError(error) && error.code === 'CONFLICT') {
      throw conflict(type, info.name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    throw error;
  }
}

type PatchFn = (current: KubeObject) => unknown;

function patchFunction(type: ServedType, contentType: string, patchDoc: unknown): PatchFn {
  const guard = (fn: PatchFn): PatchFn => (current) => {
    try {
      return fn(current);
    } catch (error) {
      throw error instanceof PatchError ? patchStatus(error) : error;
    }
  };
  switch (contentType) {
    case 'application/json-patch+json':
      return guard((current) => applyJsonPatch(current as never, patchDoc as never));
    case 'application/merge-patch+json':
      return guard((current) => applyMergePatch(current as never, patchDoc as never));
    case 'application/strategic-merge-patch+json': {
      const schema = strategicMergeSchemaFor({ group: type.group, kind: type.kind });
      if (!schema) throw patchStatus(strategicMergeUnsupported(['application/json-patch+json', 'application/merge-patch+json']));
      return guard((current) => applyStrategicMergePatch(current as never, patchDoc as never, schema));
    }
    case 'application/apply-patch+yaml':
      throw new StatusError(415, 'UnsupportedMediaType', 'server-side apply is not supported by this API server; use client-side kubectl apply (the default)');
    default:
      throw unsupportedMediaType(contentType);
  }
}

/** The Status the real server answers a failed patch with (see PatchError). */
function patchStatus(error: PatchError): StatusError {
  switch (error.status) {
    case 400:
      return new StatusError(400, 'BadRequest', error.message);
    case 413:
      return new StatusError(413, 'RequestEntityTooLarge', error.message);
    case 415:
      return new StatusError(415, 'UnsupportedMediaType', error.message);
    case 422:
      return new StatusError(422, 'Invalid', UNPROCESSABLE_MESSAGE, { causes: [{ message: error.message }] });
    case 500:
      return new StatusError(500, '', error.message);
  }
}

/** A patch that names a resourceVersion is a precondition on it, as with the real server. */
function preconditionOf(patchDoc: unknown): string | undefined {
  const meta = (patchDoc as { metadata?: { resourceVersion?: unknown } } | null)?.metadata;
  return typeof meta?.resourceVersion === 'string' && meta.resourceVersion !== '' ? meta.resourceVersion : undefined;
}

/** Reads and checks a full object body (create, update). */
async function readObject(scope: RequestScope): Promise<KubeObject> {
  const body = await readBody(scope.req, scope.parts.maxBodyBytes);
  const expected = { apiVersion: apiVersionFor(scope.type), kind: scope.type.kind };
  const object = expectObject(decodeBody(body, scope.req.headers['content-type'], expected), 'the request body') as KubeObject;
  if (object.metadata === undefined) object.metadata = {};
  if (object.metadata === null || typeof object.metadata !== 'object' || Array.isArray(object.metadata)) {
    throw badRequest('metadata: must be a JSON object');
  }
  checkKind(scope.type, object);
  return object;
}

/** Fills in apiVersion and kind when absent; refuses a body meant for another type. */
function checkKind(type: ServedType, object: KubeObject): void {
  const apiVersion = apiVersionFor(type);
  if (object.apiVersion === undefined || object.apiVersion === '') object.apiVersion = apiVersion;
  if (object.kind === undefined || object.kind === '') object.kind = type.kind;
  if (object.apiVersion !== apiVersion) {
    throw badRequest(`the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${apiVersion})`);
  }
  if (object.kind !== type.kind) {
    throw badRequest(`the kind in the data (${String(object.kind)}) does not match the expected kind (${type.kind})`);
  }
}

/**
 * What the real decoder does before anything else: refuse undecodable values (400), and drop fields the type does not
 * declare. ?fieldValidation=Strict turns dropped fields into a 400, Warn (the default) into a Warning header, Ignore
 * drops them silently.
 */
function decodeAndDrop(scope: RequestScope, object: KubeObject): void {
  const mode = scope.query.get('fieldValidation') ?? 'Warn';
  if (mode !== 'Strict' && mode !== 'Warn' && mode !== 'Ignore') {
    throw badRequest(`fieldValidation: Unsupported value: "${mode}": supported values: "Ignore", "Warn", "Strict"`);
  }
  const { type } = scope;
  const dropped = type.dropUnknownFields?.(object) ?? [];
  const decodeError = type.decodeError?.(object);
  if (decodeError) throw badRequest(`${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: ${decodeError}`);
  if (dropped.length === 0 || mode === 'Ignore') return;
  const list = dropped.map((path) => `unknown field "${path}"`);
  if (mode === 'Strict') throw badRequest(`strict decoding error: ${list.join(', ')}`);
  if (!scope.res.headersSent) scope.res.setHeader('Warning', list.map((w) => `299 - ${JSON.stringify(w)}`));
}

export function validateOrThrow(type: ServedType, object: KubeObject, old?: KubeObject): void {
  const causes = type.validate(object, old);
  if (causes.length > 0) throw invalid(type.kind, type.group, String(object.metadata.name ?? ''), causes);
}

export type { StoredObject };
