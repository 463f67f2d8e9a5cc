/**
 * /openapi/v3: the root lists one document per group version (with a content hash in the URL so clients can cache),
 * and each document describes that group version's types. kubectl reads them to validate manifests and for explain.
 */
import { createHash } from 'node:crypto';
import type { TypeRegistry } from './registry';
import type { ServedType } from './served-type';

/** Builds the OpenAPI v3 document of one group version from the types served in it. */
export type DocumentBuilder = (group: string, version: string, types: ServedType[]) => Record<string, unknown>;

export interface OpenApiService {
  /** The root document (JSON text). */
  root(): string;
  /** The document at `api/v1` or `apis/{group}/{version}` (JSON text), or undefined. */
  document(path: string): string | undefined;
}

export function createOpenApiService(registry: TypeRegistry, build: DocumentBuilder): OpenApiService {
  let cachedAt = -1;
  let documents = new Map<string, { json: string; hash: string }>();
  const refresh = (): void => {
    if (cachedAt === registry.version) return;
    documents = new Map();
    for (const { group, version } of registry.groupVersions()) {
      const json = JSON.stringify(build(group, version, registry.inGroupVersion(group, version)));
      const hash = createHash('sha512').update(json).digest('hex').slice(0, 128).toUpperCase();
      documents.set(group ? `apis/${group}/${version}` : `api/${version}`, { json, hash });
    }
    cachedAt = registry.version;
  };
  return {
    root() {
      refresh();
      const paths = Object.fromEntries(
        [...documents].map(([path, doc]) => [path, { serverRelativeURL: `/openapi/v3/${path}?hash=${doc.hash}` }]),
      );
      return JSON.stringify({ paths });
    },
    document(path) {
      refresh();
      return documents.get(path)?.json;
    },
  };
}
