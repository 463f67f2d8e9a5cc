/**
 * The decoder's view of the Kubernetes protobuf types: per message, its fields by number with their JSON behaviour.
 * The table itself is generated from proto/k8s (schema.generated.ts); this module compiles it once into lookups.
 */
import { K8S_PACKAGES } from './schema.generated';
import { INLINE, KEEP_ZERO, MAP, REPEATED, SCALAR_TYPES, type PackageTable } from './schema-table';

export interface FieldSpec {
  readonly number: number;
  readonly name: string;
  /** A scalar, or the fully qualified name of a message type. */
  readonly type: string;
  readonly scalar: boolean;
  readonly repeated: boolean;
  readonly map: boolean;
  readonly keepZero: boolean;
  readonly inline: boolean;
}

export interface MessageSpec {
  /** Fully qualified, e.g. `k8s.io.api.core.v1.PodSpec`. */
  readonly name: string;
  readonly fields: readonly FieldSpec[];
  readonly byNumber: ReadonlyMap<number, FieldSpec>;
}

export type Schema = ReadonlyMap<string, MessageSpec>;

/** Compiles a table, checking that every referenced message exists. Throws on a malformed table. */
export function compileSchema(table: PackageTable): Schema {
  const schema = new Map<string, MessageSpec>();
  for (const [pkg, messages] of Object.entries(table)) {
    for (const [short, tuples] of Object.entries(messages)) {
      const name = `${pkg}.${short}`;
      const fields = tuples.map(([number, fieldName, type, flags = 0]): FieldSpec => {
        const scalar = SCALAR_TYPES.has(type);
        return {
          number,
          name: fieldName,
          type: scalar || type.includes('.') ? type : `${pkg}.${type}`,
          scalar,
          repeated: (flags & REPEATED) !== 0,
          map: (flags & MAP) !== 0,
          keepZero: (flags & KEEP_ZERO) !== 0,
          inline: (flags & INLINE) !== 0,
        };
      });
      const byNumber = new Map<number, FieldSpec>();
      for (const field of fields) {
        if (byNumber.has(field.number)) throw new Error(`${name}: field number ${field.number} is declared twice`);
        byNumber.set(field.number, field);
      }
      schema.set(name, { name, fields, byNumber });
    }
  }
  for (const message of schema.values()) {
    for (const field of message.fields) {
      if (!field.scalar && !schema.has(field.type)) {
        throw new Error(`${message.name}.${field.name}: unknown message type ${field.type}`);
      }
    }
  }
  return schema;
}

let compiled: Schema | undefined;

/** The Kubernetes types of proto/k8s, compiled on first use. */
export function kubernetesSchema(): Schema {
  compiled ??= compileSchema(K8S_PACKAGES);
  return compiled;
}
