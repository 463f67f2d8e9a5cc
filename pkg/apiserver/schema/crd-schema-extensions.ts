/**
 * CRD-time checks of the Kubernetes vendor extensions on one schema node: x-kubernetes-map-type, list-type,
 * list-map-keys, and the shape (not the CEL) of x-kubernetes-validations. Messages as in apiextensions validation.go.
 */
import { child, forbidden, index, invalid, key, notSupported, required, type FieldError } from './errors';
import { hasOwn, type Schema } from './schema-types';

const REASONS = ['FieldValueDuplicate', 'FieldValueForbidden', 'FieldValueInvalid', 'FieldValueRequired'];
const hasNewlines = (s: string): boolean => /[\n\r]/.test(s);

export function validateListAndMapTypes(s: Schema, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const type = s.type ?? '';
  const mapType = s['x-kubernetes-map-type'];
  const listType = s['x-kubernetes-list-type'];
  const mapKeys = s['x-kubernetes-list-map-keys'] ?? [];
  const item = s.items;
  if (mapType !== undefined && type !== 'object') {
    const detail = 'must be object if x-kubernetes-map-type is specified';
    errs.push(type ? invalid(child(path, 'type'), type, detail) : required(child(path, 'type'), detail));
  }
  if (mapType !== undefined && mapType !== 'atomic' && mapType !== 'granular') {
    errs.push(notSupported(child(path, 'x-kubernetes-map-type'), mapType, ['atomic', 'granular']));
  }
  if (listType !== undefined && type !== 'array') {
    const detail = 'must be array if x-kubernetes-list-type is specified';
    errs.push(type ? invalid(child(path, 'type'), type, detail) : required(child(path, 'type'), detail));
  } else if (listType === 'set' && item) {
    const detail = 'must be atomic as item of a list with x-kubernetes-list-type=set';
    const itemListType = item['x-kubernetes-list-type'];
    if (item.type === 'array' && itemListType !== undefined && itemListType !== 'atomic') {
      errs.push(invalid(child(child(path, 'items'), 'x-kubernetes-list-type'), itemListType, detail));
    }
    if (item.type === 'object' && item['x-kubernetes-map-type'] !== 'atomic') {
      // The server reports the item's list-type here (usually unset, so null): kept as it is.
      errs.push(invalid(child(child(path, 'items'), 'x-kubernetes-map-type'), itemListType ?? null, detail));
    }
  }
  if (listType !== undefined && listType !== 'atomic' && listType !== 'set' && listType !== 'map') {
    errs.push(notSupported(child(path, 'x-kubernetes-list-type'), listType, ['atomic', 'set', 'map']));
  }
  if (mapKeys.length > 0) {
    const detail = 'must be map if x-kubernetes-list-map-keys is non-empty';
    if (listType === undefined) errs.push(required(child(path, 'x-kubernetes-list-type'), detail));
    else if (listType !== 'map') errs.push(invalid(child(path, 'x-kubernetes-list-type'), listType, detail));
  }
  if (listType === 'map') errs.push(...listMapChecks(s, mapKeys, path));
  if (item && (listType === 'set' || listType === 'map')) errs.push(...mapSetKeyChecks(item, listType, mapKeys, path));
  return errs;
}

function listMapChecks(s: Schema, mapKeys: string[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const item = s.items;
  if (mapKeys.length === 0) errs.push(required(child(path, 'x-kubernetes-list-map-keys'), 'must not be empty if x-kubernetes-list-type is map'));
  if (!item && !s.itemsList) errs.push(required(child(path, 'items'), 'must have a schema if x-kubernetes-list-type is map'));
  if (s.itemsList) errs.push(invalid(child(path, 'items'), s.itemsList, 'must only have a single schema if x-kubernetes-list-type is map'));
  if (item && item.type !== 'object') {
    errs.push(invalid(child(child(path, 'items'), 'type'), item.type ?? '', "must be object if parent array's x-kubernetes-list-type is map"));
  }
  if (item?.type === 'object') {
    const seen = new Set<string>();
    for (const k of mapKeys) {
      const props = item.properties ?? {};
      if (hasOwn(props, k)) {
        if (props[k].type === 'array' || props[k].type === 'object') {
          const at = child(key(child(child(path, 'items'), 'properties'), k), 'type');
          errs.push(invalid(at, item.type, "must be a scalar type if parent array's x-kubernetes-list-type is map"));
        }
      } else {
        errs.push(invalid(child(path, 'x-kubernetes-list-map-keys'), mapKeys, 'entries must all be names of item properties'));
      }
      if (seen.has(k)) errs.push(invalid(child(path, 'x-kubernetes-list-map-keys'), mapKeys, 'must not contain duplicate entries'));
      seen.add(k);
    }
  }
  return errs;
}

function mapSetKeyChecks(item: Schema, listType: string, mapKeys: string[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const items = child(path, 'items');
  if (item.nullable) errs.push(forbidden(child(items, 'nullable'), `cannot be nullable when x-kubernetes-list-type is ${listType}`));
  if (listType !== 'map') return errs;
  const requiredKeys = new Set(item.required ?? []);
  for (const k of mapKeys) {
    const props = item.properties ?? {};
    if (!hasOwn(props, k)) continue;
    const at = key(child(items, 'properties'), k);
    if (!requiredKeys.has(k) && props[k].default === undefined) {
      errs.push(required(child(at, 'default'), 'this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property'));
    }
    if (props[k].nullable) errs.push(forbidden(child(at, 'nullable'), 'this property is in x-kubernetes-list-map-keys, so it cannot be nullable'));
  }
  return errs;
}

/** The rules' shape only: CEL expressions are neither compiled nor enforced by this server. */
export function validateValidationRules(s: Schema, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (s['x-kubernetes-validations'] ?? []).forEach((rule, i) => {
    const at = index(child(path, 'x-kubernetes-validations'), i);
    const trimmedRule = rule.rule.trim();
    const message = rule.message ?? '';
    if (!trimmedRule) errs.push(required(child(at, 'rule'), 'rule is not specified'));
    else if (message.length > 0 && !message.trim()) errs.push(invalid(child(at, 'message'), message, 'message must be non-empty if specified'));
    else if (hasNewlines(message.trim())) errs.push(invalid(child(at, 'message'), message, 'message must not contain line breaks'));
    else if (hasNewlines(trimmedRule) && !message.trim()) errs.push(required(child(at, 'message'), 'message must be specified if rule contains line breaks'));
    if (rule.messageExpression !== undefined && rule.messageExpression.length > 0 && !rule.messageExpression.trim()) {
      errs.push(required(child(at, 'messageExpression'), 'messageExpression must be non-empty if specified'));
    }
    if (rule.reason !== undefined && !REASONS.includes(rule.reason)) errs.push(notSupported(child(at, 'reason'), rule.reason, REASONS));
    const fieldPath = rule.fieldPath ?? '';
    if (fieldPath.length > 0 && !fieldPath.trim()) errs.push(invalid(child(at, 'fieldPath'), fieldPath, 'fieldPath must be non-empty if specified'));
    if (hasNewlines(fieldPath)) errs.push(invalid(child(at, 'fieldPath'), fieldPath, 'fieldPath must not contain line breaks'));
  });
  return errs;
}
