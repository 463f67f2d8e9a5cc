import type { z } from 'zod';
import type { FieldMeta } from './field';

/** What the renderer and the error formatter need to know about one schema node. */
export interface FieldInfo {
  readonly meta: FieldMeta | undefined;
  /** The default as a user would write it; undefined for required values. */
  readonly defaultInput: unknown;
  /** Present for sections: their fields, in file order. */
  readonly shape: Readonly<Record<string, z.ZodType>> | undefined;
}

/** The subset of zod's definitions this walker reads; zod documents `def` for library authors. */
interface Def {
  readonly type: string;
  readonly in?: z.ZodType;
  readonly out?: z.ZodType;
  readonly innerType?: z.ZodType;
  readonly defaultValue?: unknown;
  readonly shape?: Record<string, z.ZodType>;
}

const defOf = (schema: z.ZodType): Def => schema.def as unknown as Def;

/**
 * Looks through the wrappers that field() and section() add (preprocess, prefault, transform) to the
 * default and the object shape underneath.
 */
export function inspect(schema: z.ZodType): FieldInfo {
  let meta: FieldMeta | undefined;
  let defaultInput: unknown;
  let current: z.ZodType | undefined = schema;
  while (current !== undefined) {
    meta ??= current.meta() as FieldMeta | undefined;
    const def = defOf(current);
    if (def.type === 'object') return { meta, defaultInput, shape: def.shape };
    if (def.type === 'prefault' || def.type === 'default') {
      defaultInput ??= def.defaultValue;
      current = def.innerType;
    } else if (def.type === 'pipe' && def.in !== undefined && def.out !== undefined) {
      // preprocess is pipe(transform, schema); a leaf or a compiled section is pipe(schema, transform).
      current = defOf(def.in).type === 'transform' ? def.out : def.in;
    } else current = undefined;
  }
  return { meta, defaultInput, shape: undefined };
}

/** The schema of the field at `path` (file names), or undefined where the path leaves the schema. */
export function schemaAt(root: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let current: z.ZodType | undefined = root;
  for (const key of path) {
    const shape: FieldInfo['shape'] = current === undefined ? undefined : inspect(current).shape;
    current = shape !== undefined && typeof key === 'string' && Object.hasOwn(shape, key) ? shape[key] : undefined;
  }
  return current;
}

/** The defaults of a schema as a user would write them, sections expanded field by field. */
export function defaultInputOf(schema: z.ZodType): unknown {
  const info = inspect(schema);
  if (info.shape === undefined) return info.defaultInput;
  return Object.fromEntries(Object.entries(info.shape).map(([key, child]) => [key, defaultInputOf(child)]));
}
