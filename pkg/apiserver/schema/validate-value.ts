/**
 * Validation of a decoded JSON value against a CRD schema, as kube-openapi's SchemaValidator does it for the
 * real server: the same checks in the same order, the same quirks (a `format` on a number type names the format
 * in the type error; a float matches an integer enum value by truncation), the same messages.
 */
import { isInt64 } from './go-format';
import { checkFormat, effectiveFormat, isStringFormat } from './formats';
import {
  boundError,
  compositeError,
  enumError,
  forbiddenPropertyError,
  invalidType,
  itemsError,
  multipleOfError,
  patternError,
  propertiesError,
  requiredError,
  tooLongError,
  tooShortError,
  uniqueError,
  limitText,
  type OpenApiError,
} from './openapi-errors';
import type { PatternCache } from './regex';
import { hasOwn, isObject, jsonEqual, schemaTypes, type JsonValue, type Schema } from './schema-types';

type Kind = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';

function kindOf(value: unknown): Kind {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return isInt64(value) ? 'integer' : 'number';
  return Array.isArray(value) ? 'array' : 'object';
}

/** swag.IsFloat64AJSONInteger: integral within 2^53, or within a relative error of 1e-9 of an integer. */
function isJsonInteger(f: number): boolean {
  if (!Number.isFinite(f) || Math.abs(f) > 2 ** 53 - 1) return false;
  const g = Math.trunc(f);
  if (f === g) return true;
  return Math.abs(f - g) / (Math.abs(f) + Math.abs(g)) < 1e-9;
}

/** Go's reflect conversion of the value to the enum value's type, then DeepEqual. */
function enumMatches(value: unknown, allowed: JsonValue): boolean {
  if (typeof allowed === 'number' && typeof value === 'number') {
    return isInt64(allowed) ? Math.trunc(value) === allowed : value === allowed;
  }
  if (typeof allowed === 'string' && typeof value === 'number' && isInt64(value)) {
    // Go converts an int64 to a string as a rune: 120 equals "x". Kept for fidelity.
    const rune = value >= 0 && value <= 0x10ffff && !(value >= 0xd800 && value <= 0xdfff) ? value : 0xfffd;
    return String.fromCodePoint(rune) === allowed;
  }
  return jsonEqual(value, allowed);
}

export class ValueValidator {
  constructor(private readonly patterns: PatternCache) {}

  /** All kube-openapi errors for `value` at kube-openapi path `path` ('' for the root). */
  validate(schema: Schema, value: unknown, path = ''): OpenApiError[] {
    const errors: OpenApiError[] = [];
    this.node(schema, value, path, errors);
    return errors;
  }

  private node(s: Schema, value: unknown, path: string, out: OpenApiError[]): void {
    const types = schemaTypes(s);
    const format = effectiveFormat(types.length === 1 ? types[0] : undefined, s.format);
    if (value === null || value === undefined) {
      if (types.length > 0 && !types.includes('null') && !s.nullable) out.push(invalidType(path, types.join(','), 'null'));
      this.enumCheck(s, value, path, out);
      return;
    }
    const kind = kindOf(value);
    if (types.length > 0 || format) this.typeCheck(types, format, value, kind, path, out);
    this.combinators(s, value, path, out);
    if (kind === 'string') this.stringChecks(s, format, value as string, path, out);
    if (kind === 'integer' || kind === 'number') this.numberChecks(s, value as number, path, out);
    if (kind === 'array') this.arrayChecks(s, value as unknown[], path, out);
    this.enumCheck(s, value, path, out);
    if (kind === 'object') this.objectChecks(s, value as Record<string, unknown>, path, out);
  }

  private typeCheck(types: string[], format: string, value: unknown, kind: Kind, path: string, out: OpenApiError[]): void {
    const dataFormat = kind === 'integer' ? 'int64' : kind === 'number' ? 'float64' : '';
    const floatInt = kind === 'number' && isJsonInteger(value as number) && types.includes('integer');
    const intFloat = kind === 'integer' && types.includes('number');
    const matches = types.includes(kind) || floatInt || intFloat;
    const stringLike = kind === 'string' || kind === 'array';
    if (!stringLike && format && !(matches || dataFormat === format)) {
      out.push(invalidType(path, format, dataFormat));
      return;
    }
    if (!types.includes('number') && !types.includes('integer') && format && stringLike) return;
    if (!matches) out.push(invalidType(path, types.join(','), kind));
  }

  private combinators(s: Schema, value: unknown, path: string, out: OpenApiError[]): void {
    const quoted = JSON.stringify(path);
    if (s.anyOf && s.anyOf.length > 0) {
      const results = s.anyOf.map((sub) => this.validate(sub, value, path));
      if (!results.some((r) => r.length === 0)) {
        out.push(compositeError(`${quoted} must validate at least one schema (anyOf)`));
        out.push(...closest(results, path));
      }
    }
    if (s.oneOf && s.oneOf.length > 0) {
      const results = s.oneOf.map((sub) => this.validate(sub, value, path));
      const valid = results.filter((r) => r.length === 0).length;
      if (valid !== 1) {
        const detail = valid === 0 ? 'Found none valid' : `Found ${valid} valid alternatives`;
        out.push(compositeError(`${quoted} must validate one and only one schema (oneOf). ${detail}`));
        if (valid === 0) out.push(...closest(results, path));
      }
    }
    if (s.allOf && s.allOf.length > 0) {
      const results = s.allOf.map((sub) => this.validate(sub, value, path));
      for (const r of results) out.push(...r);
      const valid = results.filter((r) => r.length === 0).length;
      if (valid !== results.length) {
        out.push(compositeError(`${quoted} must validate all the schemas (allOf)${valid === 0 ? '. None validated' : ''}`));
      }
    }
    if (s.not && this.validate(s.not, value, path).length === 0) {
      out.push(compositeError(`${quoted} must not validate the schema (not)`));
    }
  }

