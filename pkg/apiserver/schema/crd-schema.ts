/**
 * Validation of one `openAPIV3Schema` when a CRD is created or updated (apiextensions
 * validateCustomResourceDefinitionValidation): root restrictions when /status is enabled, structural rules (sorted),
 * then defaults, then the OpenAPI subset CRDs accept, node by node. `path` is where the schema holder sits:
 * `spec.validation` when all versions share one schema (the server folds identical schemas there), else
 * `spec.versions[i].schema`.
 */
import { validateSchemaDefaults } from './default-validation';
import { child, forbidden, index, invalid, key, notSupported, type FieldError } from './errors';
import { validateListAndMapTypes, validateValidationRules } from './crd-schema-extensions';
import type { PatternCache } from './regex';
import { isObject, type Schema } from './schema-types';
import { structuralBuildError, validateStructural } from './structural';
import type { ValueValidator } from './validate-value';

const OPENAPI_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];
const META_FIELDS = new Set(['metadata', 'kind', 'apiVersion']);

/** JSONSchemaProps fields in Go struct order, with whether each may appear at the root when /status is enabled. */
const ROOT_FIELDS: [keyof Schema | 'itemsList', string, boolean][] = [
  ['id', 'ID', false], ['$schema', 'Schema', false], ['$ref', 'Ref', false], ['description', 'Description', true],
  ['type', 'Type', true], ['nullable', 'Nullable', false], ['format', 'Format', true], ['title', 'Title', true],
  ['default', 'Default', false], ['maximum', 'Maximum', true], ['exclusiveMaximum', 'ExclusiveMaximum', true],
  ['minimum', 'Minimum', true], ['exclusiveMinimum', 'ExclusiveMinimum', true], ['maxLength', 'MaxLength', true],
  ['minLength', 'MinLength', true], ['pattern', 'Pattern', true], ['maxItems', 'MaxItems', true],
  ['minItems', 'MinItems', true], ['uniqueItems', 'UniqueItems', true], ['multipleOf', 'MultipleOf', true],
  ['enum', 'Enum', false], ['maxProperties', 'MaxProperties', false], ['minProperties', 'MinProperties', false],
  ['required', 'Required', true], ['items', 'Items', true], ['itemsList', 'Items', true], ['allOf', 'AllOf', false],
  ['oneOf', 'OneOf', false], ['anyOf', 'AnyOf', false], ['not', 'Not', false], ['properties', 'Properties', true],
  ['additionalProperties', 'AdditionalProperties', false], ['patternProperties', 'PatternProperties', false],
  ['dependencies', 'Dependencies', false], ['additionalItems', 'AdditionalItems', false],
  ['definitions', 'Definitions', false], ['externalDocs', 'ExternalDocs', true], ['example', 'Example', true],
  ['x-kubernetes-preserve-unknown-fields', 'XPreserveUnknownFields', true],
  ['x-kubernetes-embedded-resource', 'XEmbeddedResource', false], ['x-kubernetes-int-or-string', 'XIntOrString', false],
  ['x-kubernetes-list-map-keys', 'XListMapKeys', false], ['x-kubernetes-list-type', 'XListType', false],
  ['x-kubernetes-map-type', 'XMapType', false], ['x-kubernetes-validations', 'XValidations', true],
];
const ALLOWED_AT_ROOT = `[${[...new Set(ROOT_FIELDS.filter((f) => f[2]).map((f) => f[1]))].join(' ')}]`;
/** Go zero values: these are plain strings/bools in the Go struct, so "" and false count as unset. */
const ZERO_WHEN_EMPTY = new Set(['id', '$schema', 'description', 'type', 'format', 'title', 'pattern', 'nullable', 'exclusiveMaximum', 'exclusiveMinimum', 'uniqueItems', 'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string']);

export interface SchemaCheckDeps {
  readonly patterns: PatternCache;
  readonly validator: ValueValidator;
}

export function validateCrdSchema(schema: Schema, statusEnabled: boolean, path: string, deps: SchemaCheckDeps): FieldError[] {
  const at = child(path, 'openAPIV3Schema');
  const errs: FieldError[] = [];
  if (statusEnabled) errs.push(...statusRootCheck(schema, at));
  if (schema.nullable) errs.push(forbidden(child(at, 'nullable'), 'nullable cannot be true at the root'));
  const buildError = structuralBuildError(schema);
  if (!buildError) {
    const structural = validateStructural(schema, at, deps.patterns);
    errs.push(...(structural.length > 0 ? structural : validateSchemaDefaults(schema, at, deps.validator)));
  }
  errs.push(...openApiChecks(schema, at, { allowDefaults: true, reason: '', insideMeta: false }, true));
  if (buildError && errs.length === 0) errs.push(invalid(at, '', buildError));
  return errs;
}

