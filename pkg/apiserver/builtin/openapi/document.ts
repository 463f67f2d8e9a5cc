/**
 * The OpenAPI v3 document of one group version (`/openapi/v3/api/v1`, `/openapi/v3/apis/apps/v1`, ...): paths for
 * every operation of its resources and the components they reach. kubectl reads it for `explain`, and to learn
 * that the server validates fields itself (it then sends `fieldValidation=Strict` instead of validating).
 */
import type { OpenApiSchema, TypeSchema } from '../types';
import { Scale } from './apps';
import { Binding } from './core-pod';
import { closure, REF_PREFIX, type Component } from './dsl';
import { APIResourceList, DeleteOptions, ObjectMeta, Patch, Status, WatchEvent } from './meta';
import { addResourcePaths, API_RESOURCE_LIST, operationGroup, rootPath, tagOf, type DocumentType } from './paths';

/** A served type as the document builder reads it: built-ins carry their schema, others get a permissive one. */
export interface OpenApiSource extends DocumentType {
  readonly openapi?: TypeSchema;
}

const sortKeys = (o: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));

/** `com.example.stable.v1.CronTab`: the reversed group, as the real server names CRD components. */
export function componentPrefix(group: string, version: string): string {
  return `${group.split('.').reverse().join('.')}.${version}`;
}

/** A schema for a type that brings none (a CRD without one): any fields, with typed metadata. */
function permissiveSchema(t: DocumentType): TypeSchema {
  const name = `${componentPrefix(t.group, t.version)}.${t.kind}`;
  const gvk = (kind: string) => [{ group: t.group, kind, version: t.version }];
  const schema: OpenApiSchema = {
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { allOf: [{ $ref: `${REF_PREFIX}${ObjectMeta.name}` }] },
    },
    type: 'object',
    'x-kubernetes-group-version-kind': gvk(t.kind),
    'x-kubernetes-preserve-unknown-fields': true,
  };
  const list: OpenApiSchema = {
    properties: {
      apiVersion: { type: 'string' },
      items: { items: { $ref: `${REF_PREFIX}${name}` }, type: 'array' },
      kind: { type: 'string' },
      metadata: { allOf: [{ $ref: `${REF_PREFIX}io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta` }] },
    },
    required: ['items'],
    type: 'object',
    'x-kubernetes-group-version-kind': gvk(t.listKind),
  };
  const meta = closure([ObjectMeta]);
  return { name, listName: `${name}List`, schema, components: { ...meta, [name]: schema, [`${name}List`]: list } };
}

export function buildOpenApiDocument(group: string, version: string, types: readonly OpenApiSource[]): Record<string, unknown> {
  const root = rootPath(group, version);
  const shared: Component[] = [APIResourceList, DeleteOptions, Patch, Status, WatchEvent];
  const schemas: Record<string, OpenApiSchema> = {};
  const paths: Record<string, OpenApiSchema> = {
    [`${root}/`]: {
      get: {
        description: 'get available resources',
        operationId: `get${operationGroup(group, version)}APIResources`,
        responses: {
          '200': {
            content: Object.fromEntries(
              ['application/json', 'application/vnd.kubernetes.protobuf', 'application/yaml'].map((t) => [t, { schema: { $ref: `${REF_PREFIX}${API_RESOURCE_LIST}` } }]),
            ),
            description: 'OK',
          },
        },
        tags: [tagOf(group, version)],
      },
    },
  };
  for (const t of types.filter((x) => x.group === group && x.version === version)) {
    const typeSchema = t.openapi ?? permissiveSchema(t);
    Object.assign(schemas, typeSchema.components);
    addResourcePaths(paths, t, { kind: typeSchema.name, list: typeSchema.listName });
    if (t.subresources.includes('scale')) shared.push(Scale);
    if (t.subresources.includes('binding')) shared.push(Binding);
  }
  Object.assign(schemas, closure(shared));
  return {
    components: {
      schemas: sortKeys(schemas),
      securitySchemes: { BearerToken: { description: 'Bearer Token authentication', in: 'header', name: 'authorization', type: 'apiKey' } },
    },
    info: { title: 'Kubernetes', version: 'unversioned' },
    openapi: '3.0.0',
    paths: sortKeys(paths),
    security: [{ BearerToken: [] }],
  };
}

/** The keys of `/openapi/v3`'s `paths`: `api/v1`, `apis/apps/v1`, ... for the given types. */
export function openApiGroupVersionPaths(types: readonly DocumentType[]): string[] {
  const keys = new Set(types.map((t) => (t.group ? `apis/${t.group}/${t.version}` : `api/${t.version}`)));
  return [...keys].sort();
}
