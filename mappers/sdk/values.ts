/**
 * Value conversion between what a driver reads or writes (a DeviceValue) and the text twins carry, following the
 * DeviceModel's property type, the visitor's scale and offset and the model's minimum and maximum.
 *
 * read:  twin text = format(type, raw * scale + offset)
 * write: raw = (parse(type, text) - offset) / scale, refused when the parsed value is outside [minimum, maximum]
 */
import { DeviceError, ValueError } from './errors';

/** The model's property types (facts §6.1: INT, FLOAT, DOUBLE, STRING, BOOLEAN, BYTES), lower-cased as twins name them. */
export type ValueType = 'int' | 'float' | 'double' | 'string' | 'boolean' | 'bytes';

/** What drivers read and write: numbers for registers and counters, booleans for bits, strings for text. */
export type DeviceValue = number | bigint | boolean | string;

export interface Transform {
  /** Multiplies the raw value on read (a register holding tenths of a degree has scale 0.1). */
  readonly scale: number;
  /** Added after scaling on read. */
  readonly offset: number;
}

export const IDENTITY: Transform = { scale: 1, offset: 0 };

export interface ValueSpec {
  readonly type: ValueType;
  /** The model's bounds, in the property's own units (after scale and offset). */
  readonly minimum?: number;
  readonly maximum?: number;
  readonly transform: Transform;
}

const TYPE_NAMES: Readonly<Record<string, ValueType>> = {
  int: 'int',
  integer: 'int',
  float: 'float',
  double: 'double',
  string: 'string',
  boolean: 'boolean',
  bool: 'boolean',
  bytes: 'bytes',
};

/** The model's `type` (INT, int, integer, ...); empty means string, as in KubeEdge's twins. Undefined if unknown. */
export function parseValueType(modelType: string): ValueType | undefined {
  if (modelType === '') return 'string';
  return TYPE_NAMES[modelType.toLowerCase()];
}

export const MODEL_TYPES_HINT = 'write one of INT, FLOAT, DOUBLE, STRING, BOOLEAN';

/** A device value as the twin text edgecore gets. Throws DeviceError BAD_VALUE when it does not fit the type. */
export function toTwinValue(raw: DeviceValue, spec: ValueSpec): string {
  switch (spec.type) {
    case 'string':
      return typeof raw === 'string' ? raw : typeof raw === 'boolean' ? String(raw) : formatNumber(scaled(raw, spec.transform));
    case 'boolean':
      if (typeof raw === 'boolean') return String(raw);
      if (typeof raw === 'string') return String(parseBooleanText(raw) ?? badRead(raw, spec.type));
      return String(scaled(raw, spec.transform) !== 0);
    case 'int':
      if (typeof raw === 'bigint' && spec.transform.scale === 1 && spec.transform.offset === 0) return raw.toString();
      return String(Math.round(scaled(numeric(raw, spec.type), spec.transform)));
    case 'float':
    case 'double':
      return formatNumber(scaled(numeric(raw, spec.type), spec.transform));
    case 'bytes':
      return typeof raw === 'string' ? raw : String(raw);
  }
}

/**
 * Text to write (a desired value, a REST write) as the raw value for the driver. Throws ValueError naming the
 * property, the value and the rule it breaks.
 */
export function toDeviceValue(text: string, spec: ValueSpec, subject: string): DeviceValue {
  switch (spec.type) {
    case 'string':
      return text;
    case 'bytes':
      throw new ValueError(`${subject}: BYTES properties cannot be written`);
    case 'boolean': {
      const value = parseBooleanText(text);
      if (value === undefined) throw new ValueError(`${subject}: ${JSON.stringify(text)} is not a boolean; write true or false`);
      return value;
    }
    case 'int':
    case 'float':
    case 'double': {
      const value = parseNumberText(text, spec.type === 'int');
      if (value === undefined) {
        const kind = spec.type === 'int' ? 'a whole number' : 'a number';
        throw new ValueError(`${subject}: ${JSON.stringify(text)} is not ${kind}; write ${spec.type === 'int' ? 'digits such as 42' : 'a number such as 21.5'}`);
      }
      checkRange(value, spec, subject);
      return (value - spec.transform.offset) / spec.transform.scale;
    }
  }
}

function checkRange(value: number, spec: ValueSpec, subject: string): void {
  const range = `the model allows ${spec.minimum ?? '-∞'} to ${spec.maximum ?? '∞'}`;
  if (spec.minimum !== undefined && value < spec.minimum) {
    throw new ValueError(`${subject}: ${value} is below the model's minimum ${spec.minimum}; ${range}`);
  }
  if (spec.maximum !== undefined && value > spec.maximum) {
    throw new ValueError(`${subject}: ${value} is above the model's maximum ${spec.maximum}; ${range}`);
  }
}

/** A model's minimum/maximum text: '' means unbounded; undefined-and-problem when it is not a number. */
export function parseBound(text: string): { ok: true; value: number | undefined } | { ok: false } {
  if (text.trim() === '') return { ok: true, value: undefined };
  const value = parseNumberText(text, false);
  return value === undefined ? { ok: false } : { ok: true, value };
}

function parseNumberText(text: string, integer: boolean): number | undefined {
  const pattern = integer ? /^\s*[-+]?\d+\s*$/ : /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;
  if (!pattern.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

function parseBooleanText(text: string): boolean | undefined {
  return text === 'true' ? true : text === 'false' ? false : undefined;
}

function numeric(raw: DeviceValue, type: ValueType): number | bigint {
  if (typeof raw === 'boolean') return raw ? 1 : 0;
  if (typeof raw === 'string') return parseNumberText(raw, false) ?? badRead(raw, type);
  return raw;
}

function scaled(raw: number | bigint, transform: Transform): number {
  return Number(raw) * transform.scale + transform.offset;
}

/** Up to 6 decimals (KubeEdge's mappers print floats with 6), without float noise such as 23.100000381469727. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toFixed(6)));
}

function badRead(raw: unknown, type: ValueType): never {
  throw new DeviceError('BAD_VALUE', `the device returned ${JSON.stringify(raw)}, which is not a ${type} value`);
}
