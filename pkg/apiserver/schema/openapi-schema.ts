/**
 * A CRD version's schema as the server publishes it (apiextensions controller/openapi/builder): the structural
 * schema (value validations kept for v3; stripped for v2, where nullable, int-or-string and preserve-unknown-fields
 * nodes also lose their type or shape), with apiVersion, kind and a $ref to ObjectMeta added at the root and in
 * embedded resources, and `x-kubernetes-group-version-kind` on the kind and list schemas.
 */
import { emptyRecord, isObject, type JsonValue, type Schema } from './schema-types';

export type OpenApiSchema = { [key: string]: JsonValue };

export const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
export const LIST_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta';

// Our own wording; clients read the field names and types, not these texts.
const API_VERSION_DOC = 'API group and version the object is written in.';
const KIND_DOC = 'Type name of the object, in CamelCase.';
const METADATA_DOC = "The object's name, namespace, labels and other metadata.";
const LIST_METADATA_DOC = 'Metadata of the list, such as its resource version and paging token.';
const EMBEDDED_API_VERSION_DOC = 'API group and version of the embedded object.';
const EMBEDDED_KIND_DOC = 'Type name of the embedded object, in CamelCase.';

export const refTo = (name: string, v2: boolean): string => (v2 ? `#/definitions/${name}` : `#/components/schemas/${name}`);

/** `stable.example.com/v1.CronTab` -> `com.example.stable.v1.CronTab` (kube-openapi's ToRESTFriendlyName). */
export function definitionName(group: string, version: string, kind: string): string {
  const reversed = group.includes('.') ? group.split('.').reverse().join('.') : group;
  return `${reversed}.${version}.${kind}`;
}

const VALUE_KEYS = [
  'format', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum', 'maxLength', 'minLength', 'pattern', 'maxItems',
  'minItems', 'uniqueItems', 'multipleOf', 'enum', 'maxProperties', 'minProperties', 'required',
] as const;
const INT_OR_STRING: JsonValue[] = [{ type: 'integer' }, { type: 'string' }];
const isIntOrStringAnyOf = (l: Schema[] | undefined): boolean =>
  l?.length === 2 && l.every((s, i) => Object.keys(s).length === 1 && s.type === (i === 0 ? 'integer' : 'string'));

/** Structural -> kube-openapi, after Unfold (int-or-string gets its anyOf) and, for v2, the v2 filters. */
export function toOpenApi(s: Schema, v2: boolean): OpenApiSchema {
  const out: OpenApiSchema = {};
  const nullable = !!s.nullable;
  const preserve = !!s['x-kubernetes-preserve-unknown-fields'];
  const intOrString = !!s['x-kubernetes-int-or-string'];
  if (s.description) out.description = s.description;
  if (s.type && !(v2 && (nullable || intOrString))) out.type = s.type;
  if (s.title) out.title = s.title;
  if (s.default !== undefined && s.default !== null) out.default = s.default;
  if (nullable && !v2) out.nullable = true;
  if (!v2) {
    for (const k of VALUE_KEYS) if (s[k] !== undefined && s[k] !== false) out[k] = s[k] as JsonValue;
    const anyOf = s.anyOf?.map((x) => toOpenApi(x, false));
    const allOf = s.allOf?.map((x) => toOpenApi(x, false));
    const unfold = intOrString && !isIntOrStringAnyOf(s.anyOf) && !isIntOrStringAnyOf(s.allOf?.[0]?.anyOf);
    if (unfold && !anyOf) out.anyOf = INT_OR_STRING;
    else if (anyOf) out.anyOf = anyOf;
    if (unfold && anyOf) out.allOf = [{ anyOf: INT_OR_STRING }, ...(allOf ?? [])];
    else if (allOf) out.allOf = allOf;
    if (s.oneOf) out.oneOf = s.oneOf.map((x) => toOpenApi(x, false));
    if (s.not) out.not = toOpenApi(s.not, false);
  }
  const shapeless = v2 && (nullable || preserve);
  if (s.properties && !shapeless) {
    const props = emptyRecord<JsonValue>();
    for (const [k, p] of Object.entries(s.properties)) props[k] = toOpenApi(p, v2);
    out.properties = props;
  }
  if (s.items && !shapeless) out.items = toOpenApi(s.items, v2);
  if (s.additionalProperties !== undefined) {
    const extra = s.additionalProperties;
    out.additionalProperties = typeof extra === 'boolean' ? extra : toOpenApi(extra, v2);
  }
  if (preserve) out['x-kubernetes-preserve-unknown-fields'] = true;
  if (s['x-kubernetes-embedded-resource']) out['x-kubernetes-embedded-resource'] = true;
  if (intOrString) out['x-kubernetes-int-or-string'] = true;
  if (s['x-kubernetes-list-map-keys']?.length) out['x-kubernetes-list-map-keys'] = s['x-kubernetes-list-map-keys'];
  if (s['x-kubernetes-list-type'] !== undefined) out['x-kubernetes-list-type'] = s['x-kubernetes-list-type'];
  if (s['x-kubernetes-map-type'] !== undefined) out['x-kubernetes-map-type'] = s['x-kubernetes-map-type'];
  if (s['x-kubernetes-validations']?.length) out['x-kubernetes-validations'] = s['x-kubernetes-validations'] as unknown as JsonValue;
  addEmbedded(out, s, v2);
  return out;
}

