/**
 * The OpenAPI v3 paths of one CRD version, shaped like the server's (builder.go + builder3): one path item per
 * collection, item and subresource, path parameters and `pretty` at path level, the options of each verb as query
 * parameters, and on every operation `x-kubernetes-action` and `x-kubernetes-group-version-kind`. kubectl looks for
 * the `fieldValidation` parameter on the PATCH operation of a GVK to decide it may use server-side field validation.
 */
import { definitionName, refTo, type OpenApiSchema } from './openapi-schema';
import type { JsonValue } from './schema-types';

export interface PathsInfo {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly listKind: string;
  readonly plural: string;
  readonly namespaced: boolean;
  readonly status: boolean;
  readonly scale: boolean;
}

const M = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const SCALE = 'io.k8s.api.autoscaling.v1.Scale';
const RV_DOC = 'Which resource version the result may be read at; unset means the latest.';

const query = (name: string, type: string, description: string): JsonValue => ({ description, in: 'query', name, schema: { type, uniqueItems: true } });

// Our own wording; kubectl looks for the parameters by name, not by their descriptions.
const QUERY: Record<string, JsonValue> = {
  pretty: query('pretty', 'string', "If 'true', the response body is indented for reading."),
  labelSelector: query('labelSelector', 'string', 'Only objects whose labels match this selector are included.'),
  fieldSelector: query('fieldSelector', 'string', 'Only objects whose fields match this selector are included.'),
  watch: query('watch', 'boolean', 'Stream change events instead of returning one list.'),
  allowWatchBookmarks: query('allowWatchBookmarks', 'boolean', 'Let the watch send BOOKMARK events.'),
  resourceVersion: query('resourceVersion', 'string', RV_DOC),
  resourceVersionMatch: query('resourceVersionMatch', 'string', 'How a list compares resourceVersion: Exact or NotOlderThan.'),
  sendInitialEvents: query('sendInitialEvents', 'boolean', 'With watch=true, start the stream with events for the objects that already exist.'),
  timeoutSeconds: query('timeoutSeconds', 'integer', 'End the list or watch call after this many seconds.'),
  limit: query('limit', 'integer', 'Most items to return in one list response.'),
  continue: query('continue', 'string', 'Token from a previous limited list response, to fetch the next page.'),
  dryRun: query('dryRun', 'string', 'If set to All, the request is checked but nothing is saved.'),
  fieldManager: query('fieldManager', 'string', 'Name of the actor making the change, recorded in managedFields.'),
  fieldValidation: query('fieldValidation', 'string', 'What to do with unknown or duplicate fields in the body: Ignore, Warn or Strict.'),
  force: query('force', 'boolean', 'For apply patches, take over fields owned by other managers instead of failing on conflicts.'),
  gracePeriodSeconds: query('gracePeriodSeconds', 'integer', 'Seconds the object gets to shut down before it is removed.'),
  ignoreStoreReadErrorWithClusterBreakingPotential: query('ignoreStoreReadErrorWithClusterBreakingPotential', 'boolean', 'If true, delete the object even when it cannot be read from storage; this is unsafe.'),
  orphanDependents: query('orphanDependents', 'boolean', 'Deprecated, use propagationPolicy: whether to leave dependent objects in place.'),
  propagationPolicy: query('propagationPolicy', 'string', 'How dependent objects are garbage collected: Orphan, Background or Foreground.'),
};

const PARAMS: Record<string, string[]> = {
  list: ['labelSelector', 'fieldSelector', 'watch', 'allowWatchBookmarks', 'resourceVersion', 'resourceVersionMatch', 'sendInitialEvents', 'timeoutSeconds', 'limit', 'continue'],
  deletecollection: ['labelSelector', 'fieldSelector', 'watch', 'allowWatchBookmarks', 'resourceVersion', 'resourceVersionMatch', 'sendInitialEvents', 'timeoutSeconds', 'limit', 'continue'],
  get: ['resourceVersion'],
  post: ['dryRun', 'fieldManager', 'fieldValidation'],
  put: ['dryRun', 'fieldManager', 'fieldValidation'],
  patch: ['dryRun', 'fieldManager', 'fieldValidation', 'force'],
  delete: ['dryRun', 'gracePeriodSeconds', 'ignoreStoreReadErrorWithClusterBreakingPotential', 'orphanDependents', 'propagationPolicy'],
};

const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];

/** kube-openapi's ToValidOperationID: drop non-letters (digits allowed after the first), capitalize after them. */
function operationIdPart(s: string, capitalizeFirst: boolean): string {
  let out = '';
  let capitalize = capitalizeFirst;
  Array.from(s).forEach((c, i) => {
    if (/\p{L}/u.test(c) || c === '_' || (i !== 0 && /\p{Nd}/u.test(c))) {
      out += capitalize ? c.toUpperCase() : c;
      capitalize = false;
    } else {
      capitalize = true;
    }
  });
  return out;
}

