/**
 * Pruning (apiextensions pruning.PruneWithOptions): fields a structural schema does not specify are dropped,
 * except below `x-kubernetes-preserve-unknown-fields: true` and, at the root and in embedded resources,
 * apiVersion/kind/metadata. Non-mutating: the input is copied.
 *
 * The returned paths (`spec.foo`, `spec.items[0].bar`, sorted as Go sorts strings) are what the HTTP layer needs
 * for field validation: `fieldValidation=Strict` answers 400 `strict decoding error: unknown field "spec.foo", ...`,
 * `Warn` (kubectl's default is Strict) sends one `unknown field "spec.foo"` warning per path.
 */
import { coerceEmbeddedMetadata } from './embedded';
import { compareGo } from './go-format';
import { deepCopy, hasOwn, isObject, type Schema } from './schema-types';

export interface PruneResult {
  readonly value: unknown;
  readonly prunedPaths: readonly string[];
}

export interface PruneOptions {
  /** True for a whole custom object: its apiVersion, kind and metadata are never pruned. */
  readonly isResourceRoot: boolean;
}

const META_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

const appendKey = (path: string, k: string): string => (path ? `${path}.${k}` : k);

function extraSchema(s: Schema): Schema | undefined {
  return isObject(s.additionalProperties) ? (s.additionalProperties as Schema) : undefined;
}

function prune(x: unknown, s: Schema | undefined, path: string, pruned: string[]): void {
  if (s?.['x-kubernetes-preserve-unknown-fields']) {
    skipPrune(x, s, path, pruned);
    return;
  }
  if (isObject(x)) {
    for (const k of Object.keys(x)) {
      const at = appendKey(path, k);
      if (!s) {
        pruned.push(at);
        delete x[k];
      } else if (s['x-kubernetes-embedded-resource'] && META_FIELDS.has(k)) {
        continue;
      } else if (s.properties && hasOwn(s.properties, k)) {
        prune(x[k], s.properties[k], at, pruned);
      } else if (s.additionalProperties !== undefined) {
        prune(x[k], extraSchema(s), at, pruned);
      } else {
        pruned.push(at);
        delete x[k];
      }
    }
  } else if (Array.isArray(x)) {
    x.forEach((item, i) => prune(item, s?.items, `${path}[${i}]`, pruned));
  }
}

/** Below preserve-unknown-fields nothing is dropped, but specified fields are still pruned inside. */
function skipPrune(x: unknown, s: Schema, path: string, pruned: string[]): void {
  if (isObject(x)) {
    for (const k of Object.keys(x)) {
      if (s['x-kubernetes-embedded-resource'] && META_FIELDS.has(k)) continue;
      if (s.properties && hasOwn(s.properties, k)) prune(x[k], s.properties[k], appendKey(path, k), pruned);
      else if (s.additionalProperties !== undefined) prune(x[k], extraSchema(s), appendKey(path, k), pruned);
    }
  } else if (Array.isArray(x)) {
    x.forEach((item, i) => {
      if (s.items) skipPrune(item, s.items, `${path}[${i}]`, pruned);
    });
  }
}

/** Drops the fields `schema` does not specify from a copy of `obj` (pruning only, no metadata coercion). */
export function pruneFields(obj: unknown, schema: Schema | undefined, options: PruneOptions): { value: unknown; pruned: string[] } {
  const value = deepCopy(obj);
  const pruned: string[] = [];
  const root: Schema | undefined = options.isResourceRoot ? { ...(schema ?? {}), 'x-kubernetes-embedded-resource': true } : schema;
  prune(value, root, '', pruned);
  return { value, pruned };
}

/** Applies the structural schema to `obj`: drops unknown fields and coerces embedded resources' metadata. */
export function pruneUnknownFields(obj: unknown, schema: Schema | undefined, options: PruneOptions): PruneResult {
  const { value, pruned } = pruneFields(obj, schema, options);
  coerceEmbeddedMetadata(value, schema, pruned);
  return { value, prunedPaths: pruned.sort(compareGo) };
}
