/** What every REST handler gets: the request, what it addresses, and the server's parts. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { TypeRegistry } from '../registry';
import type { ResourceRequest } from '../request-info';
import { apiVersionOf, storageKey, type ServedType } from '../served-type';
import type { KubeObject, Store, StoredObject } from '../storage';
import type { WatchTiming } from './watch';

export interface UserInfo {
  name: string;
  groups: string[];
}

/** Long-lived parts shared by all requests. */
export interface ApiParts {
  store: Store;
  registry: TypeRegistry;
  log: Logger;
  /** Injected for tests; real time otherwise. */
  now: () => Date;
  /** Limit on request bodies (3 MiB, like the real server). */
  maxBodyBytes: number;
  /** Bookmark interval and write coalescing of watch streams. */
  watchTiming: WatchTiming;
}

export interface RequestScope {
  parts: ApiParts;
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  info: ResourceRequest;
  type: ServedType;
  user: UserInfo;
}

export const keyOf = (scope: RequestScope, name = scope.info.name): string =>
  storageKey(scope.type, scope.info.namespace, name);

/** The object as this type's clients see it (a view converts from the stored form). */
export function present(type: ServedType, stored: StoredObject): KubeObject {
  return type.fromStorage ? type.fromStorage(stored.object) : stored.object;
}

/** JSON of the object as this type's clients see it; the stored string itself when there is no conversion. */
export function presentJson(type: ServedType, stored: StoredObject): string {
  return type.fromStorage ? JSON.stringify(type.fromStorage(stored.object)) : stored.json;
}

export const toStorage = (type: ServedType, object: KubeObject): KubeObject =>
  type.toStorage ? type.toStorage(object) : object;

/** True for dryRun=All: validate and answer, but write nothing. */
export const isDryRun = (query: URLSearchParams): boolean => query.getAll('dryRun').includes('All');

/** The apiVersion clients of this type use. */
export const apiVersionFor = apiVersionOf;

/** A fresh, mutable deep copy. */
export const clone = <T>(value: T): T => structuredClone(value);
