/**
 * Unknown-field detection against the built-in schemas, for `fieldValidation=Strict|Warn`: the paths the real strict
 * decoder names in `strict decoding error: unknown field "spec.containers[0].imagePullPolcy"`.
 */
import type { OpenApiSchema, TypeSchema } from '../types';
import { isObject } from '../util/json';
import { REF_PREFIX } from './dsl';

type Components = Readonly<Record<string, OpenApiSchema>>;

/** Follows `$ref` and single-element `allOf` wrappers to the schema that has the content. */
export function resolveSchema(schema: OpenApiSchema, components: Components): OpenApiSchema {
  let s = schema;
  for (let depth = 0; depth < 64; depth++) {
    const ref = s.$ref;
    if (typeof ref === 'string' && ref.startsWith(REF_PREFIX)) {
      s = components[ref.slice(REF_PREFIX.length)] ?? {};
      continue;
    }
    const allOf = s.allOf;
    if (Array.isArray(allOf) && allOf.length === 1 && isObject(allOf[0])) {
      s = allOf[0];
      continue;
    }
    return s;
  }
  return s;
}

interface Walk {
  readonly components: Components;
  readonly out: string[];
  /** Delete what is unknown, as the Go decoder drops fields its structs do not have. */
  readonly drop: boolean;
}

/** Where a value sits, built as the walk goes down; rendered to a string only for an unknown field. */
interface PathNode {
  readonly parent: PathNode | undefined;
  readonly key: string | number;
}

function renderPath(node: PathNode): string {
  const key = node.key;
  if (node.parent === undefined) return typeof key === 'number' ? `[${key}]` : key;
  const parent = renderPath(node.parent);
  return typeof key === 'number' ? `${parent}[${key}]` : `${parent}.${key}`;
}

function walk(value: unknown, schema: OpenApiSchema, path: PathNode | undefined, w: Walk): void {
  const s = resolveSchema(schema, w.components);
  if (s['x-kubernetes-preserve-unknown-fields'] === true) return;
  if (Array.isArray(value)) {
    const items = s.items;
    if (isObject(items)) {
      for (let i = 0; i < value.length; i++) walk(value[i], items as OpenApiSchema, { parent: path, key: i }, w);
    }
    return;
  }
  if (!isObject(value)) return;
  const properties = isObject(s.properties) ? s.properties : undefined;
  const additional = isObject(s.additionalProperties) ? s.additionalProperties : undefined;
  for (const k of Object.keys(value)) {
    const prop = properties !== undefined && Object.hasOwn(properties, k) ? properties[k] : undefined;
    if (isObject(prop)) walk(value[k], prop, { parent: path, key: k }, w);
    else if (additional !== undefined) walk(value[k], additional, { parent: path, key: k }, w);
    else if (properties !== undefined) {
      w.out.push(renderPath({ parent: path, key: k }));
      if (w.drop) delete value[k];
    }
  }
}

/** Paths of the fields `obj` has that the schema of `type` does not know, in document order. */
export function findUnknownFields(obj: unknown, type: TypeSchema): string[] {
  const out: string[] = [];
  walk(obj, type.schema, undefined, { components: type.components, out, drop: false });
  return out;
}

/** Removes the unknown fields from `obj` (in place) and returns their paths. */
export function dropUnknownFields(obj: unknown, type: TypeSchema): string[] {
  const out: string[] = [];
  walk(obj, type.schema, undefined, { components: type.components, out, drop: true });
  return out;
}
