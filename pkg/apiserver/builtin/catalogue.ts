/** The built-in resources this API server serves, in discovery order. */
import { leases, serviceAccounts } from './resources/accounts-leases';
import { configMaps, secrets } from './resources/config';
import { customResourceDefinitions } from './resources/crds';
import { coreEvents, eventsV1 } from './resources/events';
import { namespaces } from './resources/namespaces';
import { nodes } from './resources/nodes';
import { pods } from './resources/pods';
import { endpoints, services } from './resources/services';
import { daemonSets, deployments, replicaSets } from './resources/workloads';
import { dropUnknownFields, findUnknownFields } from './openapi/unknown-fields';
import type { BuiltinDefinition, BuiltinType } from './types';

/** Adds what every type derives from its schema. */
function complete(definition: BuiltinDefinition): BuiltinType {
  return {
    ...definition,
    unknownFields: (obj) => findUnknownFields(obj, definition.openapi),
    dropUnknownFields: (obj) => dropUnknownFields(obj, definition.openapi),
  };
}

const DEFINITIONS: readonly BuiltinDefinition[] = [
  configMaps,
  endpoints,
  coreEvents,
  namespaces,
  nodes,
  pods,
  secrets,
  serviceAccounts,
  services,
  daemonSets,
  deployments,
  replicaSets,
  leases,
  eventsV1,
  customResourceDefinitions,
];

export const BUILTIN_TYPES: readonly BuiltinType[] = Object.freeze(DEFINITIONS.map(complete));

/** The type served at `group/version` under `plural`, if any. */
export function findBuiltinType(group: string, version: string, plural: string): BuiltinType | undefined {
  return BUILTIN_TYPES.find((t) => t.group === group && t.version === version && t.plural === plural);
}
