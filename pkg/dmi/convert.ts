/**
 * Device and DeviceModel CRD JSON -> DMI v1beta1 proto, as KubeEdge's dtcommon.ConvertDevice / ConvertDeviceModel do
 * it (facts §1.3): a JSON round trip (Go's encoding/json matches field names without regard to case, so the CRD's
 * `hostName` fills the proto's `hostname`), then explicit overrides: name and namespace from metadata,
 * deviceModelReference from spec.deviceModelRef.name, status.reportCycle/reportToCloud from spec.stateReport, and every
 * configData map (protocol, visitors, anomalyDetection) packed as google.protobuf.Any wrappers.
 *
 * Maps are written in key order so that one spec always encodes to the same bytes (see fingerprint).
 */
import type { Device, DeviceModel } from '../devices/api';
import { encodeAnyMap } from './any-values';
import * as pb from '../../gen/kubeedge/dmi/v1beta1/api';

type Json = Record<string, unknown>;

/** `<namespace>/<name>` of a device or model. */
export function objectId(object: { metadata?: { namespace?: string; name?: string } }): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

/** The protocol whose mapper serves a device: spec.protocol.protocolName ('' when unset). */
export function deviceProtocol(device: Device): string {
  return device.spec?.protocol?.protocolName ?? '';
}

/** The id of the model a device refers to (models live in the device's namespace), or undefined when it names none. */
export function deviceModelId(device: Device): string | undefined {
  const name = device.spec?.deviceModelRef?.name;
  return name ? `${device.metadata?.namespace ?? ''}/${name}` : undefined;
}

export function toDmiDevice(device: Device): pb.Device {
  const spec = (device.spec ?? {}) as Json;
  const properties = Array.isArray(spec['properties']) ? (spec['properties'] as unknown[]) : [];
  const methods = Array.isArray(spec['methods']) ? (spec['methods'] as unknown[]) : [];
  const protocol = objectAt(spec, 'protocol');
  return {
    name: device.metadata?.name ?? '',
    namespace: device.metadata?.namespace ?? '',
    spec: {
      deviceModelReference: device.spec?.deviceModelRef?.name ?? '',
      // Always present, with an empty map at least: mappers built on KubeEdge's framework read configData.data
      // without checking that configData is set.
      protocol: { protocolName: text(field(protocol, 'protocolName')), configData: customized(field(protocol, 'configData')) },
      properties: properties.map((p) => deviceProperty(asObject(p))),
      methods: methods.map((m) => deviceMethod(asObject(m))),
    },
    status: deviceStatus(device),
  };
}

export function toDmiModel(model: DeviceModel): pb.DeviceModel {
  const spec = (model.spec ?? {}) as Json;
  const properties = Array.isArray(spec['properties']) ? (spec['properties'] as unknown[]) : [];
  const commands = Array.isArray(spec['commands']) ? (spec['commands'] as unknown[]) : [];
  return {
    name: model.metadata?.name ?? '',
    namespace: model.metadata?.namespace ?? '',
    spec: {
      properties: properties.map((p) => modelProperty(asObject(p))),
      commands: commands.map((c) => deviceCommand(asObject(c))),
    },
  };
}

/** Identical for two specs that convert to the same proto: the encoded bytes, base64. */
export function deviceFingerprint(device: pb.Device): string {
  return Buffer.from(pb.Device.encode(device).finish()).toString('base64');
}

export function modelFingerprint(model: pb.DeviceModel): string {
  return Buffer.from(pb.DeviceModel.encode(model).finish()).toString('base64');
}

function deviceProperty(p: Json): pb.DeviceProperty {
  const desired = field(p, 'desired');
  const visitors = field(p, 'visitors');
  const push = field(p, 'pushMethod');
  return {
    name: text(field(p, 'name')),
    desired: isObject(desired) ? twinProperty(desired) : undefined,
    visitors: isObject(visitors)
      ? { protocolName: text(field(visitors, 'protocolName')), configData: customized(field(visitors, 'configData')) }
      : undefined,
    reportCycle: integer(field(p, 'reportCycle')),
    collectCycle: integer(field(p, 'collectCycle')),
    reportToCloud: flag(field(p, 'reportToCloud')),
    pushMethod: isObject(push) ? pushMethod(push) : undefined,
  };
}

function deviceMethod(m: Json): pb.DeviceMethod {
  const names = field(m, 'propertyNames');
  return {
    name: text(field(m, 'name')),
    description: text(field(m, 'description')),
    propertyNames: Array.isArray(names) ? names.map(text) : [],
  };
}

/** spec.stateReport wins (KubeEdge 1.23+); a Device written for older releases keeps them in status. */
function deviceStatus(device: Device): pb.DeviceStatus {
  const status = (device.status ?? {}) as Json;
  const report = device.spec?.stateReport ?? {};
  const twins = Array.isArray(status['twins']) ? (status['twins'] as unknown[]) : [];
  return {
    twins: twins.map((t) => {
      const twin = asObject(t);
      const observed = field(twin, 'observedDesired');
      const reported = field(twin, 'reported');
      return {
        propertyName: text(field(twin, 'propertyName')),
        observedDesired: isObject(observed) ? twinProperty(observed) : undefined,
        reported: isObject(reported) ? twinProperty(reported) : undefined,
      };
    }),
    reportToCloud: flag(report.reportToCloud ?? field(status, 'reportToCloud')),
    reportCycle: integer(report.reportCycle ?? field(status, 'reportCycle')),
  };
}

function modelProperty(p: Json): pb.ModelProperty {
  return {
    name: text(field(p, 'name')),
    description: text(field(p, 'description')),
    type: text(field(p, 'type')),
    accessMode: text(field(p, 'accessMode')),
    minimum: text(field(p, 'minimum')),
    maximum: text(field(p, 'maximum')),
    unit: text(field(p, 'unit')),
  };
}

