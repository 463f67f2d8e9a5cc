/**
 * OpenAPI for custom resources, as the server publishes it: per group-version at `/openapi/v3/apis/<group>/<version>`
 * a document with every served CRD of that group-version (paths, the kind and list schemas keyed
 * `<reversed group>.<version>.<Kind>`, and the meta/v1 definitions they refer to); and for `/openapi/v2` the
 * definitions only (kind and list), with v2's filtering.
 */
import { readDefaultedCrd } from './crd-defaults';
import type { Crd, CrdVersion } from './crd-types';
import { SchemaError } from './errors';
import { metaDefinitions } from './openapi-meta';
import { crdPaths } from './openapi-paths';
import { definitionName, kindSchema, listSchema, type OpenApiSchema } from './openapi-schema';

export interface OpenApiV3Document {
  openapi: '3.0.0';
  info: { title: string; version: string };
  paths: Record<string, OpenApiSchema>;
  components: { schemas: Record<string, OpenApiSchema> };
}

export interface CrdOpenApiV3 {
  readonly paths: Record<string, OpenApiSchema>;
  /** The kind and list schemas only; the shared meta definitions come from the document builder. */
  readonly schemas: Record<string, OpenApiSchema>;
  readonly usesScale: boolean;
}

function served(crd: Crd, version: string): CrdVersion {
  const v = crd.spec.versions.find((x) => x.name === version);
  if (!v) throw new SchemaError('UNKNOWN_VERSION', `CustomResourceDefinition ${crd.metadata.name} has no version ${JSON.stringify(version)}`);
  return v;
}

/** Paths and schemas of one version of one CRD (decoded JSON). Throws SchemaError UNKNOWN_VERSION. */
export function crdOpenApiV3(crdRaw: unknown, version: string): CrdOpenApiV3 {
  const crd = readDefaultedCrd(crdRaw);
  const v = served(crd, version);
  const { group, names, scope } = crd.spec;
  const schemas = {
    [definitionName(group, version, names.kind)]: kindSchema(v.schema, group, version, names.kind, false),
    [definitionName(group, version, names.listKind)]: listSchema(group, version, names.kind, names.listKind, names.plural, false),
  };
  const paths = crdPaths({
    group,
    version,
    kind: names.kind,
    listKind: names.listKind,
    plural: names.plural,
    namespaced: scope === 'Namespaced',
    status: !!v.subresources?.status,
    scale: !!v.subresources?.scale,
  });
  return { paths, schemas, usesScale: !!v.subresources?.scale };
}

export interface GroupVersionOptions {
  /** Full meta/v1 and autoscaling/v1 definitions to use instead of this package's shortened ones. */
  readonly sharedSchemas?: Record<string, OpenApiSchema>;
}

/**
 * The `/openapi/v3/apis/<group>/<version>` document for the CRDs (decoded JSON) that serve that group-version;
 * CRDs of other groups, or not serving the version, are skipped.
 */
export function groupVersionOpenApiV3(crds: readonly unknown[], group: string, version: string, options: GroupVersionOptions = {}): OpenApiV3Document {
  const paths: Record<string, OpenApiSchema> = {};
  const schemas: Record<string, OpenApiSchema> = {};
  let scale = false;
  for (const raw of crds) {
    const crd = readDefaultedCrd(raw);
    if (crd.spec.group !== group || !crd.spec.versions.some((v) => v.name === version && v.served)) continue;
    const part = crdOpenApiV3(raw, version);
    Object.assign(paths, part.paths);
    Object.assign(schemas, part.schemas);
    scale ||= part.usesScale;
  }
  const shared = options.sharedSchemas ?? metaDefinitions(false, scale);
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes CRD Swagger', version: 'v0.1.0' },
    paths,
    components: { schemas: { ...schemas, ...shared } },
  };
}

/** OpenAPI v2 `definitions` for one CRD version (value validations, nullable and int-or-string types stripped). */
export function crdOpenApiV2Definitions(crdRaw: unknown, version: string): Record<string, OpenApiSchema> {
  const crd = readDefaultedCrd(crdRaw);
  const v = served(crd, version);
  const { group, names } = crd.spec;
  return {
    [definitionName(group, version, names.kind)]: kindSchema(v.schema, group, version, names.kind, true),
    [definitionName(group, version, names.listKind)]: listSchema(group, version, names.kind, names.listKind, names.plural, true),
  };
}

export { metaDefinitions };
