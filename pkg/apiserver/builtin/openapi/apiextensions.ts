/** apiextensions.k8s.io/v1 CustomResourceDefinition, with the recursive JSONSchemaProps. */
import { boolean, bytes, double, int32, int64, list, map, ref, scalar, string, struct, value } from './dsl';
import { listFields, objectMeta, Time } from './meta';

const EXT = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';

/** Any JSON value (defaults, examples, enum members). */
export const JSON_VALUE = scalar(`${EXT}.JSON`, { description: 'Any JSON value.' });
const PROPS_OR_ARRAY = scalar(`${EXT}.JSONSchemaPropsOrArray`, { description: 'A schema, or a list of schemas.' });
const PROPS_OR_BOOL = scalar(`${EXT}.JSONSchemaPropsOrBool`, { description: 'A schema, or true/false.' });
const PROPS_OR_STRINGS = scalar(`${EXT}.JSONSchemaPropsOrStringArray`, { description: 'A schema, or a list of property names.' });

export const ExternalDocumentation = struct(`${EXT}.ExternalDocumentation`, 'Where more documentation is.', {
  description: string('What the documentation is.'),
  url: string('Its URL.'),
});

export const ValidationRule = struct(`${EXT}.ValidationRule`, 'A CEL validation rule.', {
  fieldPath: string('Field the error is reported at.'),
  message: string('Message when the rule fails.'),
  messageExpression: string('CEL expression producing the message.'),
  optionalOldSelf: boolean('Evaluate on create too, with oldSelf absent.'),
  reason: string('FieldValueInvalid, FieldValueForbidden, FieldValueRequired or FieldValueDuplicate.'),
  rule: string('The CEL expression.').default('').required(),
});

const PROPS_NAME = `${EXT}.JSONSchemaProps`;

export const JSONSchemaProps = struct(PROPS_NAME, 'An OpenAPI v3 schema (the structural subset CRDs allow).', {
  $ref: string(),
  $schema: string(),
  additionalItems: ref(PROPS_OR_BOOL),
  additionalProperties: ref(PROPS_OR_BOOL),
  allOf: list(ref(PROPS_NAME, '', { default: {} })).atomic(),
  anyOf: list(ref(PROPS_NAME, '', { default: {} })).atomic(),
  default: ref(JSON_VALUE, 'Default value; applied when the field is absent.'),
  definitions: map(ref(PROPS_NAME, '', { default: {} })),
  dependencies: map(ref(PROPS_OR_STRINGS)),
  description: string(),
  enum: list(ref(JSON_VALUE)).atomic(),
  example: ref(JSON_VALUE),
  exclusiveMaximum: boolean(),
  exclusiveMinimum: boolean(),
  externalDocs: ref(ExternalDocumentation),
  format: string('Format of a string, such as date-time or int32.'),
  id: string(),
  items: ref(PROPS_OR_ARRAY),
  maxItems: int64(),
  maxLength: int64(),
  maxProperties: int64(),
  maximum: double(),
  minItems: int64(),
  minLength: int64(),
  minProperties: int64(),
  minimum: double(),
  multipleOf: double(),
  not: ref(PROPS_NAME),
  nullable: boolean(),
  oneOf: list(ref(PROPS_NAME, '', { default: {} })).atomic(),
  pattern: string(),
  patternProperties: map(ref(PROPS_NAME, '', { default: {} })),
  properties: map(ref(PROPS_NAME, '', { default: {} })),
  required: list('string').atomic(),
  title: string(),
  type: string(),
  uniqueItems: boolean(),
  'x-kubernetes-embedded-resource': boolean('The value is a whole object with apiVersion, kind and metadata.'),
  'x-kubernetes-int-or-string': boolean('The value may be an integer or a string.'),
  'x-kubernetes-list-map-keys': list('string', 'Keys of a map-type list.').atomic(),
  'x-kubernetes-list-type': string('atomic, set or map.'),
  'x-kubernetes-map-type': string('granular or atomic.'),
  'x-kubernetes-preserve-unknown-fields': boolean('Keep fields the schema does not list.'),
  'x-kubernetes-validations': list(ValidationRule, 'CEL validation rules.').map('rule').merge('rule'),
});

export const CustomResourceValidation = struct(`${EXT}.CustomResourceValidation`, 'The schema of a version.', {
  openAPIV3Schema: ref(JSONSchemaProps, 'The OpenAPI v3 schema.'),
});

export const CustomResourceSubresourceScale = struct(`${EXT}.CustomResourceSubresourceScale`, 'Where /scale reads and writes.', {
  labelSelectorPath: string('JSON path of the selector string, under .status or .spec.'),
  specReplicasPath: string('JSON path of the desired replicas, under .spec.').default('').required(),
  statusReplicasPath: string('JSON path of the observed replicas, under .status.').default('').required(),
});

export const CustomResourceSubresourceStatus = scalar(`${EXT}.CustomResourceSubresourceStatus`, {
  description: 'Enables /status: the main resource then ignores status changes.',
  type: 'object',
});

export const CustomResourceSubresources = struct(`${EXT}.CustomResourceSubresources`, 'Subresources of a version.', {
  scale: ref(CustomResourceSubresourceScale, 'The scale subresource.'),
  status: ref(CustomResourceSubresourceStatus, 'The status subresource.'),
});

