/**
 * An OpenAPI v3 schema node as a CRD carries it (`JSONSchemaProps`), read from untrusted JSON into a typed form.
 * Reading is total: a key with the wrong JSON type is dropped (the real server refuses such a body while decoding,
 * before validation; that 400 is the HTTP layer's), so every function downstream can trust the types.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

export interface Schema {
  id?: string;
  $schema?: string;
  $ref?: string;
  description?: string;
  type?: string;
  nullable?: boolean;
  format?: string;
  title?: string;
  /** `null` is a real default; absence is `undefined`. */
  default?: JsonValue;
  maximum?: number;
  exclusiveMaximum?: boolean;
  minimum?: number;
  exclusiveMinimum?: boolean;
  maxLength?: number;
  minLength?: number;
  pattern?: string;
  maxItems?: number;
  minItems?: number;
  uniqueItems?: boolean;
  multipleOf?: number;
  enum?: JsonValue[];
  maxProperties?: number;
  minProperties?: number;
  required?: string[];
  items?: Schema;
  /** `items` written as a list (tuple form), which CRDs forbid. */
  itemsList?: Schema[];
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  not?: Schema;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  patternProperties?: Record<string, Schema>;
  dependencies?: Record<string, Schema | string[]>;
  additionalItems?: Schema | boolean;
  definitions?: Record<string, Schema>;
  externalDocs?: { description?: string; url?: string };
  example?: JsonValue;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-validations'?: ValidationRule[];
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Own keys only: user JSON may use keys such as `constructor` or `__proto__`. */
export const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** A map without a prototype, so that any key (even `__proto__`) is plain data. */
export const emptyRecord = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;

/** Sets an own property, even for the key `__proto__` (plain assignment would change the prototype instead). */
export function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
}

export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
export const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);
export const strList = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;

/** Recursion guard: schemas nested deeper than this are cut off (a JSON body cannot be that deep in practice). */
const MAX_DEPTH = 100;

function schemaMap(v: unknown, depth: number): Record<string, Schema> | undefined {
  if (!isObject(v)) return undefined;
  const out = emptyRecord<Schema>();
  for (const [k, s] of Object.entries(v)) if (isObject(s)) out[k] = readSchema(s, depth + 1);
  return out;
}

function schemaList(v: unknown, depth: number): Schema[] | undefined {
  return Array.isArray(v) ? v.filter(isObject).map((s) => readSchema(s, depth + 1)) : undefined;
}

function schemaOrBool(v: unknown, depth: number): Schema | boolean | undefined {
  if (typeof v === 'boolean') return v;
  return isObject(v) ? readSchema(v, depth + 1) : undefined;
}

function rules(v: unknown): ValidationRule[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.filter(isObject).map((r) => ({
    rule: str(r.rule) ?? '',
    message: str(r.message),
    messageExpression: str(r.messageExpression),
    reason: str(r.reason),
    fieldPath: str(r.fieldPath),
    optionalOldSelf: bool(r.optionalOldSelf),
  }));
}

const STRINGS = ['id', '$schema', '$ref', 'description', 'type', 'format', 'title', 'pattern'] as const;
const NUMBERS = ['maximum', 'minimum', 'maxLength', 'minLength', 'maxItems', 'minItems', 'multipleOf', 'maxProperties', 'minProperties'] as const;
const BOOLEANS = ['nullable', 'exclusiveMaximum', 'exclusiveMinimum', 'uniqueItems'] as const;

/** Reads one schema node (and everything below it) from decoded JSON. */
export function readSchema(raw: unknown, depth = 0): Schema {
  const s: Schema = {};
  if (!isObject(raw) || depth > MAX_DEPTH) return s;
  for (const k of STRINGS) if (typeof raw[k] === 'string') s[k] = raw[k] as string;
  for (const k of NUMBERS) if (num(raw[k]) !== undefined) s[k] = raw[k] as number;
  for (const k of BOOLEANS) if (typeof raw[k] === 'boolean') s[k] = raw[k] as boolean;
  if ('default' in raw && raw.default !== undefined) s.default = raw.default as JsonValue;
  if ('example' in raw && raw.example !== undefined) s.example = raw.example as JsonValue;
  if (Array.isArray(raw.enum)) s.enum = raw.enum as JsonValue[];
  if (strList(raw.required)) s.required = raw.required as string[];
  if (isObject(raw.items)) s.items = readSchema(raw.items, depth + 1);
  else if (Array.isArray(raw.items)) s.itemsList = schemaList(raw.items, depth);
  s.allOf = schemaList(raw.allOf, depth);
  s.oneOf = schemaList(raw.oneOf, depth);
  s.anyOf = schemaList(raw.anyOf, depth);
  if (isObject(raw.not)) s.not = readSchema(raw.not, depth + 1);
  s.properties = schemaMap(raw.properties, depth);
  s.additionalProperties = schemaOrBool(raw.additionalProperties, depth);
  s.patternProperties = schemaMap(raw.patternProperties, depth);
  s.additionalItems = schemaOrBool(raw.additionalItems, depth);
  s.definitions = schemaMap(raw.definitions, depth);
  if (isObject(raw.dependencies)) {
    s.dependencies = emptyRecord<Schema | string[]>();
    for (const [k, d] of Object.entries(raw.dependencies)) {
      const list = strList(d);
      if (list) s.dependencies[k] = list;
      else if (isObject(d)) s.dependencies[k] = readSchema(d, depth + 1);
    }
  }
  if (isObject(raw.externalDocs)) s.externalDocs = { description: str(raw.externalDocs.description), url: str(raw.externalDocs.url) };
  for (const k of ['x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string'] as const) {
    if (typeof raw[k] === 'boolean') s[k] = raw[k] as boolean;
  }
  if (strList(raw['x-kubernetes-list-map-keys'])) s['x-kubernetes-list-map-keys'] = raw['x-kubernetes-list-map-keys'] as string[];
  if (typeof raw['x-kubernetes-list-type'] === 'string') s['x-kubernetes-list-type'] = raw['x-kubernetes-list-type'];
  if (typeof raw['x-kubernetes-map-type'] === 'string') s['x-kubernetes-map-type'] = raw['x-kubernetes-map-type'];
  s['x-kubernetes-validations'] = rules(raw['x-kubernetes-validations']);
  for (const k of Object.keys(s) as (keyof Schema)[]) if (s[k] === undefined) delete s[k];
  return s;
}

/** The types a value may have under this node: `x-kubernetes-int-or-string` means integer or string. */
export function schemaTypes(s: Schema): string[] {
  if (s['x-kubernetes-int-or-string']) return ['integer', 'string'];
  return s.type ? [s.type] : [];
}

/** Deep equality of decoded JSON values (key order ignored), as apiequality.Semantic.DeepEqual sees them. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

export const deepCopy = <T>(value: T): T => structuredClone(value);
