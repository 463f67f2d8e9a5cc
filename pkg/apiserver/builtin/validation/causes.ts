/**
 * Cause constructors the schema package lacks, and the small shared rules (`ValidateNonnegativeField`,
 * `ValidateImmutableField`, enums) that every type's validation uses.
 */
import { goQuote } from '../../schema/go-format';
import { invalid, notSupported, required } from '../../schema/errors';
import { jsonEqual } from '../../schema/schema-types';
import type { Cause } from '../types';
import { str } from '../util/json';

/** `field.NotFound`: `Not found: "name"`. */
export const notFound = (field: string, value: string): Cause => ({ type: 'FieldValueNotFound', field, message: `Not found: ${goQuote(value)}` });

/** `field.Invalid` whose bad value is already rendered (Go `%#v` forms such as `map[string]string{...}`). */
export const invalidRendered = (field: string, rendered: string, detail: string): Cause => ({
  type: 'FieldValueInvalid',
  field,
  message: `Invalid value: ${rendered}: ${detail}`,
});

/** `field.NotSupported` whose bad value is already rendered. */
export const notSupportedRendered = (field: string, rendered: string, supported: readonly string[]): Cause => ({
  type: 'FieldValueNotSupported',
  field,
  message: `Unsupported value: ${rendered}: supported values: ${supported.map((s) => goQuote(s)).join(', ')}`,
});

export const IS_NEGATIVE = 'must be greater than or equal to 0';
export const NOT_POSITIVE = 'must be greater than zero';

/** `ValidateNonnegativeField` for an optional number: absent values pass. */
export function nonNegative(value: unknown, field: string): Cause[] {
  return typeof value === 'number' && value < 0 ? [invalid(field, value, IS_NEGATIVE)] : [];
}

/** `ValidateImmutableField` with a plain value. */
export function immutable(next: unknown, old: unknown, field: string): Cause[] {
  return jsonEqual(next ?? null, old ?? null) ? [] : [invalid(field, next ?? null, 'field is immutable')];
}

/**
 * A required enum: `Required value` when empty, `Unsupported value` when unknown. `supported` is in the order the
 * Go code lists it (some lists are sorted, some are not).
 */
export function requiredEnum(value: unknown, field: string, supported: readonly string[]): Cause[] {
  const v = str(value);
  if (v === '') return [required(field)];
  return supported.includes(v) ? [] : [notSupported(field, v, supported)];
}

/** An optional enum: only a present, unknown value is an error. */
export function optionalEnum(value: unknown, field: string, supported: readonly string[]): Cause[] {
  if (value === undefined || value === null) return [];
  const v = str(value);
  return supported.includes(v) ? [] : [notSupported(field, v, supported)];
}

/** Checks a name against a rule and reports each message as `Invalid value`. */
export function nameErrors(value: string, field: string, check: (v: string) => readonly string[]): Cause[] {
  return check(value).map((msg) => invalid(field, value, msg));
}
