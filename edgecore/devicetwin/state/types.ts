/**
 * What devicetwin keeps in memory for each device (and writes to SQLite behind it): KubeEdge's device, attributes and
 * twins, plus the bookkeeping for syncing to the cloud. Everything is read and changed on the module's one event loop.
 */
import type { Device, DeviceModel } from '../../../pkg/devices/api';
import type { TwinVersion } from '../../../pkg/devices/twin-json';

/** Twin type of a twin that was deleted: KubeEdge keeps the row (and its versions) with this attr_type. */
export const DELETED = 'deleted';

export interface TwinValueRecord {
  value: string;
  /** When the edge took the value (ms since the epoch): `metadata.timestamp` in the JSON. */
  timestampMs: number;
}

export interface TwinRecord {
  readonly name: string;
  expected: TwinValueRecord | undefined;
  actual: TwinValueRecord | undefined;
  expectedVersion: TwinVersion | undefined;
  actualVersion: TwinVersion | undefined;
  /** An optional twin may be deleted by an app; twins from the Device spec are not optional. */
  optional: boolean;
  /** string, int, integer, float, double, boolean, or `deleted`. */
  type: string;
  /** The twin is one of the Device's spec.properties (so it goes when the property goes). */
  fromSpec: boolean;
  /** Change number of the newest change not yet sent to the cloud; 0 when the cloud has everything. */
  unsyncedSeq: number;
  /** When it was last handed to edgehub (ms); a disconnect soon after sends it again. */
  sentAtMs: number;
  /** The row on disk says unsynced; clearing the flag then needs a write. */
  persistedUnsynced: boolean;
}

export interface AttrRecord {
  readonly name: string;
  value: string;
  optional: boolean;
  type: string;
}

export interface DeviceRecord {
  /** `<namespace>/<name>`. */
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  description: string;
  /** Last reported state ('' before any). */
  state: string;
  /** RFC 3339 UTC of the last online/ok report ('' before any). */
  lastOnline: string;
  /** The Device as metamanager has it. */
  object: Device;
  /** Canonical JSON of object.spec: spec changes (not status or labels) reach the mappers. */
  specJson: string;
  /** metadata.resourceVersion of `object`; older notices are dropped. */
  resourceVersion: bigint | undefined;
  readonly attributes: Map<string, AttrRecord>;
  readonly twins: Map<string, TwinRecord>;
  /** As TwinRecord.unsyncedSeq, for the state. */
  stateUnsyncedSeq: number;
  stateSentAtMs: number;
  persistedStateUnsynced: boolean;
  /** lastOnline the cloud was last sent; a refresh of only lastOnline is sent at most every stateRefreshMs. */
  syncedLastOnline: string;
  syncedState: string;
}

export interface ModelRecord {
  /** `<namespace>/<name>`. */
  readonly id: string;
  object: DeviceModel;
  specJson: string;
  resourceVersion: bigint | undefined;
}

export function newTwin(name: string, type: string, fromSpec: boolean, optional: boolean): TwinRecord {
  return {
    name,
    expected: undefined,
    actual: undefined,
    expectedVersion: undefined,
    actualVersion: undefined,
    optional,
    type,
    fromSpec,
    unsyncedSeq: 0,
    sentAtMs: 0,
    persistedUnsynced: false,
  };
}

export function newDevice(namespace: string, name: string, object: Device, specJson: string): DeviceRecord {
  return {
    id: `${namespace}/${name}`,
    namespace,
    name,
    description: '',
    state: '',
    lastOnline: '',
    object,
    specJson,
    resourceVersion: undefined,
    attributes: new Map(),
    twins: new Map(),
    stateUnsyncedSeq: 0,
    stateSentAtMs: 0,
    persistedStateUnsynced: false,
    syncedLastOnline: '',
    syncedState: '',
  };
}

/** JSON with object keys sorted, so that two equal specs compare equal whatever order the cloud wrote them in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) sorted[key] = (v as Record<string, unknown>)[key];
    return sorted;
  });
}
