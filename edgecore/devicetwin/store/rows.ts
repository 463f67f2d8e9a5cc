/** Records to table rows and back, in KubeEdge's column formats (meta and versions as JSON text). */
import type { Device, DeviceModel } from '../../../pkg/devices/api';
import { DEVICES_API_VERSION } from '../../../pkg/devices/api';
import type { TwinVersion } from '../../../pkg/devices/twin-json';
import { parseResourceVersion } from '../../../pkg/message';
import {
  newDevice,
  newTwin,
  type AttrRecord,
  type DeviceRecord,
  type ModelRecord,
  type TwinRecord,
  type TwinValueRecord,
} from '../state/types';

export interface DeviceRow {
  id: string;
  name: string;
  description: string | null;
  state: string | null;
  last_online: string | null;
  namespace: string;
  spec: string;
  resource_version: string | null;
  state_unsynced: number | boolean;
}

export interface TwinRow {
  deviceid: string;
  name: string;
  description: string | null;
  expected: string | null;
  actual: string | null;
  expected_meta: string | null;
  actual_meta: string | null;
  expected_version: string | null;
  actual_version: string | null;
  optional: number | boolean | null;
  attr_type: string | null;
  metadata: string | null;
  from_spec: number | boolean;
  unsynced: number | boolean;
}

export interface AttrRow {
  deviceid: string;
  name: string;
  description: string | null;
  value: string | null;
  optional: number | boolean | null;
  attr_type: string | null;
  metadata: string | null;
}

export interface ModelRow {
  id: string;
  spec: string;
  resource_version: string | null;
}

export const DEVICE_COLUMNS = ['id', 'name', 'description', 'state', 'last_online', 'namespace', 'spec', 'resource_version', 'state_unsynced'] as const;
export const TWIN_COLUMNS = [
  'deviceid',
  'name',
  'description',
  'expected',
  'actual',
  'expected_meta',
  'actual_meta',
  'expected_version',
  'actual_version',
  'optional',
  'attr_type',
  'metadata',
  'from_spec',
  'unsynced',
] as const;
export const ATTR_COLUMNS = ['deviceid', 'name', 'description', 'value', 'optional', 'attr_type', 'metadata'] as const;
export const MODEL_COLUMNS = ['id', 'spec', 'resource_version'] as const;

export function deviceRow(device: DeviceRecord): DeviceRow {
  return {
    id: device.id,
    name: device.name,
    description: device.description,
    state: device.state,
    last_online: device.lastOnline,
    namespace: device.namespace,
    spec: device.specJson,
    resource_version: device.resourceVersion?.toString() ?? null,
    state_unsynced: device.stateUnsyncedSeq > 0 ? 1 : 0,
  };
}

export function twinRow(deviceId: string, twin: TwinRecord): TwinRow {
  return {
    deviceid: deviceId,
    name: twin.name,
    description: '',
    expected: twin.expected?.value ?? null,
    actual: twin.actual?.value ?? null,
    expected_meta: twin.expected ? JSON.stringify({ timestamp: twin.expected.timestampMs }) : null,
    actual_meta: twin.actual ? JSON.stringify({ timestamp: twin.actual.timestampMs }) : null,
    expected_version: twin.expectedVersion ? JSON.stringify(twin.expectedVersion) : null,
    actual_version: twin.actualVersion ? JSON.stringify(twin.actualVersion) : null,
    optional: twin.optional ? 1 : 0,
    attr_type: twin.type,
    metadata: '{}',
    from_spec: twin.fromSpec ? 1 : 0,
    unsynced: twin.unsyncedSeq > 0 ? 1 : 0,
  };
}

export function attrRow(deviceId: string, attr: AttrRecord): AttrRow {
  return {
    deviceid: deviceId,
    name: attr.name,
    description: '',
    value: attr.value,
    optional: attr.optional ? 1 : 0,
    attr_type: attr.type,
    metadata: '{}',
  };
}

export function modelRow(model: ModelRecord): ModelRow {
  return { id: model.id, spec: model.specJson, resource_version: model.resourceVersion?.toString() ?? null };
}

/** A device as last stored; its object is rebuilt from the stored spec until metamanager's copy replaces it. */
export function deviceFromRow(row: DeviceRow): DeviceRecord {
  const spec = parseJson(row.spec) as Device['spec'];
  const object: Device = { apiVersion: DEVICES_API_VERSION, kind: 'Device', metadata: { namespace: row.namespace, name: row.name } };
  if (spec) object.spec = spec;
  const device = newDevice(row.namespace, row.name, object, row.spec);
  device.description = row.description ?? '';
  device.state = row.state ?? '';
  device.lastOnline = row.last_online ?? '';
  device.resourceVersion = parseResourceVersion(row.resource_version ?? undefined);
  device.syncedState = device.state;
  device.syncedLastOnline = device.lastOnline;
  if (truthy(row.state_unsynced)) {
    device.stateUnsyncedSeq = 1;
    device.persistedStateUnsynced = true;
  }
  return device;
}

export function twinFromRow(row: TwinRow): TwinRecord {
  const twin = newTwin(row.name, row.attr_type || 'string', truthy(row.from_spec), truthy(row.optional));
  twin.expected = valueOf(row.expected, row.expected_meta);
  twin.actual = valueOf(row.actual, row.actual_meta);
  twin.expectedVersion = versionOf(row.expected_version);
  twin.actualVersion = versionOf(row.actual_version);
  if (truthy(row.unsynced)) {
    twin.unsyncedSeq = 1;
    twin.persistedUnsynced = true;
  }
  return twin;
}

export function attrFromRow(row: AttrRow): AttrRecord {
  return { name: row.name, value: row.value ?? '', optional: truthy(row.optional), type: row.attr_type || 'string' };
}

export function modelFromRow(row: ModelRow): ModelRecord {
  const slash = row.id.indexOf('/');
  const object: DeviceModel = {
    apiVersion: DEVICES_API_VERSION,
    kind: 'DeviceModel',
    metadata: { namespace: row.id.slice(0, slash), name: row.id.slice(slash + 1) },
  };
  const spec = parseJson(row.spec) as DeviceModel['spec'];
  if (spec) object.spec = spec;
  return { id: row.id, object, specJson: row.spec, resourceVersion: parseResourceVersion(row.resource_version ?? undefined) };
}

function valueOf(value: string | null, meta: string | null): TwinValueRecord | undefined {
  if (value === null || value === '') return undefined;
  const timestamp = (parseJson(meta) as { timestamp?: unknown } | undefined)?.timestamp;
  return { value, timestampMs: typeof timestamp === 'number' ? timestamp : 0 };
}

function versionOf(text: string | null): TwinVersion | undefined {
  const value = parseJson(text) as { cloud?: unknown; edge?: unknown } | undefined;
  if (!value || typeof value !== 'object') return undefined;
  return { cloud: Number(value.cloud) || 0, edge: Number(value.edge) || 0 };
}

function parseJson(text: string | null | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function truthy(value: number | boolean | null | undefined): boolean {
  return value === true || value === 1;
}
