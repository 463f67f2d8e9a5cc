/** The shape of the generated schema table (schema.generated.ts), kept apart so that the table can import it. */

/** Field flags in the generated table. */
export const REPEATED = 1;
/** A map<string, V> field; the tuple's type is V. */
export const MAP = 2;
/** Go writes the zero value to JSON (a pointer field that was set, or a JSON tag without omitempty): keep it. */
export const KEEP_ZERO = 4;
/** Go's JSON tag is `,inline`: the message's fields go into the parent object. */
export const INLINE = 8;

export type ScalarType = 'string' | 'bytes' | 'bool' | 'int32' | 'int64' | 'uint32' | 'uint64' | 'double' | 'float';
export const SCALAR_TYPES: ReadonlySet<string> = new Set<ScalarType>([
  'string',
  'bytes',
  'bool',
  'int32',
  'int64',
  'uint32',
  'uint64',
  'double',
  'float',
]);

/**
 * One field: [number, name (also its JSON key), type, flags]. The type is a scalar keyword, a message name in the same
 * package, or a fully qualified message name (it contains a dot).
 */
export type FieldTuple = readonly [number: number, name: string, type: string, flags?: number];
/** Package name → message name → fields in declaration order (Go's struct order, which is also its JSON order). */
export type PackageTable = Readonly<Record<string, Readonly<Record<string, readonly FieldTuple[]>>>>;
