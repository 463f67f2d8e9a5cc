/**
 * A twin update from the edge (an app on MQTT, or a mapper through DMI): KubeEdge's "rest" deal type. The whole update
 * is checked before anything changes, so a refused update changes nothing. Accepted values bump the edge half of the
 * twin's version (facts §5.4). A value equal to the stored one is not a change: a mapper that reports the same reading
 * every second costs no write, no document and no message to the cloud.
 *
 * Versions in the request are optional (KubeEdge's apps never send them). When an app sends one, it is a
 * compare-and-set: a version behind the stored one (cloud or edge half smaller) means the app changed a twin it had
 * not seen the latest of, and the update is refused with 409.
 */
import type { MsgTwin, TwinVersion } from '../../../pkg/devices/twin-json';
import { badRequest, conflict, notFound } from '../errors';
import { msgTwin } from './json';
import type { TwinPatch, TwinUpdateRequest } from './requests';
import { DELETED, newTwin, type DeviceRecord, type TwinRecord } from './types';
import { valueProblem } from './values';

export interface TwinDocumentEntry {
  last: MsgTwin | null;
  current: MsgTwin | null;
}

export interface TwinChanges {
  /** For `.../twin/update/result`: what changed in each twin (null: deleted). */
  readonly result: Record<string, MsgTwin | null>;
  /** For `.../twin/update/document`. */
  readonly document: Record<string, TwinDocumentEntry>;
  /** Twins whose row changed (deleted ones included): to write, and to send to the cloud. */
  readonly changed: string[];
}

export function emptyChanges(): TwinChanges {
  return { result: {}, document: {}, changed: [] };
}

/** Checks then applies `request` to `device`; throws a TwinError (and changes nothing) when any twin is refused. */
export function applyEdgeUpdate(device: DeviceRecord, request: TwinUpdateRequest, nowMs: number): TwinChanges {
  for (const patch of request.patches) check(device, patch);
  const changes = emptyChanges();
  for (const patch of request.patches) {
    if (patch.remove) removeTwin(device, patch, changes);
    else writeTwin(device, patch, nowMs, changes);
  }
  return changes;
}

function check(device: DeviceRecord, patch: TwinPatch): void {
  const field = `twin.${patch.name}`;
  const twin = device.twins.get(patch.name);
  if (patch.remove) {
    if (!twin) throw notFound(`${field}: device ${device.id} has no twin ${patch.name} to delete`);
    if (twin.type === DELETED) return;
    if (!twin.optional) {
      const why = twin.fromSpec
        ? "it is one of the Device's spec.properties; remove the property from the Device in the cloud"
        : 'it was made not optional';
      throw badRequest(`${field}: cannot be deleted: ${why}`);
    }
  } else {
    const type = twin && twin.type !== DELETED ? twin.type : (patch.type ?? 'string');
    for (const [part, value] of [['expected', patch.expected], ['actual', patch.actual]] as const) {
      if (value === undefined) continue;
      const problem = valueProblem(type, value);
      if (problem) throw badRequest(`${field}.${part}.value: ${problem}`);
    }
  }
  checkVersion(`${field}.expected_version`, patch.expectedVersion, twin?.expectedVersion);
  checkVersion(`${field}.actual_version`, patch.actualVersion, twin?.actualVersion);
}

function checkVersion(field: string, given: TwinVersion | undefined, stored: TwinVersion | undefined): void {
  if (!given || !stored) return;
  if (given.cloud < stored.cloud || given.edge < stored.edge) {
    throw conflict(
      `${field}: ${JSON.stringify(given)} is behind the stored ${JSON.stringify(stored)}; the twin changed since you read ` +
        'it: get it again and retry',
    );
  }
}

function bumpEdge(version: TwinVersion | undefined): TwinVersion {
  return { cloud: version?.cloud ?? 0, edge: (version?.edge ?? 0) + 1 };
}

function removeTwin(device: DeviceRecord, patch: TwinPatch, changes: TwinChanges): void {
  const twin = device.twins.get(patch.name)!;
  if (twin.type === DELETED) return;
  const last = msgTwin(twin, { versions: false });
  twin.expected = undefined;
  twin.actual = undefined;
  // A half that never had a value has no version to move on (as KubeEdge).
  if (twin.expectedVersion) twin.expectedVersion = bumpEdge(twin.expectedVersion);
  if (twin.actualVersion) twin.actualVersion = bumpEdge(twin.actualVersion);
  twin.type = DELETED;
  changes.result[patch.name] = null;
  changes.document[patch.name] = { last, current: null };
  changes.changed.push(patch.name);
}

function writeTwin(device: DeviceRecord, patch: TwinPatch, nowMs: number, changes: TwinChanges): void {
  let twin = device.twins.get(patch.name);
  let created = false;
  let last: MsgTwin | null = null;
  if (!twin) {
    twin = newTwin(patch.name, patch.type ?? 'string', false, patch.optional ?? true);
    device.twins.set(patch.name, twin);
    created = true;
  } else if (twin.type === DELETED) {
    twin.type = patch.type ?? 'string';
    created = true;
  } else {
    last = msgTwin(twin, { versions: false });
  }
  const result: MsgTwin = {};
  let changed = created;
  if (patch.expected !== undefined && patch.expected !== twin.expected?.value) {
    twin.expected = { value: patch.expected, timestampMs: nowMs };
    twin.expectedVersion = bumpEdge(twin.expectedVersion);
    result.expected = { value: patch.expected, metadata: { timestamp: nowMs } };
    changed = true;
  }
  if (patch.actual !== undefined && patch.actual !== twin.actual?.value) {
    twin.actual = { value: patch.actual, timestampMs: nowMs };
    twin.actualVersion = bumpEdge(twin.actualVersion);
    result.actual = { value: patch.actual, metadata: { timestamp: nowMs } };
    changed = true;
  }
  // As KubeEdge: a twin may become required, never optional again.
  if (patch.optional === false && twin.optional) {
    twin.optional = false;
    changed = true;
  }
  if (!changed) return;
  const current = msgTwin(twin, { versions: false });
  changes.result[patch.name] = created ? current : { ...result, optional: twin.optional, metadata: { type: twin.type } };
  changes.document[patch.name] = { last, current };
  changes.changed.push(patch.name);
}

/** For tests and the cloud side: whether a twin is live (not deleted). */
export function isLive(twin: TwinRecord | undefined): twin is TwinRecord {
  return twin !== undefined && twin.type !== DELETED;
}
