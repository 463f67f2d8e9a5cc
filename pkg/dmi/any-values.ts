/**
 * The values of a DMI `CustomizedValue` (protocol and visitor configData): each is a google.protobuf.Any holding one
 * protobuf wrapper (StringValue, Int32Value, Int64Value, FloatValue, BoolValue), as KubeEdge's edgecore packs them, so
 * a mapper built for KubeEdge reads our values and ours read KubeEdge's. DoubleValue and UInt32/64Value are read too.
 */
import { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';
import type { Any } from '../../gen/google/protobuf/any';

const PREFIX = 'type.googleapis.com/google.protobuf.';

export type ConfigValue = string | number | bigint | boolean;

/** JSON value from a CRD's configData -> Any. Objects and arrays (which KubeEdge refuses) travel as JSON text. */
export function encodeAnyValue(value: unknown): Any {
  const writer = new BinaryWriter();
  if (typeof value === 'string') return wrap('StringValue', writer.uint32(10).string(value));
  if (typeof value === 'boolean') return wrap('BoolValue', writer.uint32(8).bool(value));
  if (typeof value === 'bigint') return wrap('Int64Value', writer.uint32(8).int64(value));
  if (typeof value === 'number' && Number.isInteger(value)) {
    if (value >= -(2 ** 31) && value < 2 ** 31) return wrap('Int32Value', writer.uint32(8).int32(value));
    if (Number.isSafeInteger(value)) return wrap('Int64Value', writer.uint32(8).int64(value));
  }
  // KubeEdge narrows every float to FloatValue; mappers built on its framework know no DoubleValue.
  if (typeof value === 'number') return wrap('FloatValue', writer.uint32(13).float(value));
  return wrap('StringValue', writer.uint32(10).string(JSON.stringify(value ?? null)));
}

/** Any -> the wrapped value. Throws, naming the type, for an Any that holds no wrapper. */
export function decodeAnyValue(any: Any): ConfigValue {
  const type = any.typeUrl.startsWith(PREFIX) ? any.typeUrl.slice(PREFIX.length) : any.typeUrl;
  const reader = new BinaryReader(any.value);
  let value: ConfigValue | undefined;
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 !== 1) {
      reader.skip(tag & 7);
      continue;
    }
    value = readWrapped(type, reader);
  }
  return value ?? zeroValue(type);
}

/** A whole CustomizedValue map -> plain values (for a mapper's config). */
export function decodeAnyMap(data: { [key: string]: Any } | undefined): Record<string, ConfigValue> {
  const out: Record<string, ConfigValue> = {};
  for (const [key, any] of Object.entries(data ?? {})) out[key] = decodeAnyValue(any);
  return out;
}

/** Plain configData -> a CustomizedValue map. */
export function encodeAnyMap(data: Record<string, unknown> | undefined): { [key: string]: Any } {
  const out: { [key: string]: Any } = {};
  for (const [key, value] of Object.entries(data ?? {})) out[key] = encodeAnyValue(value);
  return out;
}

function wrap(type: string, writer: BinaryWriter): Any {
  return { typeUrl: PREFIX + type, value: Buffer.from(writer.finish()) };
}

function readWrapped(type: string, reader: BinaryReader): ConfigValue {
  switch (type) {
    case 'StringValue':
      return reader.string();
    case 'BoolValue':
      return reader.bool();
    case 'Int32Value':
      return reader.int32();
    case 'UInt32Value':
      return reader.uint32();
    case 'Int64Value':
      return safeNumber(BigInt(reader.int64().toString()));
    case 'UInt64Value':
      return safeNumber(BigInt(reader.uint64().toString()));
    case 'FloatValue':
      return Math.fround(reader.float());
    case 'DoubleValue':
      return reader.double();
    default:
      throw new Error(`configData value of type ${type || '(empty typeUrl)'} is not a protobuf wrapper (StringValue, Int32Value, Int64Value, FloatValue, BoolValue)`);
  }
}

function zeroValue(type: string): ConfigValue {
  if (type === 'StringValue') return '';
  if (type === 'BoolValue') return false;
  if (['Int32Value', 'UInt32Value', 'Int64Value', 'UInt64Value', 'FloatValue', 'DoubleValue'].includes(type)) return 0;
  throw new Error(`configData value of type ${type || '(empty typeUrl)'} is not a protobuf wrapper (StringValue, Int32Value, Int64Value, FloatValue, BoolValue)`);
}

/** An int64 that fits a JS number is a number; a larger one stays a bigint. */
function safeNumber(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}
