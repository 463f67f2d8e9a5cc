/**
 * mergeSlice: merging one list field, with its special items (`$patch: delete | replace | merge`). Objects inside
 * are merged by the `mergeItem` the caller passes in (mergeMap), which keeps the two modules free of a cycle.
 */
import { cannotMerge } from '../errors';
import { has, isObject, type JsonObject, type JsonValue } from '../json';
import type { PatchSchema } from '../schema/types';
import { PATCH, badPatchType, stored } from './directives';
import { KeyIndex, elementKind, identity, noMergeKey, normalizeOrder, partition } from './lists';

export interface ListMerge {
  mergeKey: string;
  item?: PatchSchema;
  isDeleteList: boolean;
  /** The Go element type, printed by the one error that names it. */
  elemType: string;
  mergeItem: (original: JsonObject, patch: JsonObject, schema: PatchSchema | undefined) => JsonObject;
}

/**
 * The merged list, and `serverView`: what the caller's own reference to the original list holds afterwards. In Go
 * the deletions shift items left in the caller's backing array and appends then fill the freed slots, and
 * mergePatchIntoOriginal orders server-only items by that aliased array. apimachinery's tests pin the resulting
 * order ("add map and delete map from merging list"), so we replay it.
 */
export function mergeSlice(original: JsonValue[], patch: JsonValue[], how: ListMerge): { list: JsonValue[]; serverView: JsonValue[] } {
  if (original.length === 0 && patch.length === 0) return { list: original, serverView: original };
  const kind = elementKind([original, patch]);
  if (kind !== 'map') {
    if (how.isDeleteList) {
      const doomed = new Set(patch.map(identity));
      return { list: original.filter((v) => !doomed.has(identity(v))), serverView: original };
    }
    const merged = uniqueScalars([...original, ...patch]);
    const { inBy, rest } = partition(merged, patch, how.mergeKey);
    return { list: normalizeOrder(inBy, rest, { patch, server: original }, how.mergeKey, kind), serverView: original };
  }
  if (how.mergeKey === '') throw cannotMerge(`cannot merge lists without merge key for type ${how.elemType}`);

  const special = applySpecialItems(original, patch, how.mergeKey);
  const raw = new Set<JsonValue>(special.replaced ? special.patch : []);
  const base = special.replaced ? special.patch : special.original;
  const rest = special.replaced ? [] : special.patch;
  // Appends land in the slots the deletions freed, as long as those are inside the caller's view.
  const view = special.view;
  const merged = mergeItems(base.slice(), rest, how, raw, (at, v) => {
    if (!special.replaced && at < view.length) view[at] = v;
  });
  const parts = partition(merged, rest, how.mergeKey);
  const ordered = normalizeOrder(parts.inBy, parts.rest, { patch: rest, server: base }, how.mergeKey, kind);
  return { list: ordered.map((v) => (raw.has(v) ? stored(v) : v)), serverView: view };
}

/**
 * Items carrying `$patch`. `delete` removes every match (shifting the rest left, as Go's in-place append does);
 * `replace` makes the plain items the whole list; `merge` is refused as the server refuses it.
 */
function applySpecialItems(
  original: JsonValue[],
  patch: JsonValue[],
  mergeKey: string,
): { original: JsonValue[]; patch: JsonValue[]; replaced: boolean; view: JsonValue[] } {
  const view = original.slice();
  let length = view.length;
  const plain: JsonValue[] = [];
  let replaced = false;
  for (const v of patch as JsonObject[]) {
    if (!has(v, PATCH)) {
      plain.push(v);
      continue;
    }
    const directive = v[PATCH];
    if (directive === 'delete') {
      if (!has(v, mergeKey)) throw noMergeKey(v, mergeKey);
      const doomed = identity(v[mergeKey]);
      for (let k = 0; k < length; ) {
        const o = view[k];
        if (isObject(o) && has(o, mergeKey) && doomed !== undefined && identity(o[mergeKey]) === doomed) {
          view.copyWithin(k, k + 1, length);
          length--;
        } else {
          k++;
        }
      }
    } else if (directive === 'replace') {
      replaced = true;
    } else if (directive === 'merge') {
      throw cannotMerge('merging lists cannot yet be specified in the patch');
    } else {
      throw badPatchType(directive, v);
    }
  }
  return { original: view.slice(0, length), patch: plain, replaced, view };
}

/** Merges each patch item into the first item with the same key, or appends it (a later duplicate merges in). */
function mergeItems(
  list: JsonValue[],
  patch: JsonValue[],
  how: ListMerge,
  raw: Set<JsonValue>,
  onAppend: (at: number, v: JsonValue) => void,
): JsonValue[] {
  const index = new KeyIndex(list, how.mergeKey);
  for (const v of patch as JsonObject[]) {
    if (!has(v, how.mergeKey)) throw noMergeKey(v, how.mergeKey);
    const at = index.find(v[how.mergeKey]);
    if (at >= 0) {
      const merged = how.mergeItem(list[at] as JsonObject, v, how.item);
      if (raw.has(list[at])) raw.add(merged);
      list[at] = merged;
    } else {
      onAppend(list.length, v);
      list.push(v);
      index.add(v);
      raw.add(v);
    }
  }
  return list;
}

/** Keeps the first of equal scalars; order does not matter, the list is sorted afterwards. */
function uniqueScalars(values: JsonValue[]): JsonValue[] {
  const seen = new Set<string | undefined>();
  return values.filter((v) => {
    const id = identity(v);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
