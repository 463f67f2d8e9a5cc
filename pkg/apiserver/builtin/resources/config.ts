/** core/v1 configmaps and secrets: data keys, the 1 MiB limit, `immutable`, secret types and base64 data. */
import { forbidden, invalid, key, required, tooLong } from '../../schema/errors';
import { ConfigMap, ConfigMapList, Secret, SecretList } from '../openapi/core-resources';
import { typeSchema } from '../openapi/type-schema';
import { AGE_COLUMN, ageOf, column, NAME_COLUMN, nameOf } from '../tables/columns';
import type { BuiltinDefinition, Cause, KObject } from '../types';
import { isObject, obj, sortedKeys, str } from '../util/json';
import { immutable } from '../validation/causes';
import { NAME_RULES, validateMetadata } from '../validation/meta';
import { isConfigMapKey } from '../validation/strings';
import { jsonEqual } from '../../schema/schema-types';
import { STANDARD_VERBS } from './common';

const MAX_SIZE = 1024 * 1024;
const IMMUTABLE = 'field is immutable when `immutable` is set';

/** The checks `immutable: true` brings on update, for both kinds. */
function immutableData(next: KObject, old: KObject, fields: readonly string[]): Cause[] {
  if (old.immutable !== true) return [];
  const errs: Cause[] = [];
  if (next.immutable !== true) errs.push(forbidden('immutable', IMMUTABLE));
  for (const f of fields) if (!jsonEqual(next[f] ?? {}, old[f] ?? {})) errs.push(forbidden(f, IMMUTABLE));
  return errs;
}

const keyErrors = (k: string, path: string): Cause[] => isConfigMapKey(k).map((m) => invalid(key(path, k), k, m));

/** Decoded size of base64 text (the server limits bytes, not characters). */
const base64Bytes = (s: string): number => Buffer.from(s, 'base64').length;

export const configMaps: BuiltinDefinition = {
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  listKind: 'ConfigMapList',
  plural: 'configmaps',
  singular: 'configmap',
  namespaced: true,
  shortNames: ['cm'],
  categories: [],
  verbs: STANDARD_VERBS,
  subresources: [],
  defaults() {},
  validate(cm, old) {
    const errs = validateMetadata(cm, old, { namespaced: true, name: NAME_RULES.dnsSubdomain });
    if (old !== undefined) errs.push(...immutableData(cm, old, ['data', 'binaryData']));
    const data = obj(cm.data);
    const binary = obj(cm.binaryData);
    let size = 0;
    for (const k of sortedKeys(data)) {
      errs.push(...keyErrors(k, 'data'));
      if (Object.hasOwn(binary, k)) errs.push(invalid(key('data', k), k, 'duplicate of key present in binaryData'));
      size += Buffer.byteLength(str(data[k]));
    }
    for (const k of sortedKeys(binary)) {
      errs.push(...keyErrors(k, 'binaryData'));
      if (Object.hasOwn(data, k)) errs.push(invalid(key('binaryData', k), k, 'duplicate of key present in data'));
      size += base64Bytes(str(binary[k]));
    }
    // The real code reports this at the empty path, about the whole object.
    if (size > MAX_SIZE) errs.push(tooLong('', MAX_SIZE));
    return errs;
  },
  decodeError: (cm) => base64Error(cm.binaryData),
  table: {
    columns: [NAME_COLUMN, column('Data', 'string', 'Number of keys in data and binaryData.'), AGE_COLUMN],
    cells: (cm, nowMs = Date.now()) => [nameOf(cm), Object.keys(obj(cm.data)).length + Object.keys(obj(cm.binaryData)).length, ageOf(cm, nowMs)],
  },
  openapi: typeSchema(ConfigMap, ConfigMapList),
};

const ALPHABET = /[A-Za-z0-9+/]/;
const isNewline = (c: string | undefined): boolean => c === '\n' || c === '\r';

/** Offset Go's base64.StdEncoding reports for `s` (its decodeQuantum loop, newlines skipped), or undefined. */
export function base64ErrorOffset(s: string): number | undefined {
  let si = 0;
  for (;;) {
    let j = 0;
    for (; j < 4; j++) {
      if (si === s.length) return j === 0 ? undefined : si - j;
      const c = s[si++] as string;
      if (ALPHABET.test(c)) continue;
      if (isNewline(c)) {
        j--;
        continue;
      }
      if (c !== '=' || j < 2) return si - 1;
      if (j === 2) {
        // "==" is expected; the first one is consumed.
        while (si < s.length && isNewline(s[si])) si++;
        if (si === s.length) return s.length;
        if (s[si] !== '=') return si - 1;
        si++;
      }
      while (si < s.length && isNewline(s[si])) si++;
      return si < s.length ? si : undefined;
    }
  }
}