function deviceCommand(c: Json): pb.DeviceCommand {
  const codes = field(c, 'statusCode') ?? field(c, 'status_code');
  const parameters = field(c, 'parameters');
  const response = field(c, 'response');
  return {
    name: text(field(c, 'name')),
    url: text(field(c, 'url')),
    method: text(field(c, 'method')),
    statusCode: Array.isArray(codes) ? codes.map(text) : [],
    parameters: Array.isArray(parameters) ? parameters.map(text) : [],
    // Go's encoding/json carries []byte as base64 text.
    response: typeof response === 'string' ? Buffer.from(response, 'base64') : Buffer.alloc(0),
  };
}

function twinProperty(t: Json): pb.TwinProperty {
  return { value: text(field(t, 'value')), metadata: stringMap(field(t, 'metadata')) };
}

function pushMethod(p: Json): pb.PushMethod {
  const http = field(p, 'http');
  const mqtt = field(p, 'mqtt');
  const otel = field(p, 'otel');
  const db = field(p, 'dbMethod');
  const anomaly = field(p, 'anomalyDetection');
  return {
    http: isObject(http)
      ? {
          hostname: text(field(http, 'hostname')),
          port: integer(field(http, 'port')),
          requestpath: text(field(http, 'requestpath')),
          timeout: integer(field(http, 'timeout')),
        }
      : undefined,
    mqtt: isObject(mqtt)
      ? {
          address: text(field(mqtt, 'address')),
          topic: text(field(mqtt, 'topic')),
          qos: integer(field(mqtt, 'qos')),
          retained: flag(field(mqtt, 'retained')),
        }
      : undefined,
    dbMethod: isObject(db) ? dbMethod(db) : undefined,
    otel: isObject(otel) ? { endpointURL: text(field(otel, 'endpointURL')) } : undefined,
    anomalyDetection: isObject(anomaly) ? { data: anyMap(anomaly) } : undefined,
  };
}

function dbMethod(db: Json): pb.DBMethod {
  const influx = objectAt(db, 'influxdb2');
  const redis = objectAt(db, 'redis');
  const tdengine = objectAt(db, 'tdengine');
  const mysql = objectAt(db, 'mysql');
  const influxClient = objectAt(influx, 'influxdb2ClientConfig');
  const influxData = objectAt(influx, 'influxdb2DataConfig');
  const redisClient = objectAt(redis, 'redisClientConfig');
  const tdClient = objectAt(tdengine, 'tdEngineClientConfig');
  const mysqlClient = objectAt(mysql, 'mysqlClientConfig');
  return {
    influxdb2: isObject(field(db, 'influxdb2'))
      ? {
          influxdb2ClientConfig: isObject(field(influx, 'influxdb2ClientConfig'))
            ? { url: text(field(influxClient, 'url')), org: text(field(influxClient, 'org')), bucket: text(field(influxClient, 'bucket')) }
            : undefined,
          influxdb2DataConfig: isObject(field(influx, 'influxdb2DataConfig'))
            ? {
                measurement: text(field(influxData, 'measurement')),
                tag: stringMap(field(influxData, 'tag')),
                fieldKey: text(field(influxData, 'fieldKey')),
              }
            : undefined,
        }
      : undefined,
    redis: isObject(field(db, 'redis'))
      ? {
          redisClientConfig: isObject(field(redis, 'redisClientConfig'))
            ? {
                addr: text(field(redisClient, 'addr')),
                db: integer(field(redisClient, 'db')),
                poolsize: integer(field(redisClient, 'poolsize')),
                minIdleConns: integer(field(redisClient, 'minIdleConns')),
              }
            : undefined,
        }
      : undefined,
    tdengine: isObject(field(db, 'tdengine'))
      ? {
          tdEngineClientConfig: isObject(field(tdengine, 'tdEngineClientConfig'))
            ? { addr: text(field(tdClient, 'addr')), dbname: text(field(tdClient, 'dbname')) }
            : undefined,
        }
      : undefined,
    mysql: isObject(field(db, 'mysql'))
      ? {
          mysqlClientConfig: isObject(field(mysql, 'mysqlClientConfig'))
            ? {
                addr: text(field(mysqlClient, 'addr')),
                database: text(field(mysqlClient, 'database')),
                userName: text(field(mysqlClient, 'userName')),
              }
            : undefined,
        }
      : undefined,
  };
}

function customized(value: unknown): pb.CustomizedValue {
  return { data: isObject(value) ? anyMap(value) : {} };
}

function anyMap(value: Json): { [key: string]: pb.CustomizedValue['data'][string] } {
  return encodeAnyMap(sortedEntries(value));
}

function stringMap(value: unknown): { [key: string]: string } {
  if (!isObject(value)) return {};
  const out: { [key: string]: string } = {};
  for (const [key, v] of Object.entries(sortedEntries(value))) out[key] = text(v);
  return out;
}

function sortedEntries(value: Json): Json {
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** A field by its exact name, else by a name that differs only in case (Go's encoding/json does the same). */
function field(object: Json | undefined, name: string): unknown {
  if (object === undefined) return undefined;
  if (name in object) return object[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(object)) if (key.toLowerCase() === lower) return object[key];
  return undefined;
}

function objectAt(object: Json | undefined, name: string): Json | undefined {
  const value = field(object, name);
  return isObject(value) ? value : undefined;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asObject(value: unknown): Json {
  return isObject(value) ? value : {};
}

/** Strings as they are; numbers and booleans as their text (a CRD may hold `minimum: 0`); anything else ''. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return '';
}

function integer(value: unknown): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? Math.trunc(n) : 0;
}

function flag(value: unknown): boolean {
  return value === true;
}
