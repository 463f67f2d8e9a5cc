/**
 * List helpers for strategic merge: element types, lookups by merge key, and the ordering rules the server applies
 * to a merged list (patch items in patch or `$setElementOrder` order, server-only items kept where they were).
 */
import { cannotMerge, unprocessable, type PatchError } from '../errors';
import { goTypeName, goValue } from '../go-format';
import { get, has, isObject, type JsonObject, type JsonValue } from '../json';
import { PATCH } from './directives';

/** The Go type a decoded value has on the server; list elements must all share one. */
export type GoKind = 'map' | 'slice' | 'string' | 'int64' | 'float64' | 'bool' | 'nil';

export const MAP_TYPE = 'map[string]interface {}';
export const SLICE_TYPE = '[]interface {}';

export function goKind(v: JsonValue | undefined): GoKind {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return 'slice';
  if (isObject(v)) return 'map';
  if (typeof v === 'number') return goTypeName(v) as 'int64' | 'float64';
  return typeof v === 'string' ? 'string' : 'bool';
}

/** A key under which two values are equal exactly when Go's `==` says so; undefined for maps and slices. */
export function identity(v: JsonValue | undefined): string | undefined {
  const kind = goKind(v);
  return kind === 'map' || kind === 'slice' ? undefined : `${kind}:${String(v)}`;
}

export const noMergeKey = (m: JsonObject, key: string): PatchError =>
  cannotMerge(`map: ${goValue(m)} does not contain declared merge key: ${key}`);

export const badArgType = (expected: string, actual: JsonValue | undefined): PatchError =>
  cannotMerge(`expected a ${expected}, but received a ${goTypeName(actual)}`);

export const isDeleteItem = (v: JsonValue): boolean => isObject(v) && get(v, PATCH) === 'delete';

/** The one element type shared by all the lists (sliceElementType). */
export function elementKind(lists: readonly JsonValue[][]): GoKind {
  let first: GoKind | undefined;
  for (const list of lists) {
    for (const v of list) {
      const kind = goKind(v);
      if (first === undefined) {
        if (kind === 'slice') throw unprocessable('lists of lists are not supported');
        first = kind;
      } else if (kind !== first) {
        throw cannotMerge(`list element types are not identical: ${goValue(lists as JsonValue[])}`);
      }
    }
  }
  if (first === undefined) throw cannotMerge('no elements in any of the given slices');
  return first;
}

/**
 * Finds items of a list by merge key value, first match wins (findMapInSliceBasedOnKeyValue). Like the server, a
 * non-object item is an error only when the search reaches it. `add` keeps the index right as items are appended.
 */
export class KeyIndex {
  private readonly first = new Map<string, number>();
  private firstBad = -1;
  private size = 0;

  constructor(
    items: readonly JsonValue[],
    private readonly mergeKey: string,
  ) {
    for (const item of items) this.add(item);
  }

  add(item: JsonValue): void {
    const at = this.size++;
    if (!isObject(item)) {
      if (this.firstBad < 0) this.firstBad = at;
      return;
    }
    const id = has(item, this.mergeKey) ? identity(item[this.mergeKey]) : undefined;
    if (id !== undefined && !this.first.has(id)) this.first.set(id, at);
  }

  /** The position of the first item whose merge key equals `value`, or -1. */
  find(value: JsonValue): number {
    const id = identity(value);
    const at = id === undefined ? -1 : (this.first.get(id) ?? -1);
    if (this.firstBad >= 0 && (at < 0 || at > this.firstBad)) throw cannotMerge(`value for key ${this.firstBad} is not a map.`);
    return at;
  }
}

/** Splits `merged` into the items present in `by` and the rest, keeping their order. */
export function partition(merged: JsonValue[], by: JsonValue[], mergeKey: string): { inBy: JsonValue[]; rest: JsonValue[] } {
  const inBy: JsonValue[] = [];
  const rest: JsonValue[] = [];
  if (mergeKey === '') {
    const ids = new Set(by.map(identity));
    for (const v of merged) (ids.has(identity(v)) && identity(v) !== undefined ? inBy : rest).push(v);
    return { inBy, rest };
  }
  const index = new KeyIndex(by, mergeKey);
  for (const v of merged) {
    if (!isObject(v)) throw badArgType(MAP_TYPE, v);
    if (!has(v, mergeKey)) throw noMergeKey(v, mergeKey);
    (index.find(v[mergeKey]) >= 0 ? inBy : rest).push(v);
  }
  return { inBy, rest };
}

/**
 * The final order of a merged list (normalizeElementOrder): patch items sorted by `patchOrder`, server-only items
 * by `serverOrder`, then interleaved so each server-only item stays before the patch items that followed it on the
 * server. Items marked `$patch: delete` go last in their group.
 */
export function normalizeOrder(
  patchItems: JsonValue[],
  serverOnly: JsonValue[],
  orders: { patch: JsonValue[]; server: JsonValue[] },
  mergeKey: string,
  kind: GoKind,
): JsonValue[] {
  const right = sortByOrder(patchItems, orders.patch, mergeKey, kind);
  const left = sortByOrder(serverOnly, orders.server, mergeKey, kind);
  const pos = positions(orders.server, mergeKey, kind);
  const out: JsonValue[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = pos(left[i]);
      const ri = pos(right[j]);
      out.push(li >= 0 && ri >= 0 && li < ri ? left[i++] : right[j++]);
    }
  }
  return out;
}

function sortByOrder(items: JsonValue[], order: JsonValue[], mergeKey: string, kind: GoKind): JsonValue[] {
  let rest = items;
  let deletes: JsonValue[] = [];
  if (kind === 'map') {
    for (const v of [...items, ...order]) {
      if (!isObject(v)) throw badArgType(MAP_TYPE, v);
      if (!has(v, mergeKey)) throw noMergeKey(v, mergeKey);
    }
    rest = items.filter((v) => !isDeleteItem(v));
    deletes = items.filter(isDeleteItem);
  }
  const pos = positions(order, mergeKey, kind);
  const less = (a: JsonValue, b: JsonValue): boolean => {
    const ia = pos(a);
    const ib = pos(b);
    return ia >= 0 && ib >= 0 ? ia < ib : true;
  };
  return [...stableSort(rest, less), ...deletes];
}

/** Where an item sits in `order`, compared by merge key for objects and by value otherwise; -1 when absent. */
function positions(order: JsonValue[], mergeKey: string, kind: GoKind): (v: JsonValue) => number {
  const keyOf = (v: JsonValue): JsonValue | undefined => (kind !== 'map' ? v : isObject(v) ? get(v, mergeKey) : undefined);
  const first = new Map<string, number>();
  order.forEach((v, i) => {
    const id = identity(keyOf(v));
    if (id !== undefined && !first.has(id)) first.set(id, i);
  });
  return (v) => {
    const id = identity(keyOf(v));
    return id === undefined ? -1 : (first.get(id) ?? -1);
  };
}

/**
 * Go's sort.SliceStable. Its comparator here is not a strict order when an item is missing from the order list, so
 * small lists (all real ones) replay Go's insertion sort step for step; larger ones use a stable sort.
 */
function stableSort(items: JsonValue[], less: (a: JsonValue, b: JsonValue) => boolean): JsonValue[] {
  const out = items.slice();
  if (out.length <= 20) {
    for (let i = 1; i < out.length; i++) {
      for (let j = i; j > 0 && less(out[j], out[j - 1]); j--) [out[j], out[j - 1]] = [out[j - 1], out[j]];
    }
    return out;
  }
  return out.sort((a, b) => (less(a, b) ? -1 : less(b, a) ? 1 : 0));
}
