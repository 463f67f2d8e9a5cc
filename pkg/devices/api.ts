/**
 * devices.kubeedge.io/v1beta1 as JSON: Device, DeviceModel and DeviceStatus with KubeEdge's field names (facts §6.1),
 * shared by cloudcore's DeviceController, edgecore's devicetwin and the DMI conversion. Objects arrive as plain JSON,
 * so every field is optional and readers check what they use.
 */
import type { KubeObject } from '../kube/resource';

export const DEVICES_GROUP = 'devices.kubeedge.io';
export const DEVICES_API_VERSION = `${DEVICES_GROUP}/v1beta1`;

/** Resource refs for the Kubernetes client (all namespaced). */
export const DEVICE_RESOURCES = {
  devices: { apiVersion: DEVICES_API_VERSION, plural: 'devices', kind: 'Device' },
  deviceModels: { apiVersion: DEVICES_API_VERSION, plural: 'devicemodels', kind: 'DeviceModel' },
  deviceStatuses: { apiVersion: DEVICES_API_VERSION, plural: 'devicestatuses', kind: 'DeviceStatus' },
} as const;

/** Free-form protocol or visitor settings (`configData`). */
export type CustomizedValue = Record<string, unknown>;

export interface TwinProperty {
  value?: string;
  metadata?: Record<string, string>;
}

export interface PushMethod {
  http?: { hostName?: string; port?: number; requestPath?: string; timeout?: number };
  mqtt?: { address?: string; topic?: string; qos?: number; retained?: boolean };
  otel?: { endpointURL?: string };
  dbMethod?: Record<string, unknown>;
}

export interface DeviceProperty {
  name?: string;
  desired?: TwinProperty;
  visitors?: { protocolName?: string; configData?: CustomizedValue };
  /** Milliseconds. */
  reportCycle?: number;
  /** Milliseconds. */
  collectCycle?: number;
  reportToCloud?: boolean;
  pushMethod?: PushMethod;
}

export interface DeviceMethod {
  name?: string;
  description?: string;
  propertyNames?: string[];
}

export interface DeviceSpec {
  deviceModelRef?: { name?: string };
  nodeName?: string;
  protocol?: { protocolName?: string; configData?: CustomizedValue };
  properties?: DeviceProperty[];
  methods?: DeviceMethod[];
  stateReport?: { reportToCloud?: boolean; reportCycle?: number };
}

export interface Device extends KubeObject {
  spec?: DeviceSpec;
  /** KubeEdge keeps reportToCloud/reportCycle here during the move to DeviceStatus. */
  status?: { reportToCloud?: boolean; reportCycle?: number; [field: string]: unknown };
}

export type PropertyType = 'INT' | 'FLOAT' | 'DOUBLE' | 'STRING' | 'BOOLEAN' | 'BYTES' | 'STREAM';

export interface ModelProperty {
  name?: string;
  description?: string;
  type?: PropertyType | string;
  accessMode?: 'ReadWrite' | 'ReadOnly' | string;
  minimum?: string;
  maximum?: string;
  unit?: string;
  visitors?: CustomizedValue;
}

export interface DeviceModel extends KubeObject {
  spec?: {
    protocol?: string;
    protocolConfigData?: CustomizedValue;
    properties?: ModelProperty[];
  };
}

export interface Twin {
  propertyName?: string;
  reported?: TwinProperty;
  observedDesired?: TwinProperty;
}

export interface DeviceStatusObject extends KubeObject {
  spec?: Record<string, never>;
  status?: {
    twins?: Twin[];
    state?: string;
    lastOnlineTime?: string;
    extensions?: Record<string, unknown>;
  };
}

/** `<namespace>/<name>`: KubeEdge's device id, also the middle of every device topic. */
export function deviceId(object: KubeObject): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}