export function crdPaths(info: PathsInfo): Record<string, OpenApiSchema> {
  const { group, version, kind, listKind, plural, namespaced } = info;
  const ns = namespaced ? 'Namespaced' : '';
  const groupPart = operationIdPart(group.replace(/\.k8s\.io$/, ''), true);
  const tag = `${operationIdPart(group.replace(/\.k8s\.io$/, ''), false)}_${operationIdPart(version, false)}`;
  const kindRef = refTo(definitionName(group, version, kind), false);
  const listRef = refTo(definitionName(group, version, listKind), false);
  const content = (ref: string, types = ['application/json', 'application/yaml']): JsonValue =>
    Object.fromEntries(types.map((t) => [t, { schema: { $ref: ref } }]));

  const op = (verb: string, action: string, description: string, name: string, ref: string, body?: { ref: string; types?: string[] }): OpenApiSchema => {
    const responses: Record<string, JsonValue> = { '200': { content: content(ref), description: 'OK' } };
    if (action === 'post' || action === 'put') responses['201'] = { content: content(ref), description: 'Created' };
    if (action === 'post' || action === 'delete') responses['202'] = { content: content(ref), description: 'Accepted' };
    responses['401'] = { description: 'Unauthorized' };
    const operation: OpenApiSchema = {
      tags: [tag],
      description,
      operationId: `${verb}${groupPart}${operationIdPart(version, true)}${operationIdPart(name, true)}`,
      parameters: PARAMS[action].map((p) => QUERY[p]),
      responses,
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': { group, kind, version },
    };
    if (body) operation.requestBody = { content: content(body.ref, body.types ?? ['*/*']), ...(action === 'delete' ? {} : { required: true }) };
    return operation;
  };
  const pathParams = (withName: boolean): JsonValue[] => [
    ...(withName ? [{ description: `Name of the ${kind} object.`, in: 'path', name: 'name', required: true, schema: { type: 'string', uniqueItems: true } }] : []),
    ...(namespaced ? [{ description: 'Namespace of the objects.', in: 'path', name: 'namespace', required: true, schema: { type: 'string', uniqueItems: true } }] : []),
    QUERY.pretty,
  ];

  const base = `/apis/${group}/${version}`;
  const root = namespaced ? `${base}/namespaces/{namespace}/${plural}` : `${base}/${plural}`;
  const paths: Record<string, OpenApiSchema> = {};
  if (namespaced) {
    paths[`${base}/${plural}`] = {
      get: op('list', 'list', `Lists ${kind} objects in all namespaces.`, `${kind}ForAllNamespaces`, listRef),
      parameters: [QUERY.pretty],
    };
  }
  paths[root] = {
    get: op('list', 'list', `Lists ${kind} objects.`, `${ns}${kind}`, listRef),
    post: op('create', 'post', `Creates a new ${kind} object.`, `${ns}${kind}`, kindRef, { ref: kindRef }),
    delete: op('delete', 'deletecollection', `Deletes the ${kind} objects that match the selectors.`, `collection${ns}${kind}`, refTo(`${M}Status`, false)),
    parameters: pathParams(false),
  };
  const item = (sub: string, ref: string): OpenApiSchema => {
    const target = sub ? `the ${sub} of one ${kind} object` : `one ${kind} object`;
    const suffix = sub ? sub[0].toUpperCase() + sub.slice(1) : '';
    const pathItem: OpenApiSchema = {
      get: op('read', 'get', `Reads ${target}.`, `${ns}${kind}${suffix}`, ref),
      put: op('replace', 'put', `Replaces ${target}.`, `${ns}${kind}${suffix}`, ref, { ref }),
      patch: op('patch', 'patch', `Patches ${target}.`, `${ns}${kind}${suffix}`, ref, { ref: refTo(`${M}Patch`, false), types: PATCH_TYPES }),
      parameters: pathParams(true),
    };
    if (!sub) pathItem.delete = op('delete', 'delete', `Deletes one ${kind} object.`, `${ns}${kind}`, refTo(`${M}Status`, false), { ref: refTo(`${M}DeleteOptions`, false) });
    return pathItem;
  };
  paths[`${root}/{name}`] = item('', kindRef);
  if (info.status) paths[`${root}/{name}/status`] = item('status', kindRef);
  if (info.scale) paths[`${root}/{name}/scale`] = item('scale', refTo(SCALE, false));
  return paths;
}