function statusRootCheck(schema: Schema, at: string): FieldError[] {
  for (const [field, goName, allowed] of ROOT_FIELDS) {
    const value = (schema as Record<string, unknown>)[field];
    if (value === undefined || (ZERO_WHEN_EMPTY.has(field) && (value === '' || value === false))) continue;
    if (goName === 'Type') {
      if (value === 'object') continue;
      return [invalid(child(at, 'type'), value, 'only "object" is allowed as the type at the root of the schema if the status subresource is enabled')];
    }
    if (!allowed) return [invalid(at, schema, `only ${ALLOWED_AT_ROOT} fields are allowed at the root of the schema if the status subresource is enabled`)];
  }
  return [];
}

interface Ctx {
  readonly allowDefaults: boolean;
  readonly reason: string;
  readonly insideMeta: boolean;
}

const forbidDefaults = (ctx: Ctx, reason: string): Ctx => ({ ...ctx, allowDefaults: false, reason });

/** The OpenAPI v3 subset a CRD may use (specStandardValidatorV3 and its recursion). */
function openApiChecks(s: Schema, path: string, ctx: Ctx, isRoot: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const no = (name: string, detail: string): void => void errs.push(forbidden(child(path, name), detail));
  if (s.type && !OPENAPI_TYPES.includes(s.type)) errs.push(notSupported(child(path, 'type'), s.type, OPENAPI_TYPES));
  if (s.default !== undefined && !ctx.allowDefaults) no('default', `must not be set${ctx.reason ? ` ${ctx.reason}` : ''}`);
  if (s.id) no('id', 'id is not supported');
  if (s.additionalItems !== undefined) no('additionalItems', 'additionalItems is not supported');
  if (s.patternProperties && Object.keys(s.patternProperties).length > 0) no('patternProperties', 'patternProperties is not supported');
  if (s.definitions && Object.keys(s.definitions).length > 0) no('definitions', 'definitions is not supported');
  if (s.dependencies) no('dependencies', 'dependencies is not supported');
  if (s.$ref !== undefined) no('$ref', '$ref is not supported');
  if (s.type === 'null') no('type', 'type cannot be set to null, use nullable as an alternative');
  if (s.itemsList && s.itemsList.length > 0) no('items', 'items must be a schema object and not an array');
  if (ctx.insideMeta && s['x-kubernetes-embedded-resource']) no('x-kubernetes-embedded-resource', 'must not be used inside of resource meta');
  if (s.uniqueItems) no('uniqueItems', 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic');

  const props = s.properties ?? {};
  if (s.additionalProperties !== undefined) {
    const extra = isObject(s.additionalProperties) ? (s.additionalProperties as Schema) : undefined;
    if (Object.keys(props).length > 0 && (s.additionalProperties === false || extra)) {
      no('additionalProperties', 'additionalProperties and properties are mutual exclusive');
    }
    const sub = ctx.insideMeta ? forbidDefaults(ctx, 'inside additionalProperties applying to object metadata') : ctx;
    if (extra) errs.push(...openApiChecks(extra, child(path, 'additionalProperties'), sub, false));
  }
  for (const [k, p] of Object.entries(props)) {
    let sub = ctx;
    if ((isRoot || s['x-kubernetes-embedded-resource']) && META_FIELDS.has(k)) {
      sub = { ...sub, insideMeta: true };
      if (isRoot) sub = forbidDefaults(sub, `in top-level ${k}`);
    }
    errs.push(...openApiChecks(p, key(child(path, 'properties'), k), sub, false));
  }
  if (s.not) errs.push(...openApiChecks(s.not, child(path, 'not'), ctx, false));
  for (const name of ['allOf', 'oneOf', 'anyOf'] as const) {
    (s[name] ?? []).forEach((sub, i) => errs.push(...openApiChecks(sub, index(child(path, name), i), ctx, false)));
  }
  for (const [k, d] of Object.entries(s.definitions ?? {})) errs.push(...openApiChecks(d, key(child(path, 'definitions'), k), ctx, false));
  if (s.items) errs.push(...openApiChecks(s.items, child(path, 'items'), ctx, false));
  (s.itemsList ?? []).forEach((sub, i) => errs.push(...openApiChecks(sub, index(child(path, 'items'), i), ctx, false)));
  for (const [k, d] of Object.entries(s.dependencies ?? {})) {
    if (!Array.isArray(d)) errs.push(...openApiChecks(d, key(child(path, 'dependencies'), k), ctx, false));
  }
  if (s['x-kubernetes-preserve-unknown-fields'] === false) {
    errs.push(invalid(child(path, 'x-kubernetes-preserve-unknown-fields'), false, 'must be true or undefined'));
  }
  errs.push(...validateListAndMapTypes(s, path));
  errs.push(...validateValidationRules(s, path));
  return errs;
}
