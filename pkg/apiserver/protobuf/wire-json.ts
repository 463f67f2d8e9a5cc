/**
 * Schema-driven protobuf → Kubernetes JSON. One pass over the wire per message: every field number must be in the
 * schema (an unknown one is refused, never skipped), and the result is what Go's encoding/json writes for the same
 * object: declaration order, omitempty zeros left out unless the field keeps them, map keys sorted, bytes as base64,
 * int64 as numbers, and the apimachinery types (Time, Quantity, IntOrString, ...) in their JSON forms.
 */
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { ProtobufDecodeError, SEND_JSON_ADVICE } from './errors';
import type { FieldSpec, MessageSpec, Schema } from './schema';
import { SPECIAL_TYPES, type FieldValues } from './special-types';

/** Nesting deeper than this is refused (Kubernetes objects nest about 15 levels). */
const MAX_DEPTH = 100;

export interface DecodeContext {
  readonly schema: Schema;
  /** Decodes a protobuf object embedded in a RawExtension (it carries its own envelope). */
  readonly decodeEmbedded: (body: Uint8Array, where: string, depth: number) => unknown;
  /** Names the schema's Kubernetes version in "client is newer" errors. */
  readonly schemaVersion: string;
}

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** The JSON form of a message of type `typeName` encoded in `bytes`. `where` is the JSON path, for errors. */
export function messageToJson(ctx: DecodeContext, typeName: string, bytes: Uint8Array, where: string, depth = 0): unknown {
  const spec = ctx.schema.get(typeName);
  if (!spec) throw new Error(`no schema for ${typeName}`); // the compiled schema checks every reference
  if (depth > MAX_DEPTH) throw malformed(`the object nests deeper than ${MAX_DEPTH} levels at ${where || '.'}`, spec);
  const values = readFields(ctx, spec, bytes, where);
  const special = SPECIAL_TYPES.get(spec.name);
  if (special) return special(values, { where, typeName: spec.name, embedded: (raw) => ctx.decodeEmbedded(raw, where, depth + 1) });
  const out: Record<string, unknown> = {};
  for (const field of spec.fields) {
    const value = values.get(field.number);
    if (value === undefined) continue;
    const path = where ? `${where}.${field.name}` : field.name;
    if (field.map) {
      out[field.name] = mapToJson(ctx, spec, field, value as Uint8Array[], path, depth);
    } else if (!field.scalar) {
      const chunks = value as Uint8Array[];
      if (field.repeated) {
        out[field.name] = chunks.map((chunk, i) => messageToJson(ctx, field.type, chunk, `${path}[${i}]`, depth + 1));
      } else {
        const json = messageToJson(ctx, field.type, concat(chunks), path, depth + 1);
        if (field.inline) {
          if (json === null || typeof json !== 'object' || Array.isArray(json)) {
            throw malformed(`${spec.name}.${field.name} is inlined but its JSON form is not an object`, spec, field);
          }
          Object.assign(out, json);
        } else {
          out[field.name] = json;
        }
      }
    } else if (field.repeated) {
      out[field.name] = (value as unknown[]).map((v) => scalarToJson(field, v, spec));
    } else if (field.keepZero || !isZero(value)) {
      out[field.name] = scalarToJson(field, value, spec);
    }
  }
  return out;
}

/**
 * Reads the wire form of one message. Result by field number: a scalar's last value, a repeated scalar's values, or for
 * message and map fields the encoded chunks (a singular message that occurs twice is merged, as protobuf specifies).
 */
function readFields(ctx: DecodeContext, spec: MessageSpec, bytes: Uint8Array, where: string): FieldValues {
  const values: FieldValues = new Map();
  const reader = new BinaryReader(bytes);
  try {
    while (reader.pos < reader.len) {
      const [number, wireType] = reader.tag();
      const field = spec.byNumber.get(number);
      if (!field) throw unknownField(ctx, spec, number, where);
      if (!field.scalar || field.map) {
        expectWire(spec, field, wireType, WireType.LengthDelimited);
        const list = (values.get(number) as Uint8Array[] | undefined) ?? [];
        list.push(reader.bytes());
        values.set(number, list);
      } else if (field.repeated) {
        const list = (values.get(number) as unknown[] | undefined) ?? [];
        if (wireType === WireType.LengthDelimited && field.type !== 'string' && field.type !== 'bytes') {
          const packed = new BinaryReader(reader.bytes());
          while (packed.pos < packed.len) list.push(readScalar(packed, field));
        } else {
          expectWire(spec, field, wireType, scalarWireType(field));
          list.push(readScalar(reader, field));
        }
        values.set(number, list);
      } else {
        expectWire(spec, field, wireType, scalarWireType(field));
        values.set(number, readScalar(reader, field));
      }
    }
  } catch (error) {
    if (error instanceof ProtobufDecodeError) throw error;
    throw malformed(`truncated or corrupt protobuf in ${spec.name}${where ? ` at ${where}` : ''}: ${(error as Error).message}`, spec, undefined, error);
  }
  return values;
}

