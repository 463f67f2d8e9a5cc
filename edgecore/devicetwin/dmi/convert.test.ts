import * as pb from '../../../gen/kubeedge/dmi/v1beta1/api';
import type { Device } from '../../../pkg/devices/api';
import { deviceFingerprint, toDmiDevice, toDmiModel } from '../../../pkg/dmi/convert';
import { modbusDevice, modbusModel } from './testing/fixtures';

const WRAPPER = 'type.googleapis.com/google.protobuf.';

/** An Any holding a wrapper, as KubeEdge's edgecore packs it: field 1 of the wrapper message. */
function any(type: string, bytes: number[]): { typeUrl: string; value: Buffer } {
  return { typeUrl: WRAPPER + type, value: Buffer.from(bytes) };
}
const str = (s: string) => any('StringValue', [10, s.length, ...Buffer.from(s)]);

describe('CRD -> DMI proto', () => {
  it('converts a Device field by field, packing configData in wrappers and taking the overrides', () => {
    const converted = toDmiDevice(modbusDevice());
    const scale = Buffer.alloc(4);
    scale.writeFloatLE(0.5);
    expect(converted).toEqual<pb.Device>({
      name: 'thermometer',
      namespace: 'default',
      spec: {
        deviceModelReference: 'thermometer-model',
        protocol: {
          protocolName: 'modbus',
          configData: { data: { ip: str('127.0.0.1'), port: any('Int32Value', [8, 0x9c, 0x27]), slaveID: any('Int32Value', [8, 1]) } },
        },
        properties: [
          {
            name: 'temperature',
            desired: { value: '30', metadata: { type: 'integer' } },
            visitors: {
              protocolName: 'modbus',
              configData: {
                data: {
                  isSwap: any('BoolValue', [8, 1]),
                  limit: any('Int32Value', [8, 1]),
                  offset: any('Int32Value', [8, 2]),
                  register: str('HoldingRegister'),
                  scale: any('FloatValue', [13, ...scale]),
                },
              },
            },
            reportCycle: 4000,
            collectCycle: 2000,
            reportToCloud: true,
            pushMethod: {
              http: undefined,
              mqtt: { address: 'mqtt://127.0.0.1:1883', topic: 'temperature', qos: 1, retained: false },
              dbMethod: undefined,
              otel: undefined,
              anomalyDetection: undefined,
            },
          },
        ],
        methods: [{ name: 'setTemperature', description: 'writes the set point', propertyNames: ['temperature'] }],
      },
      // From spec.stateReport (KubeEdge 1.23+).
      status: { twins: [], reportToCloud: true, reportCycle: 5000 },
    });
    // What goes on the wire decodes to the same thing (and in key order, so the bytes are stable).
    expect(pb.Device.decode(pb.Device.encode(converted).finish())).toEqual(JSON.parse(JSON.stringify(converted), revive));
  });

  it("matches field names without regard to case, as Go's encoding/json does (hostName -> hostname, TDEngine -> tdengine)", () => {
    const device = modbusDevice();
    device.spec!.properties![0]!.pushMethod = {
      http: { hostName: 'http://127.0.0.1', port: 8080, requestPath: '/data', timeout: 3 },
      dbMethod: {
        TDEngine: { TDEngineClientConfig: { addr: '127.0.0.1:6041', dbName: 'dev' } },
        influxdb2: { influxdb2ClientConfig: { url: 'http://i:8086', org: 'o', bucket: 'b' }, influxdb2DataConfig: { measurement: 'm', tag: { b: '2', a: 1 }, fieldKey: 'f' } },
        redis: { redisClientConfig: { addr: 'r:6379', db: 1, poolsize: 5, minIdleConns: 2 } },
        mysql: { mysqlClientConfig: { addr: 'db:3306', database: 'd', userName: 'u' } },
      },
      otel: { endpointURL: 'https://localhost:4318/v1/metrics' },
    };
    const push = toDmiDevice(device).spec!.properties[0]!.pushMethod!;
    expect(push.http).toEqual({ hostname: 'http://127.0.0.1', port: 8080, requestpath: '/data', timeout: 3 });
    expect(push.dbMethod).toEqual({
      tdengine: { tdEngineClientConfig: { addr: '127.0.0.1:6041', dbname: 'dev' } },
      influxdb2: {
        influxdb2ClientConfig: { url: 'http://i:8086', org: 'o', bucket: 'b' },
        influxdb2DataConfig: { measurement: 'm', tag: { a: '1', b: '2' }, fieldKey: 'f' },
      },
      redis: { redisClientConfig: { addr: 'r:6379', db: 1, poolsize: 5, minIdleConns: 2 } },
      mysql: { mysqlClientConfig: { addr: 'db:3306', database: 'd', userName: 'u' } },
    });
    expect(push.otel).toEqual({ endpointURL: 'https://localhost:4318/v1/metrics' });
  });

  it('keeps status from a Device written for older KubeEdge releases, and always sends status and protocol configData', () => {
    const device: Device = {
      metadata: { name: 'old', namespace: 'ns' },
      spec: { deviceModelRef: { name: 'm' }, protocol: { protocolName: 'virtual' } },
      status: { reportToCloud: true, reportCycle: 750, twins: [{ propertyName: 'p', reported: { value: '1', metadata: { timestamp: '5' } } }] },
    };
    expect(toDmiDevice(device)).toEqual<pb.Device>({
      name: 'old',
      namespace: 'ns',
      spec: { deviceModelReference: 'm', protocol: { protocolName: 'virtual', configData: { data: {} } }, properties: [], methods: [] },
      status: {
        reportToCloud: true,
        reportCycle: 750,
        twins: [{ propertyName: 'p', observedDesired: undefined, reported: { value: '1', metadata: { timestamp: '5' } } }],
      },
    });
  });

  it('converts a DeviceModel, with numbers written as text where the proto has strings', () => {
    const model = modbusModel();
    (model.spec!.properties![1] as Record<string, unknown>)['maximum'] = 5;
    expect(toDmiModel(model)).toEqual<pb.DeviceModel>({
      name: 'thermometer-model',
      namespace: 'default',
      spec: {
        properties: [
          { name: 'temperature', description: 'temperature in degree', type: 'INT', accessMode: 'ReadWrite', minimum: '1', maximum: '100', unit: 'degree' },
          { name: 'enabled', description: '', type: 'BOOLEAN', accessMode: 'ReadOnly', minimum: '', maximum: '5', unit: '' },
        ],
        commands: [],
      },
    });
  });

  it('gives one fingerprint to one spec whatever the key order, and another to a changed spec', () => {
    const a = modbusDevice();
    const b = modbusDevice();
    b.spec!.protocol!.configData = { slaveID: 1, port: 5020, ip: '127.0.0.1' };
    expect(deviceFingerprint(toDmiDevice(a))).toBe(deviceFingerprint(toDmiDevice(b)));
    b.spec!.properties![0]!.desired!.value = '31';
    expect(deviceFingerprint(toDmiDevice(a))).not.toBe(deviceFingerprint(toDmiDevice(b)));
  });

  it('survives garbage where objects are expected', () => {
    const device = { metadata: { name: 'x', namespace: 'y' }, spec: { properties: [null, 3, { name: 7, visitors: 'no' }], methods: 'no' } } as unknown as Device;
    const converted = toDmiDevice(device);
    expect(converted.spec!.properties.map((p) => p.name)).toEqual(['', '', '7']);
    expect(converted.spec!.methods).toEqual([]);
  });
});

/** JSON turns Buffers into {type, data}; turn them back for the comparison. */
function revive(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer') return Buffer.from((value as { data: number[] }).data);
  return value;
}
