/**
 * Total readers over decoded JSON: a value of the wrong type reads as Go's zero value (`''`, `0`, `[]`, `{}`), which
 * is what the Go code sees after decoding, so validation and printing never throw on odd input.
 */
import type { KObject } from '../types';

export const isObject = (v: unknown): v is KObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `v` if it is an object, else a fresh empty one (reading only: writes to it are lost). */
export const obj = (v: unknown): KObject => (isObject(v) ? v : {});

export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The object elements of a list. */
export const objs = (v: unknown): KObject[] => list(v).filter(isObject);

export const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export const strings = (v: unknown): string[] => list(v).filter((x): x is string => typeof x === 'string');

/** A string-to-string map (labels, selectors); other values are dropped. */
export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(obj(v))) if (typeof x === 'string') out[k] = x;
  return out;
}

/** `o[k]` as an object, created when missing or not an object (for defaulting). */
export function ensureObject(o: KObject, k: string): KObject {
  const v = o[k];
  if (isObject(v)) return v;
  const created: KObject = {};
  o[k] = created;
  return created;
}

/** Sets `o[k]` when it is absent (undefined or null), as Go defaulting does for nil pointers and empty strings. */
export function setDefault(o: KObject, k: string, value: unknown): void {
  if (o[k] === undefined || o[k] === null || o[k] === '') o[k] = value;
}

/** Sorted keys, so that errors come out in a stable order (Go iterates maps randomly; the tests want one order). */
export const sortedKeys = (o: KObject): string[] => Object.keys(o).sort();
