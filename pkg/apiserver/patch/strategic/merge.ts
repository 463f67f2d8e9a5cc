/**
 * The strategic merge itself, following k8s.io/apimachinery/pkg/util/strategicpatch (mergeMap, mergeSlice,
 * mergePatchIntoOriginal) as the server runs it: with parallel lists merged and unmatched nulls ignored.
 * Both arguments are private copies: they are modified in place.
 */
import { cannotMerge } from '../errors';
import { goValue } from '../go-format';
import { del, get, has, isObject, set, type JsonObject, type JsonValue } from '../json';
import { fieldStrategy, listStrategy, type FieldStrategy, type PatchSchema } from '../schema/types';
import {
  DELETE_FROM_PRIMITIVE_LIST,
  PATCH,
  SET_ELEMENT_ORDER,
  added,
  applyRetainKeys,
  badPatchType,
  extractKey,
  stored,
} from './directives';
import { mergeSlice } from './merge-list';
import {
  MAP_TYPE,
  SLICE_TYPE,
  badArgType,
  elementKind,
  goKind,
  identity,
  noMergeKey,
  normalizeOrder,
  partition,
  type GoKind,
} from './lists';

export function mergeMap(original: JsonObject, patch: JsonObject, schema: PatchSchema | undefined): JsonObject {
  if (has(patch, PATCH)) {
    const directive = patch[PATCH];
    if (directive === 'replace') {
      del(patch, PATCH);
      return stored(patch) as JsonObject;
    }
    if (directive === 'delete') return {};
    throw badPatchType(directive, patch);
  }
  applyRetainKeys(original, patch);
  applySetElementOrder(original, patch, schema);

  for (const patchKey of Object.keys(patch)) {
    const isDeleteList = patchKey.startsWith(DELETE_FROM_PRIMITIVE_LIST);
    const key = isDeleteList ? extractKey(patchKey, DELETE_FROM_PRIMITIVE_LIST) : patchKey;
    const value = patch[patchKey];
    if (value === null) {
      del(original, key);
      continue;
    }
    const current = get(original, key);
    if (current === undefined || goKind(current) !== goKind(value)) {
      // A deletion list never creates the list it deletes from.
      if (!isDeleteList) putAdded(original, key, value);
      continue;
    }
    const field = fieldStrategy(schema, key);
    if (isObject(current)) {
      const sub = value as JsonObject;
      set(original, key, field?.kind === 'replace' ? stored(sub) : mergeMap(current, sub, subSchema(field)));
    } else if (Array.isArray(current)) {
      set(original, key, mergeListField(current, value as JsonValue[], field, isDeleteList));
    } else {
      set(original, key, value);
    }
  }
  return original;
}

const subSchema = (field: FieldStrategy | undefined): PatchSchema | undefined =>
  field?.kind === 'object' ? field.fields : undefined;

function putAdded(target: JsonObject, key: string, value: JsonValue): void {
  const kept = added(value);
  if (kept === undefined) del(target, key);
  else set(target, key, kept);
}

/** mergeSliceHandler: a deletion list is applied whatever the field's strategy; otherwise only merge lists merge. */
function mergeListField(
  current: JsonValue[],
  value: JsonValue[],
  field: FieldStrategy | undefined,
  isDeleteList: boolean,
): JsonValue[] {
  const list = listStrategy(field);
  if (!list.merge && !isDeleteList) return stored(value) as JsonValue[];
  return mergeSlice(current, value, { ...list, isDeleteList, elemType: elemType(field), mergeItem: mergeMap }).list;
}

/** The Go element type of a list field, for the one error that names it: sets hold strings, the rest structs. */
const elemType = (field: FieldStrategy | undefined): string => (field?.kind === 'setList' ? 'string' : 'struct');

/**
 * mergePatchIntoOriginal: each `$setElementOrder/<list>` merges its list now and orders the result by the
 * directive, keeping server-only items near their old neighbours. The list is then removed from the patch.
 */
function applySetElementOrder(original: JsonObject, patch: JsonObject, schema: PatchSchema | undefined): void {
  for (const directiveKey of Object.keys(patch)) {
    if (!directiveKey.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[directiveKey];
    del(patch, directiveKey);
    if (!Array.isArray(order)) throw badArgType(SLICE_TYPE, order);
    const key = extractKey(directiveKey, SET_ELEMENT_ORDER);
    const current = get(original, key);
    const value = get(patch, key);
    if (current !== undefined && !Array.isArray(current)) throw badArgType(SLICE_TYPE, current);
    if (value !== undefined && !Array.isArray(value)) throw badArgType(SLICE_TYPE, value);
    const field = fieldStrategy(schema, key);
    const list = listStrategy(field);
    checkOrderMatchesPatch(value ?? [], order, list.mergeKey);

    let merged: JsonValue[];
    let server = current ?? [];
    if (current !== undefined && value !== undefined) {
      if (list.merge) {
        const how = { ...list, isDeleteList: false, elemType: elemType(field), mergeItem: mergeMap };
        ({ list: merged, serverView: server } = mergeSlice(current, value, how));
      } else {
        merged = stored(value) as JsonValue[];
      }
    } else if (value !== undefined) {
      merged = added(value) as JsonValue[];
    } else if (current !== undefined) {
      merged = current;
    } else {
      continue;
    }
    const { inBy, rest } = partition(merged, order, list.mergeKey);
    const kind: GoKind = elementKind([current ?? [], value ?? []]);
    set(original, key, normalizeOrder(inBy, rest, { patch: order, server }, list.mergeKey, kind));
    del(patch, key);
  }
}

/** validatePatchWithSetOrderList: the patch's items (deletions aside) must appear in the directive, in its order. */
function checkOrderMatchesPatch(patchList: JsonValue[], order: JsonValue[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  let items = patchList;
  if (mergeKey !== '') {
    for (const v of patchList) if (!isObject(v)) throw badArgType(MAP_TYPE, v);
    items = patchList.filter((v) => !(isObject(v) && get(v, PATCH) === 'delete'));
  }
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    const v = items[p];
    if (isObject(v) && has(v, PATCH)) {
      p++;
      continue;
    }
    if (sameMergeKey(v, order[o], mergeKey)) p++;
    o++;
  }
  if (p < items.length && o >= order.length) {
    throw cannotMerge(
      `The order in patch list:\n${goValue(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goValue(order)}\n`,
    );
  }
}

function sameMergeKey(a: JsonValue, b: JsonValue, mergeKey: string): boolean {
  if (mergeKey === '') return identity(a) !== undefined && identity(a) === identity(b);
  if (!isObject(a)) throw badArgType(MAP_TYPE, a);
  if (!isObject(b)) throw badArgType(MAP_TYPE, b);
  if (!has(a, mergeKey)) throw noMergeKey(a, mergeKey);
  if (!has(b, mergeKey)) throw noMergeKey(b, mergeKey);
  const id = identity(a[mergeKey]);
  return id !== undefined && id === identity(b[mergeKey]);
}

