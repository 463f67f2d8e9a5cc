/**
 * Twin names, values and types as KubeEdge's dtcommon validates them (facts §1.3): names and values match the twin
 * patterns; a value must parse as its twin's type. Each check returns a problem text (for a reason naming the field)
 * or undefined.
 */
import { TWIN_NAME_PATTERN, TWIN_VALUE_PATTERN, TWIN_VALUE_TYPES } from '../../../pkg/devices/twin-json';
import type { PropertyType } from '../../../pkg/devices/api';

const INT = /^[+-]?[0-9]+$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
// Go's strconv.ParseFloat: decimal with optional exponent, or inf/infinity/nan in any case.
const FLOAT = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/;
const FLOAT_WORDS = /^[+-]?(inf|infinity|nan)$/i;

export function nameProblem(name: string): string | undefined {
  if (TWIN_NAME_PATTERN.test(name)) return undefined;
  return 'is not a twin name: use 1 to 128 of the characters a-z A-Z 0-9 - _ . , : / @ #';
}

/** Pattern and type check of a value for a twin of `type`. */
export function valueProblem(type: string, value: string): string | undefined {
  if (!TWIN_VALUE_PATTERN.test(value)) {
    return `${JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}...` : value)} is not a twin value: use 1 to 512 of the characters a-z A-Z 0-9 - _ . , : / @ #`;
  }
  switch (type) {
    case '':
    case 'string':
    case 'deleted':
      return undefined;
    case 'int':
    case 'integer': {
      if (INT.test(value)) {
        const n = BigInt(value);
        if (n >= INT64_MIN && n <= INT64_MAX) return undefined;
      }
      return `${JSON.stringify(value)} is not an ${type} (a 64-bit whole number such as 42)`;
    }
    case 'float':
    case 'double':
      return FLOAT.test(value) || FLOAT_WORDS.test(value) ? undefined : `${JSON.stringify(value)} is not a ${type} (such as 21.5)`;
    case 'boolean':
      return value === 'true' || value === 'false' ? undefined : `${JSON.stringify(value)} is not a boolean (true or false)`;
    default:
      return `twin type ${JSON.stringify(type)} is unknown`;
  }
}

export function isTwinType(type: string): boolean {
  return (TWIN_VALUE_TYPES as readonly string[]).includes(type);
}

export const TWIN_TYPES_TEXT = TWIN_VALUE_TYPES.join(', ');

/** A DeviceModel property type (INT, FLOAT, ...) as the twin type KubeEdge writes in metadata.type. */
export function twinTypeOf(propertyType: PropertyType | string | undefined): string {
  switch ((propertyType ?? '').toUpperCase()) {
    case 'INT':
      return 'int';
    case 'FLOAT':
      return 'float';
    case 'DOUBLE':
      return 'double';
    case 'BOOLEAN':
      return 'boolean';
    default:
      // STRING, BYTES, STREAM and anything unknown carry text.
      return 'string';
  }
}