/** The decoder's error for the first value of a `[]byte` map that is not base64 (keys in sorted order). */
export function base64Error(data: unknown): string | undefined {
  if (!isObject(data)) return undefined;
  for (const k of sortedKeys(data)) {
    const value = data[k];
    const offset = typeof value === 'string' ? base64ErrorOffset(value) : undefined;
    if (offset !== undefined) return `illegal base64 data at input byte ${offset}`;
  }
  return undefined;
}

function secretTypeErrors(secret: KObject): Cause[] {
  const data = obj(secret.data);
  const has = (k: string): boolean => Object.hasOwn(data, k);
  switch (str(secret.type)) {
    case 'kubernetes.io/service-account-token':
      return str(obj(obj(secret.metadata).annotations)['kubernetes.io/service-account.name'])
        ? []
        : [required(key('metadata.annotations', 'kubernetes.io/service-account.name'))];
    case 'kubernetes.io/dockercfg':
      return has('.dockercfg') ? jsonData(data, '.dockercfg') : [required(key('data', '.dockercfg'))];
    case 'kubernetes.io/dockerconfigjson':
      return has('.dockerconfigjson') ? jsonData(data, '.dockerconfigjson') : [required(key('data', '.dockerconfigjson'))];
    case 'kubernetes.io/basic-auth':
      return has('username') || has('password') ? [] : [required(key('data', 'username')), required(key('data', 'password'))];
    case 'kubernetes.io/ssh-auth':
      return base64Bytes(str(data['ssh-privatekey'])) > 0 ? [] : [required(key('data', 'ssh-privatekey'))];
    case 'kubernetes.io/tls':
      return [...(has('tls.crt') ? [] : [required(key('data', 'tls.crt'))]), ...(has('tls.key') ? [] : [required(key('data', 'tls.key'))])];
    default:
      return [];
  }
}

/** Docker config secrets must hold a JSON object. */
function jsonData(data: KObject, k: string): Cause[] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(str(data[k]), 'base64').toString('utf8'));
    if (isObject(parsed)) return [];
    return [invalid(key('data', k), '<secret contents redacted>', `json: cannot unmarshal ${Array.isArray(parsed) ? 'array' : typeof parsed} into Go value of type map[string]interface {}`)];
  } catch (e) {
    return [invalid(key('data', k), '<secret contents redacted>', e instanceof Error ? e.message : 'invalid JSON')];
  }
}

export const secrets: BuiltinDefinition = {
  group: '',
  version: 'v1',
  kind: 'Secret',
  listKind: 'SecretList',
  plural: 'secrets',
  singular: 'secret',
  namespaced: true,
  shortNames: [],
  categories: [],
  verbs: STANDARD_VERBS,
  subresources: [],
  defaults(secret) {
    if (!str(secret.type)) secret.type = 'Opaque';
    // stringData is write-only: the v1 conversion merges it into data (winning over data) and drops it.
    if (isObject(secret.stringData)) {
      const data = isObject(secret.data) ? secret.data : {};
      for (const [k, v] of Object.entries(secret.stringData)) data[k] = Buffer.from(str(v), 'utf8').toString('base64');
      secret.data = data;
    }
    delete secret.stringData;
  },
  validate(secret, old) {
    const errs = validateMetadata(secret, old, { namespaced: true, name: NAME_RULES.dnsSubdomain });
    const data = obj(secret.data);
    let size = 0;
    for (const k of sortedKeys(data)) {
      errs.push(...keyErrors(k, 'data'));
      size += base64Bytes(str(data[k]));
    }
    if (size > MAX_SIZE) errs.push(tooLong('data', MAX_SIZE));
    errs.push(...secretTypeErrors(secret));
    if (old !== undefined) {
      errs.push(...immutable(str(secret.type), str(old.type), 'type'));
      errs.push(...immutableData(secret, old, ['data']));
    }
    return errs;
  },
  decodeError: (secret) => base64Error(secret.data),
  table: {
    columns: [NAME_COLUMN, column('Type', 'string', 'Type of the secret.'), column('Data', 'string', 'Number of keys in data.'), AGE_COLUMN],
    cells: (s, nowMs = Date.now()) => [nameOf(s), str(s.type), Object.keys(obj(s.data)).length, ageOf(s, nowMs)],
  },
  openapi: typeSchema(Secret, SecretList),
};
