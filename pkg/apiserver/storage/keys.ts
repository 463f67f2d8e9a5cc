/**
 * Key and selector rules. Keys are printable ASCII so that JavaScript's string order (UTF-16 units), SQLite's BINARY
 * collation (UTF-8 bytes) and prefixEnd() agree: lists, continue tokens and replays see one order everywhere.
 */
import { invalid } from './errors';
import type { KubeObject } from './stored-object';
import type { Key } from './types';

const KEY = /^(\/[\x21-\x2e\x30-\x7e]+)+$/;
const PREFIX = /^(\/[\x21-\x2e\x30-\x7e]+)*\/$/;

export function checkKey(key: Key): void {
  if (typeof key !== 'string' || !KEY.test(key)) {
    throw invalid(
      `invalid storage key ${JSON.stringify(key)}: want /segment/... of printable ASCII, no empty segment, no trailing '/'`,
    );
  }
}

/** A selector is a prefix ending in '/' or one exact key. */
export function checkSelector(selector: Key): void {
  if (typeof selector !== 'string' || !(KEY.test(selector) || PREFIX.test(selector))) {
    throw invalid(
      `invalid storage selector ${JSON.stringify(selector)}: want a prefix ending in '/' (/core/pods/) or a key (/core/pods/ns/name)`,
    );
  }
}

export function checkObject(key: Key, object: KubeObject): void {
  if (object === null || typeof object !== 'object' || Array.isArray(object)) {
    throw invalid(`object for ${key} must be a JSON object`);
  }
  const metadata: unknown = object.metadata;
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw invalid(`object for ${key} must have a metadata object`);
  }
}

export function checkRevision(name: string, revision: number | undefined): void {
  if (revision !== undefined && (!Number.isSafeInteger(revision) || revision < 0)) {
    throw invalid(`${name} must be a non-negative integer (got ${revision})`);
  }
}
