/** k8s.io/apimachinery components: object and list metadata, selectors, Status, DeleteOptions, scalars. */
import {
  boolean,
  int32,
  int64,
  list,
  ref,
  scalar,
  string,
  stringMap,
  struct,
  value,
  type GroupVersionKind,
} from './dsl';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

/** The groups this server serves, for kinds every group version carries (DeleteOptions, WatchEvent). */
const SERVED_GROUPS = ['', 'apiextensions.k8s.io', 'apps', 'autoscaling', 'coordination.k8s.io', 'events.k8s.io'];
const inEveryGroup = (kind: string): GroupVersionKind[] => SERVED_GROUPS.map((group) => ({ group, kind, version: 'v1' }));

export const Time = scalar(`${META}.Time`, {
  description: 'An RFC 3339 timestamp with second precision.',
  format: 'date-time',
  type: 'string',
});

export const MicroTime = scalar(`${META}.MicroTime`, {
  description: 'An RFC 3339 timestamp with microsecond precision.',
  format: 'date-time',
  type: 'string',
});

export const Quantity = scalar('io.k8s.apimachinery.pkg.api.resource.Quantity', {
  description: "A fixed-point number with an optional suffix: '500m', '1.5', '128Mi', '1e3'. Written back in canonical form.",
  oneOf: [{ type: 'string' }, { type: 'number' }],
});

export const IntOrString = scalar('io.k8s.apimachinery.pkg.util.intstr.IntOrString', {
  description: 'An integer or a string (a port name, a percentage).',
  format: 'int-or-string',
  oneOf: [{ type: 'integer' }, { type: 'string' }],
});

export const RawExtension = scalar('io.k8s.apimachinery.pkg.runtime.RawExtension', {
  description: 'An embedded object of any kind.',
  type: 'object',
});

export const FieldsV1 = scalar(`${META}.FieldsV1`, {
  description: 'A set of fields in the fieldsV1 trie encoding, as server-side apply records ownership.',
  type: 'object',
});

export const Patch = scalar(`${META}.Patch`, {
  description: 'A patch body; its media type says how to apply it.',
  type: 'object',
});

export const OwnerReference = struct(
  `${META}.OwnerReference`,
  'Identifies an owning object; the garbage collector deletes dependents of deleted owners.',
  {
    apiVersion: string('API version of the owner.').default('').required(),
    blockOwnerDeletion: boolean('When true and the owner is deleted in the foreground, it waits for this object to go.'),
    controller: boolean('Whether the owner is the managing controller.'),
    kind: string('Kind of the owner.').default('').required(),
    name: string('Name of the owner.').default('').required(),
    uid: string('UID of the owner.').default('').required(),
  },
  { atomic: true },
);

export const ManagedFieldsEntry = struct(`${META}.ManagedFieldsEntry`, 'The fields one manager owns, and how it set them.', {
  apiVersion: string('Version of the fields.'),
  fieldsType: string('Encoding of fieldsV1; only "FieldsV1".'),
  fieldsV1: ref(FieldsV1, 'The owned fields.'),
  manager: string('Name of the manager.'),
  operation: string('Apply or Update.'),
  subresource: string('Subresource the fields were written through, if any.'),
  time: ref(Time, 'When the fields were last changed by this manager.'),
});

export const ObjectMeta = struct(`${META}.ObjectMeta`, 'Metadata every persisted object has.', {
  annotations: stringMap('Unstructured key/value data for tools.'),
  creationTimestamp: ref(Time, 'When the object was created (set by the server).'),
  deletionGracePeriodSeconds: int64('Seconds allowed for graceful termination once deletion was requested.'),
  deletionTimestamp: ref(Time, 'When the object will be deleted (set by the server).'),
  finalizers: list('string', 'Conditions that must be cleared before the object is deleted.').set().merge(),
  generateName: string('Prefix the server uses to generate a unique name when name is empty.'),
  generation: int64('Sequence number of spec changes.'),
  labels: stringMap('Key/value pairs selectors match.'),
  managedFields: list(ManagedFieldsEntry, 'Field ownership for server-side apply.').atomic(),
  name: string('Unique name in the namespace.'),
  namespace: string('Namespace of the object; empty for cluster-scoped kinds.'),
  ownerReferences: list(OwnerReference, 'Objects this one depends on.').map('uid').merge('uid'),
  resourceVersion: string('Opaque version of the object, for optimistic concurrency and watches.'),
  selfLink: string('Deprecated and unset.'),
  uid: string('Unique identity of the object over time.'),
});

export const ListMeta = struct(`${META}.ListMeta`, 'Metadata of a list.', {
  continue: string('Token to fetch the next page of a paginated list.'),
  remainingItemCount: int64('Items after this page, when known.'),
  resourceVersion: string('Version of the list, to watch from.'),
  selfLink: string('Deprecated and unset.'),
});

export const LabelSelectorRequirement = struct(`${META}.LabelSelectorRequirement`, 'A key, an operator and values a label must satisfy.', {
  key: string('The label key.').default('').required(),
  operator: string('In, NotIn, Exists or DoesNotExist.').default('').required(),
  values: list('string', 'Values for In and NotIn; empty for Exists and DoesNotExist.').atomic(),
});