function readScalar(reader: BinaryReader, field: FieldSpec): unknown {
  switch (field.type) {
    case 'string':
      return utf8.decode(reader.bytes());
    case 'bytes':
      return reader.bytes();
    case 'bool':
      return reader.bool();
    case 'int32':
      return reader.int32();
    case 'uint32':
      return reader.uint32();
    case 'int64':
      return BigInt(reader.int64());
    case 'uint64':
      return BigInt(reader.uint64());
    case 'double':
      return reader.double();
    case 'float':
      return reader.float();
    default:
      throw new Error(`unsupported scalar type ${field.type}`);
  }
}

function scalarWireType(field: FieldSpec): WireType {
  switch (field.type) {
    case 'string':
    case 'bytes':
      return WireType.LengthDelimited;
    case 'double':
      return WireType.Bit64;
    case 'float':
      return WireType.Bit32;
    default:
      return WireType.Varint;
  }
}

function expectWire(spec: MessageSpec, field: FieldSpec, actual: WireType, expected: WireType): void {
  if (actual !== expected) {
    throw malformed(`${spec.name}.${field.name} (field ${field.number}) has wire type ${actual}, expected ${expected}`, spec, field);
  }
}

function scalarToJson(field: FieldSpec, value: unknown, spec: MessageSpec): unknown {
  if (typeof value === 'bigint') {
    const n = Number(value);
    if (!Number.isSafeInteger(n)) {
      throw malformed(`${spec.name}.${field.name} holds ${value}, which JSON numbers cannot carry exactly`, spec, field);
    }
    return n;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw malformed(`${spec.name}.${field.name} holds ${value}, which JSON cannot represent`, spec, field);
  }
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  return value;
}

function isZero(value: unknown): boolean {
  return value === '' || value === 0 || value === 0n || value === false || (value instanceof Uint8Array && value.length === 0);
}

/** map<string, V>: each entry is a message with key = 1 and value = 2. Go writes map keys sorted. */
function mapToJson(
  ctx: DecodeContext,
  spec: MessageSpec,
  field: FieldSpec,
  entries: Uint8Array[],
  path: string,
  depth: number,
): Record<string, unknown> {
  const collected = new Map<string, unknown>();
  for (const entry of entries) {
    let key = '';
    let value: Uint8Array[] | unknown = undefined;
    const reader = new BinaryReader(entry);
    try {
      while (reader.pos < reader.len) {
        const [number, wireType] = reader.tag();
        if (number === 1) {
          expectWire(spec, field, wireType, WireType.LengthDelimited);
          key = utf8.decode(reader.bytes());
        } else if (number === 2) {
          if (field.scalar) {
            expectWire(spec, field, wireType, scalarWireType(field));
            value = readScalar(reader, field);
          } else {
            expectWire(spec, field, wireType, WireType.LengthDelimited);
            value = [...((value as Uint8Array[] | undefined) ?? []), reader.bytes()];
          }
        } else {
          throw unknownField(ctx, spec, number, `${path} (an entry of map field ${field.name})`);
        }
      }
    } catch (error) {
      if (error instanceof ProtobufDecodeError) throw error;
      throw malformed(`truncated or corrupt map entry in ${spec.name}.${field.name}: ${(error as Error).message}`, spec, field, error);
    }
    const entryPath = `${path}[${JSON.stringify(key)}]`;
    if (field.scalar) {
      collected.set(key, scalarToJson(field, value ?? zeroOf(field), spec));
    } else {
      collected.set(key, messageToJson(ctx, field.type, concat((value as Uint8Array[] | undefined) ?? []), entryPath, depth + 1));
    }
  }
  const out: Record<string, unknown> = {};
  // defineProperty, not assignment: a key named "__proto__" must stay a key, as JSON.parse would keep it.
  for (const key of [...collected.keys()].sort()) {
    Object.defineProperty(out, key, { value: collected.get(key), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function zeroOf(field: FieldSpec): unknown {
  switch (field.type) {
    case 'string':
      return '';
    case 'bytes':
      return new Uint8Array();
    case 'bool':
      return false;
    default:
      return 0;
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

function unknownField(ctx: DecodeContext, spec: MessageSpec, number: number, where: string): ProtobufDecodeError {
  return new ProtobufDecodeError(
    'UnknownField',
    `the protobuf body sets field number ${number} of ${spec.name}${where ? ` (at ${where})` : ''}, which this server ` +
      `does not know: the client is newer than the server's Kubernetes ${ctx.schemaVersion} protobuf types; ${SEND_JSON_ADVICE}`,
    { typeName: spec.name, fieldNumber: number },
  );
}

function malformed(message: string, spec: MessageSpec, field?: FieldSpec, cause?: unknown): ProtobufDecodeError {
  return new ProtobufDecodeError(
    'Malformed',
    message,
    { typeName: spec.name, ...(field ? { fieldNumber: field.number } : {}) },
    cause === undefined ? undefined : { cause },
  );
}
