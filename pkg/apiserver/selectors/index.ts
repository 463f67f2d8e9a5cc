/** Label, field and node selectors: parsed once into matchers, with the real API server's errors. */
export { SelectorError, type SelectorErrorCode } from './errors';
export type { Labels, Operator, Requirement } from './requirement';
export {
  EVERYTHING,
  NOTHING,
  labelSelectorFromSet,
  labelSelectorFromStructured,
  parseLabelSelector,
  type LabelSelector,
  type StructuredLabelSelector,
} from './label-selector';
export { parseFieldSelector, type FieldSelector, type FieldTerm } from './field-selector';
export {
  CSR_FIELDS,
  EVENT_FIELDS,
  EVENTS_V1_FIELDS,
  JOB_FIELDS,
  METADATA_FIELDS,
  NAMESPACE_FIELDS,
  NODE_FIELDS,
  POD_FIELDS,
  REPLICATION_CONTROLLER_FIELDS,
  REPLICA_SET_FIELDS,
  SECRET_FIELDS,
  SERVICE_FIELDS,
  selectableFieldsFor,
  type SelectableFields,
} from './field-sets';
export {
  compileNodeSelector,
  requiredNodeAffinity,
  type NodeLike,
  type NodeSelector,
  type NodeSelectorRequirement,
  type NodeSelectorTerm,
  type PodPlacement,
} from './node-selector';
