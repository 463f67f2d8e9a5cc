/**
 * DMI Device and DeviceModel messages for tests, built the way edgecore builds them from the CRDs (configData
 * values packed into Any wrappers by pkg/dmi, cycles in milliseconds).
 */
import type { Device, DeviceModel, ModelProperty, PushMethod } from '../../../gen/kubeedge/dmi/v1beta1/api';
import { encodeAnyMap } from '../../../pkg/dmi/any-values';

export function modelProto(name: string, properties: readonly (Partial<ModelProperty> & { name: string })[], namespace = 'default'): DeviceModel {
  return {
    name,
    namespace,
    spec: {
      properties: properties.map((property) => ({
        description: '',
        type: 'INT',
        accessMode: 'ReadOnly',
        minimum: '',
        maximum: '',
        unit: '',
        ...property,
      })),
      commands: [],
    },
  };
}

export interface PropertyInput {
  name: string;
  visitor?: Record<string, unknown>;
  desired?: string;
  collectCycle?: number;
  reportCycle?: number;
  reportToCloud?: boolean;
  pushMethod?: PushMethod;
}

export function deviceProto(input: {
  name: string;
  namespace?: string;
  model: string;
  protocol: string;
  protocolConfig?: Record<string, unknown>;
  properties: readonly PropertyInput[];
  methods?: readonly { name: string; propertyNames: string[] }[];
  stateReport?: { reportToCloud: boolean; reportCycle: number };
}): Device {
  return {
    name: input.name,
    namespace: input.namespace ?? 'default',
    spec: {
      deviceModelReference: input.model,
      protocol: { protocolName: input.protocol, configData: { data: encodeAnyMap(input.protocolConfig ?? {}) } },
      properties: input.properties.map((property) => ({
        name: property.name,
        desired: property.desired === undefined ? undefined : { value: property.desired, metadata: { timestamp: String(Date.now()), type: 'string' } },
        visitors: { protocolName: input.protocol, configData: { data: encodeAnyMap(property.visitor ?? {}) } },
        collectCycle: property.collectCycle ?? 0,
        reportCycle: property.reportCycle ?? 0,
        reportToCloud: property.reportToCloud ?? true,
        pushMethod: property.pushMethod,
      })),
      methods: (input.methods ?? []).map((method) => ({ name: method.name, description: '', propertyNames: method.propertyNames })),
    },
    status: input.stateReport ? { twins: [], ...input.stateReport } : undefined,
  };
}
