/**
 * What the server fills in on a CRD before validating and storing it: apiextensions v1 defaulting
 * (names.singular, names.listKind, conversion.strategy) and the create/update strategy (status.storedVersions).
 * Works on the decoded JSON and returns a copy, so that the stored object keeps every field the user sent.
 */
import { readCrd, type Crd } from './crd-types';
import { deepCopy, isObject, strList } from './schema-types';

type Json = Record<string, unknown>;

const obj = (parent: Json, k: string): Json => {
  if (!isObject(parent[k])) parent[k] = {};
  return parent[k] as Json;
};

/** v1 defaults: singular = lower(kind), listKind = kind + "List", conversion.strategy = None, webhook service port 443. */
export function defaultCustomResourceDefinition(raw: unknown): Json {
  const crd: Json = isObject(raw) ? deepCopy(raw) : {};
  const spec = obj(crd, 'spec');
  const names = obj(spec, 'names');
  const kind = typeof names.kind === 'string' ? names.kind : '';
  if (typeof names.singular !== 'string' || names.singular === '') names.singular = kind.toLowerCase();
  if ((typeof names.listKind !== 'string' || names.listKind === '') && kind) names.listKind = `${kind}List`;
  if (!isObject(spec.conversion)) spec.conversion = { strategy: 'None' };
  else if (spec.conversion.strategy === undefined) spec.conversion.strategy = 'None';
  const webhook = isObject(spec.conversion) && isObject(spec.conversion.webhook) ? spec.conversion.webhook : {};
  const service = isObject(webhook.clientConfig) && isObject(webhook.clientConfig.service) ? webhook.clientConfig.service : undefined;
  if (service && service.port === undefined) service.port = 443;
  return crd;
}

/**
 * status.storedVersions after a write: the old list plus the current storage version (the first version marked
 * `storage: true`), as the registry strategy keeps it. On create `oldStoredVersions` is empty.
 */
export function nextStoredVersions(raw: unknown, oldStoredVersions: readonly string[] = []): string[] {
  const out = [...oldStoredVersions];
  const spec = isObject(raw) && isObject(raw.spec) ? raw.spec : {};
  const versions = Array.isArray(spec.versions) ? spec.versions : [];
  const storage = versions.find((v) => isObject(v) && v.storage === true);
  if (isObject(storage) && typeof storage.name === 'string' && !out.includes(storage.name)) out.push(storage.name);
  return out;
}

/** The stored versions recorded in an existing CRD's status. */
export const storedVersionsOf = (raw: unknown): string[] =>
  (isObject(raw) && isObject(raw.status) ? strList(raw.status.storedVersions) : undefined) ?? [];

/** A stored CRD as the server sees it: defaulted, then read into typed form. */
export const readDefaultedCrd = (raw: unknown): Crd => readCrd(defaultCustomResourceDefinition(raw));
