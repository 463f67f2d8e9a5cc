/**
 * Field errors as k8s.io/apimachinery's `field.Error` renders them, plus this package's own named error.
 *
 * A validation never throws for bad input: it returns `FieldError`s, which the HTTP layer turns into a 422 `Status`
 * whose `details.causes` are `toStatusCauses(errors)` and whose message lists `formatFieldError(e)` for each error.
 */
import { renderBadValue } from './go-format';

export type FieldErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'InternalError'
  | 'FieldValueTypeInvalid';

/** One cause. `message` is Go's `ErrorBody()` (no field prefix), e.g. `Invalid value: "x": must be ...`. */
export interface FieldError {
  readonly type: FieldErrorType;
  readonly field: string;
  readonly message: string;
}

/** The wire shape of `metav1.StatusCause`: the type travels as `reason`, not `type`. */
export interface StatusCauseJson {
  reason: string;
  message: string;
  field?: string;
}

const TYPE_TEXT: Record<FieldErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
};

/** Marks "no bad value to print" (Go's omitValue); any other value is rendered. */
const OMIT = Symbol('omit');

function make(type: FieldErrorType, field: string, badValue: unknown, detail: string): FieldError {
  let body = TYPE_TEXT[type];
  if (badValue !== OMIT) body += `: ${renderBadValue(badValue)}`;
  if (detail) body += `: ${detail}`;
  return { type, field, message: body };
}

export const required = (field: string, detail = ''): FieldError => make('FieldValueRequired', field, OMIT, detail);
export const forbidden = (field: string, detail: string): FieldError => make('FieldValueForbidden', field, OMIT, detail);
export const invalid = (field: string, value: unknown, detail: string): FieldError =>
  make('FieldValueInvalid', field, value, detail);
export const typeInvalid = (field: string, value: unknown, detail: string): FieldError =>
  make('FieldValueTypeInvalid', field, value, detail);
export const duplicate = (field: string, value: unknown): FieldError => make('FieldValueDuplicate', field, value, '');
export const internalError = (field: string, detail: string): FieldError =>
  make('InternalError', field, OMIT, detail);

/** `supported values: "a", "b"` (each value quoted as Go's strconv.Quote(fmt.Sprint(v)) does). */
export function notSupported(field: string, value: unknown, supported: readonly string[]): FieldError {
  const detail = supported.length > 0 ? `supported values: ${supported.map((s) => renderBadValue(s)).join(', ')}` : '';
  return make('FieldValueNotSupported', field, value, detail);
}

/** Since 1.32 the value is never printed and the limit is in bytes (it counts runes for CRD schemas). */
export function tooLong(field: string, maxLength: number): FieldError {
  const detail = maxLength >= 0 ? `may not be more than ${maxLength} ${maxLength === 1 ? 'byte' : 'bytes'}` : 'value is too long';
  return make('FieldValueTooLong', field, OMIT, detail);
}

export function tooMany(field: string, actual: number, max: number): FieldError {
  const detail = max >= 0 ? `must have at most ${max} ${max === 1 ? 'item' : 'items'}` : 'has too many items';
  return make('FieldValueTooMany', field, actual >= 0 ? actual : OMIT, detail);
}

/** `field: body`, as Go's `(*field.Error).Error()` prints it (an empty field still gets its colon). */
export const formatFieldError = (e: FieldError): string => `${e.field}: ${e.message}`;

/** Causes for `Status.details.causes`; an empty field is omitted as Go's `omitempty` does. */
export function toStatusCauses(errors: readonly FieldError[]): StatusCauseJson[] {
  return errors.map((e) => (e.field ? { reason: e.type, message: e.message, field: e.field } : { reason: e.type, message: e.message }));
}

/** Field paths as `field.Path.String()` writes them: `spec.versions[0].schema`, `properties[spec]`. */
export const child = (base: string, name: string): string => (base ? `${base}.${name}` : name);
export const index = (base: string, i: number): string => `${base}[${i}]`;
export const key = (base: string, k: string): string => `${base}[${k}]`;

export type SchemaErrorCode =
  /** The CRD has no such version (or it has no schema where one is needed). */
  | 'UNKNOWN_VERSION'
  /** A JSONPath expression did not parse; `message` says where. */
  | 'INVALID_JSONPATH';

/** Misuse of this library by its caller (never bad user input, which is reported as `FieldError`s). */
export class SchemaError extends Error {
  constructor(
    readonly code: SchemaErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SchemaError';
  }
}
