/**
 * Modbus register contents <-> values. Registers are 16-bit words sent big-endian; a value spanning several
 * registers is read as one big-endian byte string after the visitor's reorderings (KubeEdge's semantics):
 *   isRegisterSwap  reverses the order of the registers (word order: low word first)
 *   isSwap          swaps the two bytes inside each register (byte order)
 * Both undo themselves, so writes apply the same reorderings to the encoded bytes.
 */
import { DeviceError } from '../sdk/errors';
import type { DeviceValue, ValueType } from '../sdk/values';

export const DATA_TYPES = ['int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'float32', 'float64', 'string'] as const;
export type DataType = (typeof DATA_TYPES)[number];

/** Registers each type takes; undefined: any number (string). */
export const WORDS: Readonly<Record<DataType, number | undefined>> = {
  int16: 1,
  uint16: 1,
  int32: 2,
  uint32: 2,
  int64: 4,
  uint64: 4,
  float32: 2,
  float64: 4,
  string: undefined,
};

/**
 * The data type a property's registers hold when the visitor names none, as KubeEdge's Modbus mapper reads them:
 * whole numbers unsigned (1, 2 or 4 registers), FLOAT/DOUBLE as IEEE floats in 2 or 4 registers or as one plain
 * register (with a scale: a register of tenths is FLOAT with scale 0.1), STRING as text. Undefined if none fits.
 */
export function defaultDataType(type: ValueType, limit: number): DataType | undefined {
  if (type === 'string' || type === 'bytes') return 'string';
  const byWords: Record<number, DataType> =
    type === 'float' || type === 'double' ? { 1: 'uint16', 2: 'float32', 4: 'float64' } : { 1: 'uint16', 2: 'uint32', 4: 'uint64' };
  return byWords[limit];
}

export interface Layout {
  readonly dataType: DataType;
  readonly words: number;
  readonly isSwap: boolean;
  readonly isRegisterSwap: boolean;
}

/** Reorders bytes as the visitor says (an involution: applying it twice gives the input back). */
export function reorder(bytes: Buffer, layout: Pick<Layout, 'isSwap' | 'isRegisterSwap'>): Buffer {
  const out = Buffer.from(bytes);
  if (layout.isRegisterSwap) {
    const words = out.length / 2;
    for (let i = 0; i < Math.floor(words / 2); i++) {
      const j = words - 1 - i;
      const a = out.readUInt16BE(i * 2);
      out.writeUInt16BE(out.readUInt16BE(j * 2), i * 2);
      out.writeUInt16BE(a, j * 2);
    }
  }
  if (layout.isSwap) out.swap16();
  return out;
}

/** Register bytes as read (big-endian words, in address order) -> value. */
export function decodeRegisters(bytes: Buffer, layout: Layout): DeviceValue {
  const data = reorder(bytes, layout);
  switch (layout.dataType) {
    case 'int16':
      return data.readInt16BE(0);
    case 'uint16':
      return data.readUInt16BE(0);
    case 'int32':
      return data.readInt32BE(0);
    case 'uint32':
      return data.readUInt32BE(0);
    case 'int64':
      return safe(data.readBigInt64BE(0));
    case 'uint64':
      return safe(data.readBigUInt64BE(0));
    case 'float32':
      return data.readFloatBE(0);
    case 'float64':
      return data.readDoubleBE(0);
    case 'string':
      return data.toString('utf8').replace(/\0+$/, '');
  }
}

/** Value -> register bytes to write (big-endian words, in address order). Throws DeviceError BAD_VALUE if it does not fit. */
export function encodeRegisters(value: DeviceValue, layout: Layout, where: string): Buffer {
  const data = Buffer.alloc(layout.words * 2);
  if (layout.dataType === 'string') {
    const text = Buffer.from(String(value), 'utf8');
    if (text.length > data.length) throw new DeviceError('BAD_VALUE', `${JSON.stringify(String(value))} needs ${text.length} bytes; ${where} holds ${data.length}`);
    text.copy(data);
    return reorder(data, layout);
  }
  const number = typeof value === 'boolean' ? (value ? 1 : 0) : typeof value === 'string' ? Number.NaN : Number(value);
  if (!Number.isFinite(number)) throw new DeviceError('BAD_VALUE', `${JSON.stringify(value)} is not a number; ${where} holds ${layout.dataType}`);
  const whole = Math.round(number);
  const fits = (min: number | bigint, max: number | bigint): void => {
    if (whole < min || whole > max) throw new DeviceError('BAD_VALUE', `${whole} does not fit ${where} (${layout.dataType}: ${min} to ${max})`);
  };
  switch (layout.dataType) {
    case 'int16':
      fits(-0x8000, 0x7fff);
      data.writeInt16BE(whole);
      break;
    case 'uint16':
      fits(0, 0xffff);
      data.writeUInt16BE(whole);
      break;
    case 'int32':
      fits(-0x80000000, 0x7fffffff);
      data.writeInt32BE(whole);
      break;
    case 'uint32':
      fits(0, 0xffffffff);
      data.writeUInt32BE(whole);
      break;
    case 'int64':
      fits(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      data.writeBigInt64BE(BigInt(whole));
      break;
    case 'uint64':
      fits(0, Number.MAX_SAFE_INTEGER);
      data.writeBigUInt64BE(BigInt(whole));
      break;
    case 'float32':
      data.writeFloatBE(number);
      break;
    case 'float64':
      data.writeDoubleBE(number);
      break;
  }
  return reorder(data, layout);
}

/** Big-endian words as the register values modbus-serial writes. */
export function toWords(bytes: Buffer): number[] {
  return Array.from({ length: bytes.length / 2 }, (_, i) => bytes.readUInt16BE(i * 2));
}

function safe(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}
