/**
 * Structural schema rules (apiextensions pkg/apiserver/schema ValidateStructural): every node has a type (or
 * x-kubernetes-int-or-string / preserve-unknown-fields), value validations (allOf/anyOf/oneOf/not) only restrict and
 * never introduce fields, metadata at the root may only restrict name and generateName. Errors come sorted by their
 * text, as the real server sorts them.
 */
import { child, forbidden, formatFieldError, index, invalid, key, required, type FieldError } from './errors';
import { compareGo } from './go-format';
import type { PatternCache } from './regex';
import { hasOwn, isObject, type Schema } from './schema-types';

type Level = 'root' | 'item' | 'field';

const EMPTY_TYPE: Record<Level, string> = {
  root: 'must not be empty at the root',
  item: 'must not be empty for specified array items',
  field: 'must not be empty for specified object fields',
};

const isIntOrStringAnyOf = (anyOf: Schema[] | undefined): boolean =>
  anyOf?.length === 2 &&
  anyOf.every((s, i) => Object.keys(s).length === 1 && s.type === (i === 0 ? 'integer' : 'string'));

const schemaOf = (v: Schema | boolean | undefined): Schema | undefined => (isObject(v) ? (v as Schema) : undefined);

export function validateStructural(s: Schema, path: string, patterns: PatternCache): FieldError[] {
  const errs = [...invariants(s, 'root', path, patterns), ...completeness(s, s, path, path)];
  return errs.sort((a, b) => compareGo(formatFieldError(a), formatFieldError(b)));
}

