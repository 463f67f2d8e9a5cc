/**
 * kube-openapi's validation results and their conversion to field errors, as apiextensions'
 * kubeOpenAPIResultToFieldErrors does it. Messages are kube-openapi's (`spec.x in body must be of type integer: "string"`);
 * the field path is the value's path; the error type follows the failure kind.
 */
import { goFloat, goJson, goQuote, isInt64 } from './go-format';
import { child, invalid, notSupported, required, tooLong, tooMany, typeInvalid, type FieldError } from './errors';
import type { JsonValue } from './schema-types';

export type OpenApiCode =
  | 'invalidType'
  | 'required'
  | 'tooLong'
  | 'tooShort'
  | 'pattern'
  | 'enum'
  | 'multipleOf'
  | 'maximum'
  | 'minimum'
  | 'unique'
  | 'maxItems'
  | 'minItems'
  | 'tooFewProperties'
  | 'tooManyProperties'
  | 'forbiddenProperty'
  /** Errors kube-openapi does not attach to a value (anyOf/oneOf/allOf/not); they land on the root field. */
  | 'composite';

export interface OpenApiError {
  readonly code: OpenApiCode;
  /** kube-openapi's path of the value: `spec.replicas`, `spec.items[0]`, `.apiVersion` for root-level requireds. */
  readonly name: string;
  readonly message: string;
  readonly value?: unknown;
  /** The limit for tooLong, maxItems and tooManyProperties. */
  readonly limit?: number;
  readonly values?: readonly JsonValue[];
}

const IN = 'body';
const at = (name: string, rest: string): string => `${name} in ${IN} ${rest}`;

/** A number as kube-openapi prints a limit: int64 limits (for integer data) print as integers. */
export const limitText = (limit: number, asInt: boolean): string => (asInt ? BigInt(Math.trunc(limit)).toString() : goFloat(limit));

export const invalidType = (name: string, typeName: string, value: string): OpenApiError => ({
  code: 'invalidType',
  name,
  value,
  message: at(name, `must be of type ${typeName}: ${goQuote(value)}`),
});

export const requiredError = (name: string): OpenApiError => ({ code: 'required', name, message: at(name, 'is required') });

export const tooLongError = (name: string, max: number, value: string): OpenApiError => ({
  code: 'tooLong',
  name,
  value,
  limit: max,
  message: at(name, `should be at most ${max} chars long`),
});

export const tooShortError = (name: string, min: number, value: string): OpenApiError => ({
  code: 'tooShort',
  name,
  value,
  message: at(name, `should be at least ${min} chars long`),
});

export const patternError = (name: string, pattern: string, value: string): OpenApiError => ({
  code: 'pattern',
  name,
  value,
  message: at(name, `should match '${pattern}'`),
});

export const enumError = (name: string, value: unknown, values: readonly JsonValue[]): OpenApiError => ({
  code: 'enum',
  name,
  value,
  values,
  message: at(name, 'should be one of the enum values'),
});

export function boundError(name: string, which: 'maximum' | 'minimum', limit: number, exclusive: boolean, value: number): OpenApiError {
  const words = which === 'maximum' ? (exclusive ? 'less than' : 'less than or equal to') : exclusive ? 'greater than' : 'greater than or equal to';
  return { code: which, name, value, message: at(name, `should be ${words} ${limitText(limit, isInt64(value))}`) };
}

export const multipleOfError = (name: string, factor: string, value: number): OpenApiError => ({
  code: 'multipleOf',
  name,
  value,
  message: at(name, `should be a multiple of ${factor}`),
});

export const itemsError = (name: string, which: 'maxItems' | 'minItems', limit: number, size: number): OpenApiError => ({
  code: which,
  name,
  value: size,
  limit,
  message: at(name, `should have ${which === 'maxItems' ? 'at most' : 'at least'} ${limit} items`),
});

export const propertiesError = (name: string, which: 'tooManyProperties' | 'tooFewProperties', limit: number, size: number): OpenApiError => ({
  code: which,
  name,
  value: size,
  limit,
  message: at(name, `should have ${which === 'tooManyProperties' ? 'at most' : 'at least'} ${limit} properties`),
});

export const uniqueError = (name: string): OpenApiError => ({ code: 'unique', name, message: at(name, "shouldn't contain duplicates") });

export const forbiddenPropertyError = (name: string, key: string): OpenApiError => ({
  code: 'forbiddenProperty',
  name,
  value: key,
  message: `${name}.${key} in ${IN} is a forbidden property`,
});

export const compositeError = (message: string): OpenApiError => ({ code: 'composite', name: '', message });

/** kubeOpenAPIResultToFieldErrors: `prefix` is the field path the validated value sits at ('' for the object root). */
export function toFieldErrors(errors: readonly OpenApiError[], prefix = ''): FieldError[] {
  return errors.map((e) => {
    if (e.code === 'composite') return invalid(prefix, '', e.message);
    const name = e.name.startsWith('.') ? e.name.slice(1) : e.name;
    const field = name && e.name !== '.' ? child(prefix, name) : prefix;
    switch (e.code) {
      case 'required':
        return required(field);
      case 'enum':
        return notSupported(field, e.value, (e.values ?? []).map((v) => (typeof v === 'string' ? v : goJson(v))));
      case 'tooLong':
        return tooLong(field, e.limit ?? -1);
      case 'maxItems':
      case 'tooManyProperties':
        return tooMany(field, typeof e.value === 'number' ? e.value : -1, e.limit ?? -1);
      case 'invalidType':
        return typeInvalid(field, e.value ?? '', e.message);
      default:
        return invalid(field, e.value ?? '', e.message);
    }
  });
}
