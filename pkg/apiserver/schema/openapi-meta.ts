/**
 * The shared meta/v1 (and autoscaling/v1 Scale) definitions a CRD document refers to. They carry the real types,
 * formats and defaults, with short descriptions of our own; when the HTTP layer has the full built-in definitions (it
 * serves them for built-in groups) it should pass those instead.
 */
import { refTo, type OpenApiSchema } from './openapi-schema';
import type { JsonValue } from './schema-types';

const M = 'io.k8s.apimachinery.pkg.apis.meta.v1.';

type Props = Record<string, JsonValue>;

const str = (description: string): JsonValue => ({ description, type: 'string' });
const strList = (description: string): JsonValue => ({ description, type: 'array', items: { type: 'string', default: '' } });
const int = (description: string, format: 'int32' | 'int64'): JsonValue => ({ description, type: 'integer', format });
const bool = (description: string): JsonValue => ({ description, type: 'boolean' });
const map = (description: string): JsonValue => ({ description, type: 'object', additionalProperties: { type: 'string', default: '' } });
const obj = (description: string, properties: Props, extra: Props = {}): OpenApiSchema => ({ description, type: 'object', properties, ...extra });

const API_VERSION = 'API group and version the object is written in.';
const KIND = 'Type name of the object, in CamelCase.';
const SELF_LINK = 'Deprecated and always empty.';
const DRY_RUN = 'If set to All, the request is checked but nothing is saved.';
const GRACE_PERIOD = 'Seconds the object gets to shut down before it is removed.';
const UNSAFE_DELETE = 'If true, delete the object even when it cannot be read from storage; this is unsafe.';
const ORPHAN = 'Deprecated, use propagationPolicy: whether to leave dependent objects in place.';
const PROPAGATION = 'How dependent objects are garbage collected: Orphan, Background or Foreground.';

