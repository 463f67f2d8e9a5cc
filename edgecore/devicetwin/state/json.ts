/**
 * The JSON devicetwin publishes, shaped exactly as KubeEdge's dttype builds it (facts §5.4): twins without versions
 * for apps (get result, update result, delta, document), with versions for the cloud (edge_updated), deleted twins
 * left out of gets and deltas.
 */
import type {
  DeviceStateToCloud,
  DeviceTwinDelta,
  DeviceTwinResult,
  EdgeDevice,
  MsgTwin,
} from '../../../pkg/devices/twin-json';
import type { TwinCode } from '../errors';
import { DELETED, type AttrRecord, type DeviceRecord, type TwinRecord } from './types';

export interface JsonOptions {
  /** expected_version / actual_version: only the cloud sees them. */
  readonly versions: boolean;
}

export function msgTwin(twin: TwinRecord, options: JsonOptions): MsgTwin {
  const out: MsgTwin = {};
  if (twin.expected) out.expected = { value: twin.expected.value, metadata: { timestamp: twin.expected.timestampMs } };
  if (twin.actual) out.actual = { value: twin.actual.value, metadata: { timestamp: twin.actual.timestampMs } };
  out.optional = twin.optional;
  out.metadata = { type: twin.type };
  if (options.versions) {
    if (twin.expectedVersion) out.expected_version = { ...twin.expectedVersion };
    if (twin.actualVersion) out.actual_version = { ...twin.actualVersion };
  }
  return out;
}

/** The twins of a device as apps see them: deleted ones left out, no versions. */
export function liveTwins(device: DeviceRecord): Record<string, MsgTwin> {
  const twins: Record<string, MsgTwin> = {};
  for (const twin of device.twins.values()) {
    if (twin.type !== DELETED) twins[twin.name] = msgTwin(twin, { versions: false });
  }
  return twins;
}

export function twinGetResult(device: DeviceRecord, eventId: string, nowMs: number): DeviceTwinResult {
  return { event_id: eventId, timestamp: nowMs, twin: liveTwins(device) };
}

export function errorResult(eventId: string, code: TwinCode, reason: string, nowMs: number): DeviceTwinResult {
  return { event_id: eventId, timestamp: nowMs, code, reason };
}

/**
 * `.../twin/update/delta`: every live twin with an expected value, and in `delta` those whose expected differs from
 * the actual; undefined when none differs (KubeEdge then publishes nothing).
 */
export function deltaOf(device: DeviceRecord, eventId: string, nowMs: number): DeviceTwinDelta | undefined {
  const twin: Record<string, MsgTwin> = {};
  const delta: Record<string, string> = {};
  for (const record of device.twins.values()) {
    if (record.type === DELETED || !record.expected) continue;
    if (record.expected.value !== record.actual?.value) delta[record.name] = record.expected.value;
    twin[record.name] = msgTwin(record, { versions: false });
  }
  return Object.keys(delta).length === 0 ? undefined : { event_id: eventId, timestamp: nowMs, twin, delta };
}

export function attributesOf(device: DeviceRecord): EdgeDevice['attributes'] {
  if (device.attributes.size === 0) return undefined;
  const out: NonNullable<EdgeDevice['attributes']> = {};
  for (const attr of device.attributes.values()) out[attr.name] = msgAttr(attr);
  return out;
}

export function msgAttr(attr: AttrRecord): { value: string; optional: boolean; metadata: { type: string } } {
  return { value: attr.value, optional: attr.optional, metadata: { type: attr.type } };
}

/** A device in membership answers: id, name and the omitempty fields; twins only when asked (membership/updated). */
export function edgeDevice(device: DeviceRecord, withTwins: boolean): EdgeDevice {
  const out: EdgeDevice = { id: device.id, name: device.name };
  if (device.description) out.description = device.description;
  if (device.state) out.state = device.state;
  if (device.lastOnline) out.last_online = device.lastOnline;
  const attributes = attributesOf(device);
  if (attributes) out.attributes = attributes;
  if (withTwins && device.twins.size > 0) out.twin = liveTwins(device);
  return out;
}

/** `.../state/update/result` and `.../state/get/result`: the device's name, state and last_online. */
export function stateResult(device: DeviceRecord, eventId: string, nowMs: number): object {
  const summary: Record<string, string> = { name: device.name };
  if (device.state) summary.state = device.state;
  if (device.lastOnline) summary.last_online = device.lastOnline;
  return { event_id: eventId, timestamp: nowMs, device: summary };
}

export function stateToCloud(device: DeviceRecord, eventId: string, nowMs: number): DeviceStateToCloud {
  return { event_id: eventId, timestamp: nowMs, device: { name: device.name, state: device.state, lastOnlineTime: device.lastOnline } };
}
