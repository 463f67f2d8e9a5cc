/** One-off validation of a value against a schema, for callers outside a compiled CRD version. */
import type { FieldError } from './errors';
import { toFieldErrors } from './openapi-errors';
import { PatternCache } from './regex';
import { readSchema, type Schema } from './schema-types';
import { ValueValidator } from './validate-value';

/**
 * Validates `value` against `schema` (decoded JSON or an already read Schema) as the server validates custom
 * objects; `fieldPath` prefixes the error paths ('' for an object root).
 */
export function validateValue(schema: unknown, value: unknown, fieldPath = ''): FieldError[] {
  const s: Schema = readSchema(schema);
  return toFieldErrors(new ValueValidator(new PatternCache()).validate(s, value), fieldPath);
}
