/** Applying PATCH bodies the way kube-apiserver does: JSON patch, JSON merge patch and strategic merge patch. */
export {
  CUSTOM_RESOURCE_PATCH_TYPES,
  PatchError,
  UNPROCESSABLE_MESSAGE,
  strategicMergeUnsupported,
  type PatchErrorCode,
  type PatchHttpStatus,
} from './errors';
export type { JsonObject, JsonPrimitive, JsonValue } from './json';
export { MAX_COPY_BYTES, MAX_JSON_PATCH_OPERATIONS, applyJsonPatch } from './json-patch';
export { applyMergePatch } from './merge-patch';
export { applyStrategicMergePatch } from './strategic/apply';
export { REPLACE, SET_LIST, mergeList, object, type FieldStrategy, type PatchSchema } from './schema/types';
export { BUILT_IN_GROUPS, WORKLOAD, strategicMergeSchemaFor } from './schema/registry';
export {
  CONTAINER,
  METADATA_ONLY,
  NAMESPACE,
  NODE,
  OBJECT_META,
  POD,
  POD_SPEC,
  POD_STATUS,
  POD_TEMPLATE_SPEC,
  SERVICE,
  SERVICE_ACCOUNT,
} from './schema/core';
