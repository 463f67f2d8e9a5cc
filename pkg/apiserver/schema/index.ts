/**
 * The CustomResourceDefinition library of the embedded API server: what the real kube-apiserver does with CRDs and
 * custom objects, minus HTTP. All inputs are decoded JSON (`unknown`); bad user input comes back as field errors,
 * never as exceptions. See the README-style comments at the top of each module for what is matched and what is not.
 */
export {
  SchemaError,
  formatFieldError,
  toStatusCauses,
  type FieldError,
  type FieldErrorType,
  type SchemaErrorCode,
  type StatusCauseJson,
} from './errors';
export { readSchema, type JsonObject, type JsonValue, type Schema, type ValidationRule } from './schema-types';
export { readCrd, type Crd, type CrdNames, type CrdVersion, type PrinterColumn, type ScaleSubresource, type Subresources } from './crd-types';
export { validateCustomResourceDefinition, validateCustomResourceDefinitionUpdate } from './crd-validation';
export { defaultCustomResourceDefinition, nextStoredVersions, storedVersionsOf } from './crd-defaults';
export { compileCustomResourceVersion, type CustomResourceDeps, type CustomResourceVersion } from './custom-resource';
export { validateValue } from './validate-schema';
export { pruneUnknownFields, type PruneOptions, type PruneResult } from './prune';
export { applySchemaDefaults } from './defaulting';
export { compileRe2, type CompiledPattern } from './regex';
export { findJsonPath, parseJsonPath, type JsonPath } from './jsonpath';
export {
  ageColumn,
  buildTable,
  crdTableColumns,
  humanDuration,
  jsonPathColumn,
  nameColumn,
  parseRfc3339,
  typedCell,
  type IncludeObject,
  type Table,
  type TableColumn,
  type TableColumnDefinition,
  type TableOptions,
} from './table';
export {
  crdOpenApiV2Definitions,
  crdOpenApiV3,
  groupVersionOpenApiV3,
  metaDefinitions,
  type CrdOpenApiV3,
  type GroupVersionOptions,
  type OpenApiV3Document,
} from './openapi';
export { definitionName, type OpenApiSchema } from './openapi-schema';
