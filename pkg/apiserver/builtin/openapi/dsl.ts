/**
 * A small typed DSL for OpenAPI v3 components, so that each type reads like its Go struct:
 *
 *   struct('io.k8s.api.core.v1.ContainerPort', 'A network port in a container.', {
 *     containerPort: int32('Port number on the pod IP.').required(),
 *     protocol: string('TCP, UDP or SCTP.').enum('SCTP', 'TCP', 'UDP').default('TCP'),
 *   })
 *
 * It emits what the real server does: `$ref`s to `#/components/schemas/<name>` (wrapped in `allOf` when the
 * property has a description or default), `required` lists, and the list/map markers kubectl and server-side
 * apply read (`x-kubernetes-list-type`, `-list-map-keys`, `-map-type`, `-patch-strategy`, `-patch-merge-key`).
 */
import type { OpenApiSchema } from '../types';

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/** A named schema: what `components.schemas` holds. */
export interface Component {
  readonly name: string;
  readonly schema: OpenApiSchema;
  /** Components referenced directly (named-only references are resolved through the closure). */
  readonly deps: readonly Component[];
}

export const REF_PREFIX = '#/components/schemas/';

/** A property of a struct, or the item/value schema of a list or map. */
export class Field {
  constructor(
    readonly schema: OpenApiSchema,
    readonly deps: readonly Component[] = [],
    readonly isRequired = false,
  ) {}

  private with(extra: OpenApiSchema, required = this.isRequired): Field {
    return new Field({ ...this.schema, ...extra }, this.deps, required);
  }

  required(): Field {
    return new Field(this.schema, this.deps, true);
  }

  default(value: unknown): Field {
    return this.with({ default: value });
  }

  enum(...values: string[]): Field {
    return this.with({ enum: values });
  }

  format(format: string): Field {
    return this.with({ format });
  }

  /** `+listType=atomic`: the list is replaced whole by apply. */
  atomic(): Field {
    return this.with({ 'x-kubernetes-list-type': 'atomic' });
  }

  /** `+listType=set`. */
  set(): Field {
    return this.with({ 'x-kubernetes-list-type': 'set' });
  }

  /** `+listType=map` with its keys. */
  map(...keys: string[]): Field {
    return this.with({ 'x-kubernetes-list-map-keys': keys, 'x-kubernetes-list-type': 'map' });
  }

  /** `patchStrategy:"merge"`, with the merge key for lists of objects. */
  merge(key?: string, strategy = 'merge'): Field {
    return this.with(key === undefined ? { 'x-kubernetes-patch-strategy': strategy } : { 'x-kubernetes-patch-merge-key': key, 'x-kubernetes-patch-strategy': strategy });
  }

  /** `+mapType=atomic` on a map or struct. */
  atomicMap(): Field {
    return this.with({ 'x-kubernetes-map-type': 'atomic' });
  }

  /** Any extension or keyword the helpers above do not cover. */
  extra(schema: OpenApiSchema): Field {
    return this.with(schema);
  }
}

const described = (description: string): OpenApiSchema => (description ? { description } : {});

export const string = (description = ''): Field => new Field({ ...described(description), type: 'string' });
export const int32 = (description = ''): Field => new Field({ ...described(description), format: 'int32', type: 'integer' });
export const int64 = (description = ''): Field => new Field({ ...described(description), format: 'int64', type: 'integer' });
export const double = (description = ''): Field => new Field({ ...described(description), format: 'double', type: 'number' });
export const boolean = (description = ''): Field => new Field({ ...described(description), type: 'boolean' });
/** `[]byte`: base64 text on the wire. */
export const bytes = (description = ''): Field => new Field({ ...described(description), format: 'byte', type: 'string' });
/** A free-form object (`interface{}`-like): any JSON, not checked further. */
export const anything = (description = ''): Field => new Field({ ...described(description), type: 'object', 'x-kubernetes-preserve-unknown-fields': true });

export type Target = Component | string;

const refTo = (target: Target): OpenApiSchema => ({ $ref: `${REF_PREFIX}${typeof target === 'string' ? target : target.name}` });
const depsOf = (target: Target): Component[] => (typeof target === 'string' ? [] : [target]);

/** A property of a named type; `allOf` keeps `$ref` free of siblings, as OpenAPI 3.0 requires. */
export function ref(target: Target, description = '', options: { default?: unknown } = {}): Field {
  const siblings: OpenApiSchema = { ...(options.default !== undefined ? { default: options.default } : {}), ...described(description) };
  const schema = Object.keys(siblings).length === 0 ? refTo(target) : { allOf: [refTo(target)], ...siblings };
  return new Field(schema, depsOf(target));
}

/** A Go value-struct property: never null, so the schema carries `default: {}`. */
export const value = (target: Target, description = ''): Field => ref(target, description, { default: {} });

type Item = Field | Component | 'string' | 'int32' | 'int64';

function itemField(item: Item): Field {
  if (item instanceof Field) return item;
  if (item === 'string') return new Field({ default: '', type: 'string' });
  if (item === 'int32') return new Field({ default: 0, format: 'int32', type: 'integer' });
  if (item === 'int64') return new Field({ default: 0, format: 'int64', type: 'integer' });
  return ref(item, '', { default: {} });
}

export function list(item: Item, description = ''): Field {
  const f = itemField(item);
  return new Field({ ...described(description), items: f.schema, type: 'array' }, f.deps);
}

export function map(valueItem: Item, description = ''): Field {
  const f = itemField(valueItem);
  return new Field({ ...described(description), additionalProperties: f.schema, type: 'object' }, f.deps);
}

export const stringMap = (description = ''): Field => map('string', description);

export interface StructOptions {
  readonly gvk?: readonly GroupVersionKind[];
  /** `+structType=atomic`. */
  readonly atomic?: boolean;
}

/** Keys in a stable, sorted order, as the real generator writes them. */
function sorted(o: OpenApiSchema): OpenApiSchema {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
}

export function struct(name: string, description: string, fields: Record<string, Field>, options: StructOptions = {}): Component {
  const properties: OpenApiSchema = {};
  const required: string[] = [];
  const deps: Component[] = [];
  for (const [k, f] of Object.entries(fields)) {
    properties[k] = sorted(f.schema);
    if (f.isRequired) required.push(k);
    deps.push(...f.deps);
  }
  const schema: OpenApiSchema = {
    ...described(description),
    properties: sorted(properties),
    ...(required.length > 0 ? { required } : {}),
    type: 'object',
    ...(options.gvk ? { 'x-kubernetes-group-version-kind': options.gvk.map((g) => ({ group: g.group, kind: g.kind, version: g.version })) } : {}),
    ...(options.atomic ? { 'x-kubernetes-map-type': 'atomic' } : {}),
  };
  return { name, schema, deps };
}

/** A named scalar or free-form type (Time, Quantity, RawExtension...). */
export const scalar = (name: string, schema: OpenApiSchema): Component => ({ name, schema, deps: [] });

/** Every component reachable from `roots`, by name. */
export function closure(roots: readonly Component[]): Record<string, OpenApiSchema> {
  const out: Record<string, OpenApiSchema> = {};
  const stack = [...roots];
  while (stack.length > 0) {
    const c = stack.pop() as Component;
    if (Object.hasOwn(out, c.name)) continue;
    out[c.name] = c.schema;
    stack.push(...c.deps);
  }
  return out;
}