export const CustomResourceColumnDefinition = struct(`${EXT}.CustomResourceColumnDefinition`, 'A column kubectl get prints.', {
  description: string('Description of the column.'),
  format: string('Format of the column, such as name or date.'),
  jsonPath: string('JSON path of the value.').default('').required(),
  name: string('Column header.').default('').required(),
  priority: int32('0 always; higher only in wide output.'),
  type: string('integer, number, string, boolean or date.').default('').required(),
});

export const SelectableField = struct(`${EXT}.SelectableField`, 'A field usable in field selectors.', {
  jsonPath: string('JSON path of the field.').default('').required(),
});

export const CustomResourceDefinitionVersion = struct(`${EXT}.CustomResourceDefinitionVersion`, 'A version of the custom resource.', {
  additionalPrinterColumns: list(CustomResourceColumnDefinition, 'Columns for kubectl get.').atomic(),
  deprecated: boolean('Whether the version is deprecated.'),
  deprecationWarning: string('Warning sent to clients of a deprecated version.'),
  name: string('Version name, such as v1alpha1.').default('').required(),
  schema: ref(CustomResourceValidation, 'Schema for validation and pruning.'),
  selectableFields: list(SelectableField, 'Fields usable in field selectors.').atomic(),
  served: boolean('Whether the version is served.').default(false).required(),
  storage: boolean('Whether objects are stored in this version (exactly one).').default(false).required(),
  subresources: ref(CustomResourceSubresources, 'Subresources.'),
});

export const CustomResourceDefinitionNames = struct(`${EXT}.CustomResourceDefinitionNames`, 'Names of the custom resource.', {
  categories: list('string', 'Groups such as all.').atomic(),
  kind: string('Kind, in CamelCase.').default('').required(),
  listKind: string('List kind; defaults to <kind>List.'),
  plural: string('Plural resource name, used in URLs.').default('').required(),
  shortNames: list('string', 'Short names for kubectl.').atomic(),
  singular: string('Singular name; defaults to the lowercased kind.'),
});

export const ServiceReference = struct(`${EXT}.ServiceReference`, 'A service that serves a webhook.', {
  name: string('Service name.').default('').required(),
  namespace: string('Service namespace.').default('').required(),
  path: string('URL path.'),
  port: int32('Port; defaults to 443.'),
});

export const WebhookClientConfig = struct(`${EXT}.WebhookClientConfig`, 'How to reach a webhook.', {
  caBundle: bytes('PEM CA bundle to verify the server.'),
  service: ref(ServiceReference, 'A service.'),
  url: string('A URL.'),
});

export const WebhookConversion = struct(`${EXT}.WebhookConversion`, 'A conversion webhook.', {
  clientConfig: ref(WebhookClientConfig, 'How to reach it.'),
  conversionReviewVersions: list('string', 'ConversionReview versions it understands.').atomic().required(),
});

export const CustomResourceConversion = struct(`${EXT}.CustomResourceConversion`, 'How versions are converted.', {
  strategy: string('None or Webhook.').default('').required(),
  webhook: ref(WebhookConversion, 'The webhook, for strategy Webhook.'),
});

export const CustomResourceDefinitionSpec = struct(`${EXT}.CustomResourceDefinitionSpec`, 'The desired state of a CRD.', {
  conversion: ref(CustomResourceConversion, 'Version conversion.'),
  group: string('API group of the resource.').default('').required(),
  names: value(CustomResourceDefinitionNames, 'Names of the resource.').required(),
  preserveUnknownFields: boolean('Deprecated: keep unknown fields.'),
  scope: string('Namespaced or Cluster.').default('').required(),
  versions: list(CustomResourceDefinitionVersion, 'Versions of the resource.').atomic().required(),
});

export const CustomResourceDefinitionCondition = struct(`${EXT}.CustomResourceDefinitionCondition`, 'One condition of a CRD.', {
  lastTransitionTime: ref(Time, 'Last change of status.'),
  message: string('Details.'),
  reason: string('CamelCase reason.'),
  status: string('True, False or Unknown.').default('').required(),
  type: string('Established, NamesAccepted, ...').default('').required(),
});

export const CustomResourceDefinitionStatus = struct(`${EXT}.CustomResourceDefinitionStatus`, 'The observed state of a CRD.', {
  acceptedNames: value(CustomResourceDefinitionNames, 'Names actually served.'),
  conditions: list(CustomResourceDefinitionCondition, 'Current conditions.').map('type'),
  storedVersions: list('string', 'Versions objects have ever been stored in.').atomic(),
});

export const CustomResourceDefinition = struct(
  `${EXT}.CustomResourceDefinition`,
  'A custom resource type the server serves.',
  {
    ...objectMeta(),
    spec: value(CustomResourceDefinitionSpec, 'Desired state.').required(),
    status: value(CustomResourceDefinitionStatus, 'Observed state.'),
  },
  { gvk: [{ group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition', version: 'v1' }] },
);

export const CustomResourceDefinitionList = struct(
  `${EXT}.CustomResourceDefinitionList`,
  'A list of CRDs.',
  listFields(CustomResourceDefinition, 'CRDs'),
  { gvk: [{ group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinitionList', version: 'v1' }] },
);