/** The definitions, keyed by name, with references in v2 (`#/definitions/`) or v3 (`#/components/schemas/`) form. */
export function metaDefinitions(v2: boolean, withScale: boolean): Record<string, OpenApiSchema> {
  const ref = (name: string, description?: string): JsonValue => ({ $ref: refTo(name, v2), ...(description ? { description } : {}) });
  const time = ref(`${M}Time`);
  const defs: Record<string, OpenApiSchema> = {
    [`${M}Time`]: { description: 'A point in time, written as an RFC 3339 string.', type: 'string', format: 'date-time' },
    [`${M}FieldsV1`]: { description: 'A set of fields, written as a JSON tree.', type: 'object' },
    [`${M}ManagedFieldsEntry`]: obj('The fields of an object that one manager owns, for one API version.', {
      apiVersion: str('API version the field set refers to.'),
      fieldsType: str('Format of the field set; only "FieldsV1" is defined.'),
      fieldsV1: ref(`${M}FieldsV1`, 'The owned fields.'),
      manager: str('Name of the manager that owns the fields.'),
      operation: str('The operation that created the entry: Apply or Update.'),
      subresource: str('Subresource the change went through; empty for the main resource.'),
      time,
    }),
    [`${M}OwnerReference`]: obj(
      'Points to an object that owns this one.',
      {
        apiVersion: { ...(str("The owner's API version.") as Props), default: '' },
        blockOwnerDeletion: bool('If true, foreground deletion of the owner waits until this object is gone.'),
        controller: bool('If true, the owner is the controller that manages this object.'),
        kind: { ...(str("The owner's kind.") as Props), default: '' },
        name: { ...(str("The owner's name.") as Props), default: '' },
        uid: { ...(str("The owner's UID.") as Props), default: '' },
      },
      { required: ['apiVersion', 'kind', 'name', 'uid'], 'x-kubernetes-map-type': 'atomic' },
    ),
    [`${M}ObjectMeta`]: obj('Metadata that every stored object carries.', {
      annotations: map('Free-form string data for tools; not used to select objects.'),
      creationTimestamp: ref(`${M}Time`, 'When the server created the object.'),
      deletionGracePeriodSeconds: int('Seconds the object has to shut down once its deletion was requested.', 'int64'),
      deletionTimestamp: ref(`${M}Time`, 'When the object is to be removed; set by the server once deletion is requested.'),
      finalizers: { ...(strList('Keys that must all be removed before the object is actually deleted.') as Props), 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge' },
      generateName: str('Prefix the server uses to make up a unique name when name is empty.'),
      generation: int('Counter of changes to the desired state, kept by the server.', 'int64'),
      labels: map('String key/value pairs for grouping and selecting objects.'),
      managedFields: { description: 'Which manager owns which fields of the object.', type: 'array', items: { ...(ref(`${M}ManagedFieldsEntry`) as Props), default: {} }, 'x-kubernetes-list-type': 'atomic' },
      name: str('Name of the object, unique among objects of its kind in its namespace.'),
      namespace: str('Namespace the object belongs to; empty for cluster-scoped objects.'),
      ownerReferences: { description: 'Objects that own this one; it is garbage collected once they are all gone.', type: 'array', items: { ...(ref(`${M}OwnerReference`) as Props), default: {} }, 'x-kubernetes-list-map-keys': ['uid'], 'x-kubernetes-list-type': 'map', 'x-kubernetes-patch-merge-key': 'uid', 'x-kubernetes-patch-strategy': 'merge' },
      resourceVersion: str('Opaque version of the object; it changes on every write.'),
      selfLink: str(SELF_LINK),
      uid: str('Unique ID the server gave the object.'),
    }),
    [`${M}ListMeta`]: obj('Metadata of a list response.', {
      continue: str('Token to fetch the next page; set when the result was cut short by a limit.'),
      remainingItemCount: int('How many items a limited list has not returned yet.', 'int64'),
      resourceVersion: str('Version of the list; a watch can start from it.'),
      selfLink: str(SELF_LINK),
    }),
    [`${M}StatusCause`]: obj('One cause of a failed request.', {
      field: str('Path of the field concerned, such as "spec.replicas".'),
      message: str('Readable explanation of the cause.'),
      reason: str('Machine-readable code for the cause; may be empty.'),
    }),
    [`${M}StatusDetails`]: obj('Extra data about the result of a request.', {
      causes: { description: 'The individual causes of a failure.', type: 'array', items: { ...(ref(`${M}StatusCause`) as Props), default: {} }, 'x-kubernetes-list-type': 'atomic' },
      group: str('API group of the resource concerned.'),
      kind: str('Kind of the resource concerned.'),
      name: str('Name of the resource concerned, if there is a single one.'),
      retryAfterSeconds: int('Seconds to wait before retrying, if set.', 'int32'),
      uid: str('UID of the resource concerned.'),
    }),
    [`${M}Status`]: obj(
      'Result of a request that returns no object.',
      {
        apiVersion: str(API_VERSION),
        code: int('HTTP status code of the response; 0 if unset.', 'int32'),
        details: { ...(ref(`${M}StatusDetails`) as Props), 'x-kubernetes-list-type': 'atomic' },
        kind: str(KIND),
        message: str('Readable explanation of the result.'),
        metadata: { ...(ref(`${M}ListMeta`, 'List metadata.') as Props), default: {} },
        reason: str('Machine-readable code for why the request failed.'),
        status: str('Outcome of the request: "Success" or "Failure".'),
      },
      { 'x-kubernetes-group-version-kind': [{ group: '', kind: 'Status', version: 'v1' }] },
    ),
    [`${M}Preconditions`]: obj('What the object must match for the operation to go ahead.', {
      resourceVersion: str('Required resource version.'),
      uid: str('Required UID.'),
    }),
    [`${M}DeleteOptions`]: obj('Options of a delete request.', {
      apiVersion: str(API_VERSION),
      dryRun: { ...(strList(DRY_RUN) as Props), 'x-kubernetes-list-type': 'atomic' },
      gracePeriodSeconds: int(GRACE_PERIOD, 'int64'),
      ignoreStoreReadErrorWithClusterBreakingPotential: bool(UNSAFE_DELETE),
      kind: str(KIND),
      orphanDependents: bool(ORPHAN),
      preconditions: ref(`${M}Preconditions`, 'Checked before the object is deleted.'),
      propagationPolicy: str(PROPAGATION),
    }),
    [`${M}Patch`]: { description: 'Body of a PATCH request.', type: 'object' },
  };
  if (withScale) Object.assign(defs, scaleDefinitions(ref));
  return defs;
}

function scaleDefinitions(ref: (name: string, description?: string) => JsonValue): Record<string, OpenApiSchema> {
  const A = 'io.k8s.api.autoscaling.v1.';
  return {
    [`${A}ScaleSpec`]: obj('Desired scale of an object.', { replicas: int('Desired number of replicas.', 'int32') }),
    [`${A}ScaleStatus`]: obj(
      'Observed scale of an object.',
      {
        replicas: { ...(int('Observed number of replicas.', 'int32') as Props), default: 0 },
        selector: str('Label selector, in string form, of the pods counted in replicas.'),
      },
      { required: ['replicas'] },
    ),
    [`${A}Scale`]: obj(
      'The scale subresource of an object.',
      {
        apiVersion: str(API_VERSION),
        kind: str(KIND),
        metadata: { ...(ref(`${M}ObjectMeta`, "The scaled object's metadata.") as Props), default: {} },
        spec: { ...(ref(`${A}ScaleSpec`, 'Desired scale.') as Props), default: {} },
        status: { ...(ref(`${A}ScaleStatus`, 'Observed scale.') as Props), default: {} },
      },
      { 'x-kubernetes-group-version-kind': [{ group: 'autoscaling', kind: 'Scale', version: 'v1' }] },
    ),
  };
}
