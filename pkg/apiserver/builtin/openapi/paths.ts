/**
 * The `paths` of a group version document: every REST operation of each resource, with the operation IDs, tags,
 * `x-kubernetes-action` and `x-kubernetes-group-version-kind` extensions the real server writes.
 */
import type { OpenApiSchema } from '../types';
import { REF_PREFIX } from './dsl';
import { DELETE_COLLECTION_PARAMS, DELETE_PARAMS, LIST_PARAMS, P, PATCH_PARAMS, WRITE_PARAMS } from './parameters';

/** What the document needs of a served type; built-ins and CRD-defined types alike. */
export interface DocumentType {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly listKind: string;
  readonly plural: string;
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
  readonly subresources: readonly string[];
}

/** Component names of one type's kind and list, as the paths refer to them. */
export interface TypeRefs {
  readonly kind: string;
  readonly list: string;
}

const STATUS = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';
const DELETE_OPTIONS = 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions';
const PATCH = 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch';
const WATCH_EVENT = 'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent';
export const SCALE = 'io.k8s.api.autoscaling.v1.Scale';
export const BINDING = 'io.k8s.api.core.v1.Binding';
export const API_RESOURCE_LIST = 'io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList';

const BASE_TYPES = ['application/json', 'application/vnd.kubernetes.protobuf', 'application/yaml'];
const STREAM_TYPES = ['application/json', 'application/json;stream=watch', 'application/vnd.kubernetes.protobuf', 'application/vnd.kubernetes.protobuf;stream=watch', 'application/yaml'];
const PATCH_TYPES = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];

const schemaRef = (name: string): OpenApiSchema => ({ schema: { $ref: `${REF_PREFIX}${name}` } });
const content = (types: readonly string[], name: string): OpenApiSchema => Object.fromEntries(types.map((t) => [t, schemaRef(name)]));

function responses(codes: Record<string, string>, name: string, types = BASE_TYPES): OpenApiSchema {
  const text: Record<string, string> = { '200': 'OK', '201': 'Created', '202': 'Accepted' };
  return Object.fromEntries(Object.entries(codes).map(([code]) => [code, { content: content(types, name), description: text[code] }]));
}

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** `rbac.authorization.k8s.io` -> `RbacAuthorization`: the group as operation IDs and tags spell it. */
function groupWords(group: string): string {
  return group
    .replace(/\.k8s\.io$/, '')
    .split(/[.-]/)
    .filter((w) => w !== '')
    .map(capitalize)
    .join('');
}

/** `CoreV1`, `AppsV1`, `CoordinationV1`, `ApiextensionsV1`: the group part of operation IDs. */
export function operationGroup(group: string, version: string): string {
  return `${group ? groupWords(group) : 'Core'}${capitalize(version)}`;
}

/** `core_v1`, `apps_v1`, `coordination_v1`: the tag of a group version's operations. */
export function tagOf(group: string, version: string): string {
  const words = group ? groupWords(group) : 'Core';
  return `${words.charAt(0).toLowerCase()}${words.slice(1)}_${version}`;
}

export const rootPath = (group: string, version: string): string => (group ? `/apis/${group}/${version}` : `/api/${version}`);

interface OpContext {
  readonly tag: string;
  readonly gvk: OpenApiSchema;
}

function op(ctx: OpContext, action: string, operationId: string, description: string, body: OpenApiSchema): OpenApiSchema {
  return { description, operationId, ...body, tags: [ctx.tag], 'x-kubernetes-action': action, 'x-kubernetes-group-version-kind': ctx.gvk };
}

