/**
 * Patch metadata for strategic merge: the part of the Go types' `patchStrategy`/`patchMergeKey` tags the server
 * consults when it applies a patch. A field that is not described merges by default: an object key by key, a list
 * replaced whole, a scalar replaced. So a schema only needs the fields that differ, and the objects leading to them.
 *
 * The `retainKeys` strategy is not recorded: the server honours a `$retainKeys` directive wherever a patch carries
 * one, and the tag only matters to clients computing patches.
 */

export type FieldStrategy =
  /** An object with described fields inside. */
  | { readonly kind: 'object'; readonly fields: PatchSchema }
  /** `patchStrategy:"merge" patchMergeKey:"<mergeKey>"`: a list of objects merged item by item. */
  | { readonly kind: 'mergeList'; readonly mergeKey: string; readonly item?: PatchSchema }
  /** `patchStrategy:"merge"` without a key: a list of strings merged as a set. */
  | { readonly kind: 'setList' }
  /** `patchStrategy:"replace"` on an object: the patch value replaces it whole. */
  | { readonly kind: 'replace' };

/** The described fields of one object type, by JSON name. */
export interface PatchSchema {
  readonly [field: string]: FieldStrategy;
}

export const object = (fields: PatchSchema): FieldStrategy => ({ kind: 'object', fields });

export const mergeList = (mergeKey: string, item?: PatchSchema): FieldStrategy =>
  item === undefined ? { kind: 'mergeList', mergeKey } : { kind: 'mergeList', mergeKey, item };

export const SET_LIST: FieldStrategy = { kind: 'setList' };

export const REPLACE: FieldStrategy = { kind: 'replace' };

/** The strategy for one field, or undefined for the default. Safe for keys like `constructor`. */
export const fieldStrategy = (schema: PatchSchema | undefined, field: string): FieldStrategy | undefined =>
  schema !== undefined && Object.hasOwn(schema, field) ? schema[field] : undefined;

/** How a list field merges: its merge key ('' for sets and lists without one) and the schema of its items. */
export function listStrategy(field: FieldStrategy | undefined): { merge: boolean; mergeKey: string; item?: PatchSchema } {
  if (field?.kind === 'mergeList') return { merge: true, mergeKey: field.mergeKey, item: field.item };
  return { merge: field?.kind === 'setList', mergeKey: '' };
}