  /** One failing check per string, in kube-openapi's order: maxLength, minLength, pattern; then the format. */
  private stringChecks(s: Schema, format: string, value: string, path: string, out: OpenApiError[]): void {
    const length = Array.from(value).length; // Go counts runes
    if (s.maxLength !== undefined && length > s.maxLength) out.push(tooLongError(path, s.maxLength, value));
    else if (s.minLength !== undefined && length < s.minLength) out.push(tooShortError(path, s.minLength, value));
    else if (s.pattern) {
      const compiled = this.patterns.get(s.pattern);
      if (compiled.ok && !compiled.regex.test(value)) out.push(patternError(path, s.pattern, value));
      if (!compiled.ok) out.push(patternError(path, `${s.pattern}, but pattern is invalid: ${compiled.error}`, value));
    }
    if (format && isStringFormat(format) && !checkFormat(format, value)) out.push(invalidType(path, format, value));
  }

  private numberChecks(s: Schema, value: number, path: string, out: OpenApiError[]): void {
    const asInt = isInt64(value);
    if (s.multipleOf !== undefined) {
      const factor = s.multipleOf;
      if (asInt && Math.trunc(factor) !== 0) {
        if (value % Math.trunc(factor) !== 0) out.push(multipleOfError(path, limitText(factor, true), value));
      } else if (factor <= 0) {
        out.push({ ...multipleOfError(path, limitText(factor, false), value), message: `factor MultipleOf declared for ${path} must be positive: ${limitText(factor, false)}`, value: factor });
      } else if (!isJsonInteger(factor < 1 ? (1 / factor) * value : value / factor)) {
        out.push(multipleOfError(path, limitText(factor, false), value));
      }
    }
    if (s.minimum !== undefined) {
      const min = asInt ? Math.trunc(s.minimum) : s.minimum;
      if (s.exclusiveMinimum ? value <= min : value < min) out.push(boundError(path, 'minimum', min, !!s.exclusiveMinimum, value));
    }
    if (s.maximum !== undefined) {
      const max = asInt ? Math.trunc(s.maximum) : s.maximum;
      if (s.exclusiveMaximum ? value >= max : value > max) out.push(boundError(path, 'maximum', max, !!s.exclusiveMaximum, value));
    }
  }

  private arrayChecks(s: Schema, value: unknown[], path: string, out: OpenApiError[]): void {
    if (s.items) value.forEach((item, i) => this.node(s.items as Schema, item, `${path}[${i}]`, out));
    if (s.minItems !== undefined && value.length < s.minItems) out.push(itemsError(path, 'minItems', s.minItems, value.length));
    if (s.maxItems !== undefined && value.length > s.maxItems) out.push(itemsError(path, 'maxItems', s.maxItems, value.length));
    if (s.uniqueItems && value.some((v, i) => value.slice(0, i).some((u) => jsonEqual(u, v)))) out.push(uniqueError(path));
  }

  private enumCheck(s: Schema, value: unknown, path: string, out: OpenApiError[]): void {
    if (!s.enum || s.enum.length === 0) return;
    const present = value !== undefined && value !== null;
    if (!present || !s.enum.some((allowed) => allowed !== null && enumMatches(value, allowed))) {
      out.push(enumError(path, value ?? null, s.enum));
    }
  }

  private objectChecks(s: Schema, value: Record<string, unknown>, path: string, out: OpenApiError[]): void {
    const keys = Object.keys(value);
    if (s.minProperties !== undefined && keys.length < s.minProperties) {
      out.push(propertiesError(path, 'tooFewProperties', s.minProperties, keys.length));
      return;
    }
    if (s.maxProperties !== undefined && keys.length > s.maxProperties) {
      out.push(propertiesError(path, 'tooManyProperties', s.maxProperties, keys.length));
      return;
    }
    const properties = s.properties ?? {};
    const extra = s.additionalProperties;
    for (const k of keys) {
      if (hasOwn(properties, k)) continue;
      if (extra === false) out.push(forbiddenPropertyError(path, k));
      else if (isObject(extra)) this.node(extra as Schema, value[k], `${path}.${k}`, out);
    }
    for (const [k, sub] of Object.entries(properties)) {
      if (hasOwn(value, k)) this.node(sub, value[k], path ? `${path}.${k}` : k, out);
    }
    for (const k of s.required ?? []) if (!hasOwn(value, k)) out.push(requiredError(`${path}.${k}`));
  }
}

/**
 * kube-openapi reports the errors of the alternative with the most passed checks; approximated here by preferring an
 * alternative whose type matched, then the one with the fewest errors.
 */
function closest(results: OpenApiError[][], path: string): OpenApiError[] {
  const score = (r: OpenApiError[]): number => (r.some((e) => e.code === 'invalidType' && e.name === path) ? 1_000_000 : 0) + r.length;
  return results.reduce((best, r) => (score(r) < score(best) ? r : best));
}
