/**
 * The catalogue of built-in Kubernetes types: everything type-specific (defaults, validation, field labels,
 * server-side printing, OpenAPI) as data and pure functions, so the REST handlers stay generic.
 */
export { BUILTIN_TYPES, findBuiltinType } from './catalogue';
export type {
  BuiltinDefinition,
  BuiltinType,
  Cause,
  KObject,
  OpenApiSchema,
  ScaleSubresource,
  TableColumnDefinition,
  TablePrinter,
  TableRowCondition,
  TopObject,
  TypeSchema,
} from './types';
export { buildOpenApiDocument, openApiGroupVersionPaths, type OpenApiSource } from './openapi/document';
export { dropUnknownFields, findUnknownFields, resolveSchema } from './openapi/unknown-fields';
export { bindPod, validateBinding } from './resources/pods';
export { eventsV1ToCore, coreToEventsV1 } from './resources/events';
export { formatLabelSelector, selectorMatches, selectorString } from './util/label-selector';
export { humanDuration } from './util/age';
export { canonicalQuantity, parseQuantity, formatQuantity } from './util/quantity';
