/** get and list, as JSON or as a Table for `kubectl get`. */
import { writeJson, writeList, writeText } from '../respond';
import { storagePrefix, type ServedType } from '../served-type';
import { badRequest, gone, notFound } from '../status';
import type { KubeObject, StoredObject } from '../storage';
import { buildTable, parseIncludeObject, tableApiVersion, wantsTable } from '../table';
import { compileSelectors, type ObjectFilter } from './filter';
import { apiVersionFor, keyOf, present, presentJson, type RequestScope } from './scope';

export function get(scope: RequestScope): void {
  const stored = scope.parts.store.get(keyOf(scope));
  if (!stored) throw notFound(scope.type, scope.info.name);
  const accept = scope.req.headers.accept;
  if (wantsTable(accept)) {
    const table = buildTable(scope.type, [present(scope.type, stored)], {
      apiVersion: tableApiVersion(accept),
      include: parseIncludeObject(scope.query.get('includeObject')),
      resourceVersion: String(stored.revision),
    });
    writeJson(scope.res, 200, table);
    return;
  }
  writeText(scope.res, 200, presentJson(scope.type, stored), 'application/json');
}

export interface ListPage {
  items: StoredObject[];
  revision: number;
  continueToken?: string;
  remaining?: number;
}

/** Reads one page of matching objects; `limit` counts matches, not scanned objects. */
export function listPage(scope: RequestScope, filter: ObjectFilter | undefined): ListPage {
  const { store } = scope.parts;
  const prefix = storagePrefix(scope.type, scope.info.namespace);
  const limit = parseLimit(scope.query.get('limit'));
  const token = scope.query.get('continue');
  let after = token ? decodeContinue(token, store.compactRevision) : undefined;
  const items: StoredObject[] = [];
  for (;;) {
    const page = store.list(prefix, { limit: limit ? Math.max(limit - items.length, 500) : undefined, continueAfter: after });
    const revision = page.revision;
    for (const stored of page.items) {
      if (!filter || filter(present(scope.type, stored))) items.push(stored);
      if (limit && items.length === limit) {
        const more = stored.key !== page.items[page.items.length - 1]!.key || page.continueAfter !== undefined;
        return more ? { items, revision, continueToken: encodeContinue(stored.key, revision) } : { items, revision };
      }
    }
    if (page.continueAfter === undefined) return { items, revision };
    after = page.continueAfter;
  }
}

export function list(scope: RequestScope): void {
  const filter = compileSelectors(scope.type, scope.query);
  const page = listPage(scope, filter);
  const accept = scope.req.headers.accept;
  const metadata = {
    resourceVersion: String(page.revision),
    ...(page.continueToken ? { continue: page.continueToken } : {}),
  };
  if (wantsTable(accept)) {
    const table = buildTable(scope.type, page.items.map((s) => present(scope.type, s)), {
      apiVersion: tableApiVersion(accept),
      include: parseIncludeObject(scope.query.get('includeObject')),
      resourceVersion: String(page.revision),
    });
    writeJson(scope.res, 200, { ...table, metadata });
    return;
  }
  const items = page.items.map((stored) => presentJson(scope.type, stored));
  writeList(scope.res, { kind: scope.type.listKind, apiVersion: apiVersionFor(scope.type), metadata }, items);
}

/** Items of a list as objects (deletecollection, controllers inside the server). */
export function listObjects(scope: RequestScope, type: ServedType = scope.type): KubeObject[] {
  const filter = compileSelectors(type, scope.query);
  return scope.parts.store
    .list(storagePrefix(type, scope.info.namespace))
    .items.map((stored) => present(type, stored))
    .filter((object) => !filter || filter(object));
}

function parseLimit(value: string | null): number | undefined {
  if (value === null || value === '' || value === '0') return undefined;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 0) throw badRequest(`limit: must be a non-negative integer (got "${value}")`);
  return limit;
}

/** The continue token: where the next page starts, and the revision the list was read at. */
function encodeContinue(lastKey: string, revision: number): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: revision, start: lastKey })).toString('base64url');
}

function decodeContinue(token: string, compactRevision: number): string {
  let parsed: { v?: unknown; rv?: unknown; start?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as typeof parsed;
  } catch {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  if (parsed.v !== 'meta.k8s.io/v1' || typeof parsed.start !== 'string' || typeof parsed.rv !== 'number') {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  if (parsed.rv < compactRevision) {
    throw gone('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
  }
  return parsed.start;
}