/** Adds the operations of one resource (and its subresources) to `paths`. */
export function addResourcePaths(paths: Record<string, OpenApiSchema>, t: DocumentType, refs: TypeRefs): void {
  const root = rootPath(t.group, t.version);
  const gv = operationGroup(t.group, t.version);
  const ctx: OpContext = { tag: tagOf(t.group, t.version), gvk: { group: t.group, kind: t.kind, version: t.version } };
  const ns = t.namespaced ? 'Namespaced' : '';
  const nsPath = t.namespaced ? '/namespaces/{namespace}' : '';
  const nsParams = t.namespaced ? [P.namespace] : [];
  const can = (verb: string): boolean => t.verbs.includes(verb);
  const K = t.kind;
  // Pods and services answer a delete with the object (graceful deletion); the rest with a Status.
  const deleted = t.group === '' && (K === 'Pod' || K === 'Service') ? refs.kind : STATUS;

  const collection: OpenApiSchema = { parameters: [...nsParams, P.pretty] };
  if (can('list')) {
    collection.get = op(ctx, 'list', `list${gv}${ns}${K}`, `list or watch objects of kind ${K}`, {
      parameters: LIST_PARAMS,
      responses: responses({ '200': '' }, refs.list, STREAM_TYPES),
    });
  }
  if (can('create')) {
    collection.post = op(ctx, 'post', `create${gv}${ns}${K}`, `create a ${K}`, {
      parameters: WRITE_PARAMS,
      requestBody: { content: { '*/*': schemaRef(refs.kind) }, required: true },
      responses: responses({ '200': '', '201': '', '202': '' }, refs.kind),
    });
  }
  if (can('deletecollection')) {
    collection.delete = op(ctx, 'deletecollection', `delete${gv}Collection${ns}${K}`, `delete collection of ${K}`, {
      parameters: DELETE_COLLECTION_PARAMS,
      requestBody: { content: { '*/*': schemaRef(DELETE_OPTIONS) } },
      responses: responses({ '200': '' }, STATUS),
    });
  }
  paths[`${root}${nsPath}/${t.plural}`] = collection;

  const item: OpenApiSchema = { parameters: [P.name(K), ...nsParams, P.pretty] };
  if (can('get')) item.get = op(ctx, 'get', `read${gv}${ns}${K}`, `read the specified ${K}`, { responses: responses({ '200': '' }, refs.kind) });
  if (can('update')) item.put = op(ctx, 'put', `replace${gv}${ns}${K}`, `replace the specified ${K}`, writeBody(refs.kind));
  if (can('patch')) item.patch = op(ctx, 'patch', `patch${gv}${ns}${K}`, `partially update the specified ${K}`, patchBody(refs.kind));
  if (can('delete')) {
    item.delete = op(ctx, 'delete', `delete${gv}${ns}${K}`, `delete a ${K}`, {
      parameters: DELETE_PARAMS,
      requestBody: { content: { '*/*': schemaRef(DELETE_OPTIONS) } },
      responses: responses({ '200': '', '202': '' }, deleted),
    });
  }
  paths[`${root}${nsPath}/${t.plural}/{name}`] = item;

  for (const sub of t.subresources) addSubresource(paths, t, refs, sub, { ctx, gv, ns, nsPath, nsParams, root });

  if (can('watch')) {
    const watchList = (operationId: string, params: OpenApiSchema[]): OpenApiSchema => ({
      get: op(ctx, 'watchlist', operationId, `watch individual changes to a list of ${K}. deprecated: use the 'watch' parameter with a list operation instead.`, {
        responses: responses({ '200': '' }, WATCH_EVENT, STREAM_TYPES),
      }),
      parameters: [...LIST_PARAMS, ...params, P.pretty],
    });
    paths[`${root}/watch${nsPath}/${t.plural}`] = watchList(`watch${gv}${ns}${K}List`, nsParams);
    paths[`${root}/watch${nsPath}/${t.plural}/{name}`] = {
      get: op(ctx, 'watch', `watch${gv}${ns}${K}`, `watch changes to an object of kind ${K}. deprecated: use the 'watch' parameter with a list operation instead, filtered to a single item with the 'fieldSelector' parameter.`, {
        responses: responses({ '200': '' }, WATCH_EVENT, STREAM_TYPES),
      }),
      parameters: [...LIST_PARAMS, P.name(K), ...nsParams, P.pretty],
    };
    if (t.namespaced) paths[`${root}/watch/${t.plural}`] = watchList(`watch${gv}${K}ListForAllNamespaces`, []);
  }
  if (t.namespaced && can('list')) {
    paths[`${root}/${t.plural}`] = {
      get: op(ctx, 'list', `list${gv}${K}ForAllNamespaces`, `list or watch objects of kind ${K}`, {
        responses: responses({ '200': '' }, refs.list, STREAM_TYPES),
      }),
      parameters: [...LIST_PARAMS, P.pretty],
    };
  }
}

function writeBody(name: string): OpenApiSchema {
  return {
    parameters: WRITE_PARAMS,
    requestBody: { content: { '*/*': schemaRef(name) }, required: true },
    responses: responses({ '200': '', '201': '' }, name),
  };
}

function patchBody(name: string): OpenApiSchema {
  return {
    parameters: PATCH_PARAMS,
    requestBody: { content: content(PATCH_TYPES, PATCH), required: true },
    responses: responses({ '200': '', '201': '' }, name),
  };
}

interface SubContext {
  readonly ctx: OpContext;
  readonly gv: string;
  readonly ns: string;
  readonly nsPath: string;
  readonly nsParams: OpenApiSchema[];
  readonly root: string;
}

function addSubresource(paths: Record<string, OpenApiSchema>, t: DocumentType, refs: TypeRefs, sub: string, s: SubContext): void {
  const K = t.kind;
  const base = `${s.root}${s.nsPath}/${t.plural}/{name}/${sub}`;
  const Sub = capitalize(sub);
  if (sub === 'status' || sub === 'scale') {
    const target = sub === 'scale' ? SCALE : refs.kind;
    const ctx: OpContext = sub === 'scale' ? { ...s.ctx, gvk: { group: 'autoscaling', kind: 'Scale', version: 'v1' } } : s.ctx;
    paths[base] = {
      get: op(ctx, 'get', `read${s.gv}${s.ns}${K}${Sub}`, `read ${sub} of the specified ${K}`, { responses: responses({ '200': '' }, target) }),
      parameters: [P.name(sub === 'scale' ? 'Scale' : K), ...s.nsParams, P.pretty],
      patch: op(ctx, 'patch', `patch${s.gv}${s.ns}${K}${Sub}`, `partially update ${sub} of the specified ${K}`, patchBody(target)),
      put: op(ctx, 'put', `replace${s.gv}${s.ns}${K}${Sub}`, `replace ${sub} of the specified ${K}`, writeBody(target)),
    };
  } else if (sub === 'binding') {
    const ctx: OpContext = { ...s.ctx, gvk: { group: '', kind: 'Binding', version: 'v1' } };
    paths[base] = {
      parameters: [P.name('Binding'), ...s.nsParams, P.pretty],
      post: op(ctx, 'post', `create${s.gv}${s.ns}${K}Binding`, `create binding of a ${K}`, {
        parameters: WRITE_PARAMS,
        requestBody: { content: { '*/*': schemaRef(BINDING) }, required: true },
        responses: responses({ '200': '', '201': '', '202': '' }, BINDING),
      }),
    };
  } else if (sub === 'finalize') {
    paths[base] = {
      parameters: [P.name(K), ...s.nsParams, P.pretty],
      put: op(s.ctx, 'put', `replace${s.gv}${s.ns}${K}Finalize`, `replace finalize of the specified ${K}`, writeBody(refs.kind)),
    };
  }
}