export const LabelSelector = struct(
  `${META}.LabelSelector`,
  'A label query; the requirements are ANDed. An empty selector matches everything, a null one nothing.',
  {
    matchExpressions: list(LabelSelectorRequirement, 'Requirements on labels.').atomic(),
    matchLabels: stringMap('Labels that must be equal to these values.'),
  },
  { atomic: true },
);

export const Condition = struct(`${META}.Condition`, 'One aspect of an object\'s current state.', {
  lastTransitionTime: ref(Time, 'When the status last changed.').required(),
  message: string('Human readable details.').default('').required(),
  observedGeneration: int64('The generation the condition was set for.'),
  reason: string('CamelCase reason for the last transition.').default('').required(),
  status: string('True, False or Unknown.').default('').required(),
  type: string('Condition type in CamelCase.').default('').required(),
});

export const StatusCause = struct(`${META}.StatusCause`, 'One cause of an error.', {
  field: string('The field at fault, as a path.'),
  message: string('What went wrong.'),
  reason: string('Machine-readable cause.'),
});

export const StatusDetails = struct(`${META}.StatusDetails`, 'Details of an error.', {
  causes: list(StatusCause, 'The causes of the error.').atomic(),
  group: string('Group of the resource.'),
  kind: string('Kind (or resource) the error is about.'),
  name: string('Name of the object.'),
  retryAfterSeconds: int32('Seconds to wait before retrying.'),
  uid: string('UID of the object.'),
});

export const Status = struct(
  `${META}.Status`,
  'The result of an operation that returns no object: an error, or a deletion.',
  {
    apiVersion: string('Version of this representation.'),
    code: int32('HTTP status code.'),
    details: ref(StatusDetails, 'Extended data about the error.'),
    kind: string('Kind of this representation.'),
    message: string('Human readable description.'),
    metadata: value(ListMeta, 'Standard list metadata.'),
    reason: string('Machine-readable reason, such as NotFound.'),
    status: string('Success or Failure.'),
  },
  { gvk: [{ group: '', kind: 'Status', version: 'v1' }] },
);

export const Preconditions = struct(`${META}.Preconditions`, 'Conditions that must hold before a deletion proceeds.', {
  resourceVersion: string('The resource version the object must have.'),
  uid: string('The UID the object must have.'),
});

export const DeleteOptions = struct(
  `${META}.DeleteOptions`,
  'Options of a delete request.',
  {
    apiVersion: string('Version of this representation.'),
    dryRun: list('string', 'All: run every stage but persist nothing.').atomic(),
    gracePeriodSeconds: int64('Seconds before the object is deleted; 0 deletes at once.'),
    ignoreStoreReadErrorWithClusterBreakingPotential: boolean('Delete an object that cannot be read (unsafe).'),
    kind: string('Kind of this representation.'),
    orphanDependents: boolean('Deprecated: use propagationPolicy.'),
    preconditions: ref(Preconditions, 'Must hold, or the delete fails with a conflict.'),
    propagationPolicy: string('Orphan, Background or Foreground garbage collection of dependents.'),
  },
  { gvk: inEveryGroup('DeleteOptions') },
);

export const WatchEvent = struct(
  `${META}.WatchEvent`,
  'One change to a watched resource.',
  {
    object: value(RawExtension, 'The object (or a Status for ERROR events).').required(),
    type: string('ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.').default('').required(),
  },
  { gvk: inEveryGroup('WatchEvent') },
);

export const APIResource = struct(`${META}.APIResource`, 'A resource of a group version.', {
  categories: list('string', 'Categories the resource belongs to (such as all).').atomic(),
  group: string('Preferred group of the resource, when it differs.'),
  kind: string('Kind of the resource.').default('').required(),
  name: string('Plural name of the resource.').default('').required(),
  namespaced: boolean('Whether the resource is namespaced.').default(false).required(),
  shortNames: list('string', 'Short names of the resource.').atomic(),
  singularName: string('Singular name of the resource.').default('').required(),
  storageVersionHash: string('Hash of the storage version.'),
  verbs: list('string', 'Supported verbs.').required(),
  version: string('Preferred version of the resource, when it differs.'),
});

export const APIResourceList = struct(
  `${META}.APIResourceList`,
  'The resources of a group version.',
  {
    apiVersion: string('Version of this representation.'),
    groupVersion: string('The group version listed.').default('').required(),
    kind: string('Kind of this representation.'),
    resources: list(APIResource, 'The resources.').atomic().required(),
  },
  { gvk: [{ group: '', kind: 'APIResourceList', version: 'v1' }] },
);

/** `apiVersion`, `kind` and `metadata` fields every kind starts with. */
export const typeMeta = {
  apiVersion: string('Versioned schema of this representation, such as v1 or apps/v1.'),
  kind: string('Kind of this representation, in CamelCase.'),
};

export const objectMeta = () => ({ ...typeMeta, metadata: value(ObjectMeta, 'Standard object metadata.') });

/** The fields of a `<Kind>List`. */
export function listFields(item: Parameters<typeof list>[0], what: string) {
  return {
    ...typeMeta,
    items: list(item, `List of ${what}.`).required(),
    metadata: value(ListMeta, 'Standard list metadata.'),
  };
}
