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

/**
 * A schema node compiled for the walk: `$ref`s resolved and property tables built once per type, instead of on every
 * value of every request. Recursive schemas (JSONSchemaProps) compile to cyclic graphs.
 */
interface FieldNode {
  /** x-kubernetes-preserve-unknown-fields: nothing below is checked. */
  preserve: boolean;
  /** Array items. */
  items: FieldNode | undefined;
  /** Declared properties; undefined when the schema declares none (any field is then accepted, unless `additional`). */
  properties: Map<string, FieldNode> | undefined;
  /** additionalProperties (maps): every value is checked against it. */
  additional: FieldNode | undefined;
}

function compileNode(schema: OpenApiSchema, components: Components, memo: Map<OpenApiSchema, FieldNode>): FieldNode {
  const s = resolveSchema(schema, components);
  const known = memo.get(s);
  if (known) return known;
  const node: FieldNode = { preserve: s['x-kubernetes-preserve-unknown-fields'] === true, items: undefined, properties: undefined, additional: undefined };
  memo.set(s, node);
  if (node.preserve) return node;
  if (isObject(s.items)) node.items = compileNode(s.items as OpenApiSchema, components, memo);
  if (isObject(s.properties)) {
    node.properties = new Map();
    // A property whose schema is not an object counts as undeclared (it falls to additionalProperties, if any).
    for (const [name, prop] of Object.entries(s.properties)) if (isObject(prop)) node.properties.set(name, compileNode(prop, components, memo));
  }
  if (isObject(s.additionalProperties)) node.additional = compileNode(s.additionalProperties as OpenApiSchema, components, memo);
  return node;
}

/** Compiled once per TypeSchema (the built-in types are module constants, so this lives as long as they do). */
const compiled = new WeakMap<TypeSchema, FieldNode>();

function rootOf(type: TypeSchema): FieldNode {
  let root = compiled.get(type);
  if (root === undefined) {
    root = compileNode(type.schema, type.components, new Map());
    compiled.set(type, root);
  }
  return root;
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

/**
 * Collects (and with `drop`, deletes) the fields of `value` that `node` does not declare. `out` is allocated only
 * when something is found: the common case, a clean object, allocates nothing but the path nodes it descends through.
 */
function walk(value: unknown, node: FieldNode, path: PathNode | undefined, drop: boolean, out: string[]): void {
  if (node.preserve || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    const items = node.items;
    if (items !== undefined && !items.preserve) {
      for (let i = 0; i < value.length; i++) walk(value[i], items, { parent: path, key: i }, drop, out);
    }
    return;
  }
  const record = value as Record<string, unknown>;
  const { properties, additional } = node;
  if (properties === undefined && additional === undefined) return;
  for (const k in record) {
    if (!Object.hasOwn(record, k)) continue;
    const prop = properties?.get(k);
    if (prop !== undefined) {
      if (!prop.preserve) walk(record[k], prop, { parent: path, key: k }, drop, out);
    } else if (additional !== undefined) {
      if (!additional.preserve) walk(record[k], additional, { parent: path, key: k }, drop, out);
    } else {
      out.push(renderPath({ parent: path, key: k }));
      if (drop) delete record[k];
    }
  }
}

/** Paths of the fields `obj` has that the schema of `type` does not know, in document order. */
export function findUnknownFields(obj: unknown, type: TypeSchema): string[] {
  const out: string[] = [];
  walk(obj, rootOf(type), undefined, false, out);
  return out;
}

/** Removes the unknown fields from `obj` (in place) and returns their paths. */
export function dropUnknownFields(obj: unknown, type: TypeSchema): string[] {
  const out: string[] = [];
  walk(obj, rootOf(type), undefined, true, out);
  return out;
}
