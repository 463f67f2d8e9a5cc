/**
 * What mappers send (DeviceManagerService requests) -> checked values and the twin JSON that devicetwin takes. Each
 * refusal is a DmiRequestError with INVALID_ARGUMENT whose message names the field, what is wrong and the fix.
 */
import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import type {
  MapperInfo,
  MapperRegisterRequest,
  ReportDeviceStatesRequest,
  ReportDeviceStatusRequest,
  TwinProperty,
} from '../../../gen/kubeedge/dmi/v1beta1/api';
import type { DeviceStateUpdate, DeviceTwinUpdate, MsgTwin } from '../../../pkg/devices/twin-json';
import { TWIN_NAME_PATTERN } from '../../../pkg/devices/twin-json';
import { DmiRequestError } from './errors';

/** Linux's sun_path holds 108 bytes, the terminating NUL included. */
export const MAX_SOCKET_PATH_BYTES = 107;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Protocol names go into logs, the database and metric labels: KubeEdge's are words such as modbus or opcua. */
const PROTOCOL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** A mapper as edgecore keeps it; `address` is the path of its DeviceMapperService socket. */
export interface MapperRecord {
  protocol: string;
  name: string;
  version: string;
  apiVersion: string;
  address: string;
  state: string;
}

export function mapperFromRequest(request: MapperRegisterRequest): MapperRecord {
  const mapper: MapperInfo | undefined = request.mapper;
  if (mapper === undefined) throw invalid('mapper is missing: send MapperInfo with name, protocol and address');
  if (mapper.name === '') throw invalid('mapper.name is empty: set it to the mapper\'s name, such as modbus-mapper');
  if (mapper.protocol === '') {
    throw invalid(`mapper.protocol of mapper ${mapper.name} is empty: set it to the protocol the mapper serves (the Devices' spec.protocol.protocolName)`);
  }
  if (!PROTOCOL_NAME.test(mapper.protocol)) {
    throw invalid(
      `mapper.protocol ${JSON.stringify(mapper.protocol)} of mapper ${mapper.name} is not a protocol name: use letters, digits, '.', '_' and '-' (at most 63), such as modbus`,
    );
  }
  return {
    protocol: mapper.protocol,
    name: mapper.name,
    version: mapper.version,
    apiVersion: mapper.apiVersion,
    address: socketAddress(mapper.address, mapper.name),
    state: mapper.state,
  };
}

/** MapperInfo.address: the bytes of a unix socket path (KubeEdge's mappers send it bare; `unix://` is accepted too). */
function socketAddress(bytes: Buffer, mapperName: string): string {
  const fix = 'set it to the absolute path of the mapper\'s gRPC socket, such as /etc/kubeedge/modbus.sock';
  if (bytes.length === 0) throw invalid(`mapper.address of mapper ${mapperName} is empty: ${fix}`);
  const text = bytes.toString('utf8');
  const path = text.startsWith('unix://') ? text.slice('unix://'.length) : text.startsWith('unix:') ? text.slice('unix:'.length) : text;
  if (text.includes('\u0000') || text.includes('\uFFFD') || !path.startsWith('/')) {
    throw invalid(`mapper.address ${JSON.stringify(text.slice(0, 200))} of mapper ${mapperName} is not an absolute socket path: ${fix}`);
  }
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    throw invalid(`mapper.address of mapper ${mapperName} is ${Buffer.byteLength(path)} bytes long; a unix socket path has at most ${MAX_SOCKET_PATH_BYTES}: use a shorter path`);
  }
  return path;
}

export interface TwinReport {
  namespace: string;
  name: string;
  update: DeviceTwinUpdate;
}

/**
 * A ReportDeviceStatus as the JSON an app would publish on `$hw/events/device/<ns>/<name>/twin/update` (KubeEdge's
 * dmiserver does the same): expected = observedDesired, actual = reported, each with the mapper's timestamp when it
 * sent one in metadata.timestamp. All twins of one report travel in one update.
 */
export function twinReport(request: ReportDeviceStatusRequest, nowMs: number): TwinReport {
  const { namespace, name } = deviceOf(request.deviceNamespace, request.deviceName);
  const reported = request.reportedDevice;
  if (reported === undefined) throw invalid(`reportedDevice of device ${namespace}/${name} is missing: send the twins in reportedDevice.twins`);
  if (reported.twins.length === 0) throw invalid(`reportedDevice.twins of device ${namespace}/${name} is empty: send at least one twin`);
  const twin: Record<string, MsgTwin> = {};
  reported.twins.forEach((t, i) => {
    const at = `reportedDevice.twins[${i}]`;
    if (t.propertyName === '') throw invalid(`${at}.propertyName of device ${namespace}/${name} is empty: set it to the property's name`);
    if (!TWIN_NAME_PATTERN.test(t.propertyName)) {
      throw invalid(
        `${at}.propertyName ${JSON.stringify(t.propertyName.slice(0, 200))} of device ${namespace}/${name} is not a twin name: use 1 to 128 of a-z A-Z 0-9 - _ . , : / @ #`,
      );
    }
    if (t.propertyName in twin) throw invalid(`${at}.propertyName ${t.propertyName} of device ${namespace}/${name} appears twice: report each twin once`);
    if (t.reported === undefined) throw invalid(`${at}.reported of device ${namespace}/${name} (property ${t.propertyName}) is missing: send the value read from the device`);
    const msg: MsgTwin = { actual: twinValue(t.reported, nowMs) };
    // An empty observedDesired means the mapper knows no desired value; writing "" would clear the desired one.
    if (t.observedDesired !== undefined && t.observedDesired.value !== '') msg.expected = twinValue(t.observedDesired, nowMs);
    twin[t.propertyName] = msg;
  });
  return { namespace, name, update: { event_id: randomUUID(), timestamp: nowMs, twin } };
}

export interface StateReport {
  namespace: string;
  name: string;
  update: DeviceStateUpdate;
}

/** A ReportDeviceStates as the JSON of `$hw/events/device/<ns>/<name>/state/update`. */
export function stateReport(request: ReportDeviceStatesRequest, nowMs: number): StateReport {
  const { namespace, name } = deviceOf(request.deviceNamespace, request.deviceName);
  if (request.state === '') throw invalid(`state of device ${namespace}/${name} is empty: send online, offline, ok, unknown or unhealthy`);
  return { namespace, name, update: { event_id: randomUUID(), timestamp: nowMs, state: request.state } };
}

function twinValue(property: TwinProperty, nowMs: number): NonNullable<MsgTwin['actual']> {
  const stamp = property.metadata['timestamp'];
  const timestamp = stamp !== undefined && /^\d{1,16}$/.test(stamp) ? Number(stamp) : nowMs;
  return { value: property.value, metadata: { timestamp } };
}

function deviceOf(namespace: string, name: string): { namespace: string; name: string } {
  if (name === '') throw invalid('deviceName is empty: set it to the Device\'s metadata.name');
  if (!DNS_SUBDOMAIN.test(name)) throw invalid(`deviceName ${JSON.stringify(name.slice(0, 300))} is not a Device name: use the Device's metadata.name`);
  if (namespace === '') throw invalid(`deviceNamespace of device ${name} is empty: set it to the Device's metadata.namespace`);
  if (!DNS_LABEL.test(namespace)) {
    throw invalid(`deviceNamespace ${JSON.stringify(namespace.slice(0, 100))} of device ${name} is not a namespace name: use the Device's metadata.namespace`);
  }
  return { namespace, name };
}

function invalid(message: string): DmiRequestError {
  return new DmiRequestError(status.INVALID_ARGUMENT, message);
}