function typeMeta(): { apiVersion: OpenApiSchema; kind: OpenApiSchema } {
  return { apiVersion: { description: API_VERSION_DOC, type: 'string' }, kind: { description: KIND_DOC, type: 'string' } };
}

/** Embedded resources get apiVersion, kind and metadata properties, and require apiVersion and kind. */
function addEmbedded(out: OpenApiSchema, s: Schema, v2: boolean): void {
  if (!s['x-kubernetes-embedded-resource'] || (v2 && s['x-kubernetes-preserve-unknown-fields'])) return;
  const props = (isObject(out.properties) ? out.properties : {}) as OpenApiSchema;
  props.apiVersion = { description: EMBEDDED_API_VERSION_DOC, type: 'string' };
  props.kind = { description: EMBEDDED_KIND_DOC, type: 'string' };
  props.metadata = { $ref: refTo(OBJECT_META, v2), description: METADATA_DOC };
  out.properties = props;
  const required = Array.isArray(out.required) ? [...out.required] : [];
  for (const k of ['kind', 'apiVersion']) if (!required.includes(k)) required.push(k);
  out.required = required;
}

const gvk = (group: string, version: string, kind: string): JsonValue => [{ group, kind, version }];

/** The kind's component: the schema with TypeMeta and ObjectMeta, or just `type: object` without a schema. */
export function kindSchema(schema: Schema | undefined, group: string, version: string, kind: string, v2: boolean): OpenApiSchema {
  if (!schema || (v2 && schema['x-kubernetes-preserve-unknown-fields'])) {
    return { type: 'object', 'x-kubernetes-group-version-kind': gvk(group, version, kind) };
  }
  const out = toOpenApi(schema, v2);
  const props = (isObject(out.properties) ? out.properties : {}) as OpenApiSchema;
  props.metadata = { $ref: refTo(OBJECT_META, v2), description: METADATA_DOC };
  Object.assign(props, typeMeta());
  out.properties = props;
  out['x-kubernetes-group-version-kind'] = gvk(group, version, kind);
  return out;
}

export function listSchema(group: string, version: string, kind: string, listKind: string, plural: string, v2: boolean): OpenApiSchema {
  return {
    description: `A list of ${kind} objects.`,
    type: 'object',
    required: ['items'],
    properties: {
      items: {
        description: `The ${plural} in this list.`,
        type: 'array',
        items: { $ref: refTo(definitionName(group, version, kind), v2) },
      },
      metadata: { $ref: refTo(LIST_META, v2), description: LIST_METADATA_DOC },
      ...typeMeta(),
    },
    'x-kubernetes-group-version-kind': gvk(group, version, listKind),
  };
}