function invariants(s: Schema, lvl: Level, path: string, patterns: PatternCache): FieldError[] {
  const errs: FieldError[] = [];
  if (s.type === 'array' && !s.items) errs.push(required(child(path, 'items'), 'must be specified'));
  if (s.items) errs.push(...invariants(s.items, 'item', child(path, 'items'), patterns));
  for (const [k, p] of Object.entries(s.properties ?? {})) errs.push(...invariants(p, 'field', key(child(path, 'properties'), k), patterns));
  if (s.additionalProperties !== undefined) {
    if (lvl === 'root') errs.push(forbidden(child(path, 'additionalProperties'), 'must not be used at the root'));
    const extra = schemaOf(s.additionalProperties);
    if (extra) errs.push(...invariants(extra, 'field', child(path, 'additionalProperties'), patterns));
  }
  const intOrString = !!s['x-kubernetes-int-or-string'];
  const embedded = !!s['x-kubernetes-embedded-resource'];
  const preserve = !!s['x-kubernetes-preserve-unknown-fields'];
  if (intOrString && preserve) {
    errs.push(invalid(child(path, 'x-kubernetes-preserve-unknown-fields'), true, 'must be false if x-kubernetes-int-or-string is true'));
  }
  if (intOrString && embedded) {
    errs.push(invalid(child(path, 'x-kubernetes-embedded-resource'), true, 'must be false if x-kubernetes-int-or-string is true'));
  }
  const skipAnyOf = isIntOrStringAnyOf(s.anyOf);
  const skipFirstAllOfAnyOf = isIntOrStringAnyOf(s.allOf?.[0]?.anyOf);
  errs.push(...valueValidation(s, skipAnyOf, skipFirstAllOfAnyOf, lvl, path, patterns));

  const type = s.type ?? '';
  if (embedded && type !== 'object') {
    const detail = 'must be object if x-kubernetes-embedded-resource is true';
    errs.push(type ? invalid(child(path, 'type'), type, detail) : required(child(path, 'type'), detail));
  } else if (!type && !intOrString && !preserve) {
    errs.push(required(child(path, 'type'), EMPTY_TYPE[lvl]));
  }
  if (embedded && s.additionalProperties !== undefined) {
    errs.push(forbidden(child(path, 'additionalProperties'), 'must not be used if x-kubernetes-embedded-resource is set'));
  }
  if (lvl === 'root' && type && type !== 'object') errs.push(invalid(child(path, 'type'), type, 'must be object at the root'));

  const checkMetadata = lvl === 'root' || embedded;
  const props = s.properties ?? {};
  for (const name of ['kind', 'apiVersion']) {
    if (checkMetadata && hasOwn(props, name) && props[name].type !== 'string') {
      errs.push(invalid(child(key(child(path, 'properties'), name), 'type'), props[name].type ?? '', 'must be string'));
    }
  }
  if (hasOwn(props, 'metadata')) errs.push(...metadataInvariants(props.metadata, checkMetadata, lvl, key(child(path, 'properties'), 'metadata')));
  if (embedded && !preserve && Object.keys(props).length === 0) {
    errs.push(required(child(path, 'properties'), 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields'));
  }
  return errs;
}

/** At the root, metadata may only say it is an object and restrict name and generateName (which are ignored). */
function metadataInvariants(s: Schema, checkMetadata: boolean, lvl: Level, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (checkMetadata && s.type !== 'object') errs.push(invalid(child(path, 'type'), s.type ?? '', 'must be object'));
  if (lvl === 'root') {
    const rest: Record<string, unknown> = { ...s };
    delete rest.type;
    delete rest.default;
    const names = Object.keys(s.properties ?? {});
    if (names.length > 0 && names.length <= 2 && names.every((n) => n === 'name' || n === 'generateName')) delete rest.properties;
    if (Object.values(rest).some((v) => v !== false && !(Array.isArray(v) && v.length === 0) && v !== '')) {
      errs.push(forbidden(path, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
    }
  }
  return errs;
}

function valueValidation(s: Schema, skipAnyOf: boolean, skipFirstAllOfAnyOf: boolean, lvl: Level, path: string, patterns: PatternCache): FieldError[] {
  const errs: FieldError[] = [];
  if (!skipAnyOf) (s.anyOf ?? []).forEach((v, i) => errs.push(...nested(v, false, lvl, index(child(path, 'anyOf'), i), patterns)));
  (s.allOf ?? []).forEach((v, i) => errs.push(...nested(v, skipFirstAllOfAnyOf && i === 0, lvl, index(child(path, 'allOf'), i), patterns)));
  (s.oneOf ?? []).forEach((v, i) => errs.push(...nested(v, false, lvl, index(child(path, 'oneOf'), i), patterns)));
  if (s.not) errs.push(...nested(s.not, false, lvl, child(path, 'not'), patterns));
  if (s.pattern) {
    const compiled = patterns.get(s.pattern);
    if (!compiled.ok) errs.push(invalid(child(path, 'pattern'), s.pattern, `must be a valid regular expression, but isn't: ${compiled.error}`));
  }
  return errs;
}

/** Inside allOf/anyOf/oneOf/not a schema may only validate: anything that shapes the object is forbidden. */
function nested(v: Schema, skipAnyOf: boolean, lvl: Level, path: string, patterns: PatternCache): FieldError[] {
  const errs = valueValidation(v, skipAnyOf, false, lvl, path, patterns);
  if (v.items) errs.push(...nested(v.items, false, lvl, child(path, 'items'), patterns));
  for (const [k, p] of Object.entries(v.properties ?? {})) errs.push(...nested(p, false, 'field', key(child(path, 'properties'), k), patterns));
  const no = (name: string, detail: string): void => void errs.push(forbidden(child(path, name), detail));
  if (v.type) no('type', 'must be empty to be structural');
  if (v.additionalProperties !== undefined) no('additionalProperties', 'must be undefined to be structural');
  if (v.default !== undefined) no('default', 'must be undefined to be structural');
  if (v.title) no('title', 'must be empty to be structural');
  if (v.description) no('description', 'must be empty to be structural');
  if (v.nullable) no('nullable', 'must be false to be structural');
  if (v.externalDocs) no('externalDocs', 'must be undefined to be structural');
  if (v['x-kubernetes-preserve-unknown-fields']) no('x-kubernetes-preserve-unknown-fields', 'must be false to be structural');
  if (v['x-kubernetes-embedded-resource']) no('x-kubernetes-embedded-resource', 'must be false to be structural');
  if (v['x-kubernetes-int-or-string']) no('x-kubernetes-int-or-string', 'must be false to be structural');
  if (v['x-kubernetes-list-map-keys']?.length) no('x-kubernetes-list-map-keys', 'must be empty to be structural');
  if (v['x-kubernetes-list-type'] !== undefined) no('x-kubernetes-list-type', 'must be undefined to be structural');
  if (v['x-kubernetes-map-type'] !== undefined) no('x-kubernetes-map-type', 'must be undefined to be structural');
  if (v['x-kubernetes-validations']?.length) no('x-kubernetes-validations', 'must be empty to be structural');
  if (hasOwn(v.properties ?? {}, 'metadata')) no('properties[metadata]', 'must not be specified in a nested context');
  return errs;
}

/**
 * Fields and items named inside the root's value validations must also exist in the structure. Like the real
 * server, this looks only at the root node's allOf/anyOf/oneOf/not.
 */
function completeness(v: Schema, s: Schema | undefined, sPath: string, vPath: string): FieldError[] {
  const errs: FieldError[] = [];
  const lists: [string, Schema[] | undefined][] = [['allOf', v.allOf], ['anyOf', v.anyOf], ['oneOf', v.oneOf]];
  if (v.not) errs.push(...nestedCompleteness(v.not, s, sPath, child(vPath, 'not')));
  for (const [name, list] of lists) (list ?? []).forEach((n, i) => errs.push(...nestedCompleteness(n, s, sPath, index(child(vPath, name), i))));
  return errs;
}

function nestedCompleteness(v: Schema, s: Schema | undefined, sPath: string, vPath: string): FieldError[] {
  if (!s) return [required(sPath, `because it is defined in ${vPath}`)];
  const errs = completeness(v, s, sPath, vPath);
  if (v.items) errs.push(...nestedCompleteness(v.items, s.items, child(sPath, 'items'), child(vPath, 'items')));
  for (const [k, p] of Object.entries(v.properties ?? {})) {
    const sProps = s.properties ?? {};
    const vKey = key(child(vPath, 'properties'), k);
    if (!hasOwn(sProps, k)) errs.push(required(key(child(sPath, 'properties'), k), `because it is defined in ${vKey}`));
    else errs.push(...nestedCompleteness(p, sProps[k], key(child(sPath, 'properties'), k), vKey));
  }
  return errs;
}

/**
 * Why the server could not even build a structural schema (NewStructural), or undefined. When this happens the
 * structural and default checks are skipped, and the reason is reported only if nothing else was.
 */
export function structuralBuildError(s: Schema): string | undefined {
  const unsupported: [boolean, string][] = [
    [!!s.id, 'id'],
    [!!s.$schema, 'schema'],
    [!!s.$ref, '$ref'],
    [Object.keys(s.patternProperties ?? {}).length > 0, 'patternProperties'],
    [Object.keys(s.dependencies ?? {}).length > 0, 'dependencies'],
    [s.additionalItems !== undefined, 'additionalItems'],
    [Object.keys(s.definitions ?? {}).length > 0, 'definitions'],
  ];
  const found = unsupported.find(([present]) => present);
  if (found) return `OpenAPIV3Schema '${found[1]}' is not supported`;
  const nested = [s.not, ...(s.allOf ?? []), ...(s.anyOf ?? []), ...(s.oneOf ?? []), schemaOf(s.additionalProperties)];
  for (const n of nested) {
    const err = n && structuralBuildError(n);
    if (err) return err;
  }
  if (s['x-kubernetes-preserve-unknown-fields'] === false) return "internal error: 'x-kubernetes-preserve-unknown-fields' must be true or undefined";
  if (s.itemsList && s.itemsList.length > 0) return "OpenAPIV3Schema 'items' must be a schema, but is an array";
  for (const n of [s.items, ...Object.values(s.properties ?? {})]) {
    const err = n && structuralBuildError(n);
    if (err) return err;
  }
  return undefined;
}
