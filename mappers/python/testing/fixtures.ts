/** The devices and models the Python mapper's tests send, as edgecore would (configData packed by pkg/dmi). */
import { encodeAnyMap } from '../../../pkg/dmi/any-values';
import { Device, DeviceModel, type DeviceProperty } from '../../../gen/kubeedge/dmi/v1beta1/api';

export const PROTOCOL = 'python-sim';

/** A thermometer: a sine temperature, a writable setpoint (5..30), a constant label, an unreported humidity. */
export const thermometerModel = (): DeviceModel =>
  DeviceModel.fromPartial({
    name: 'thermometer',
    namespace: 'plant',
    spec: {
      properties: [
        { name: 'temperature', type: 'FLOAT', accessMode: 'ReadOnly', unit: 'C' },
        { name: 'setpoint', type: 'FLOAT', accessMode: 'ReadWrite', minimum: '5', maximum: '30', unit: 'C' },
        { name: 'label', type: 'STRING', accessMode: 'ReadOnly' },
        { name: 'humidity', type: 'INT', accessMode: 'ReadOnly' },
      ],
    },
  });

export function thermometer(setpoint: string, overrides: Partial<Device> = {}): Device {
  const visitor = (configData: Record<string, unknown>) => ({
    protocolName: PROTOCOL,
    configData: { data: encodeAnyMap(configData) },
  });
  const properties: Partial<DeviceProperty>[] = [
    // base a float (FloatValue), amplitude an int (Int32Value), periodMs an int64 (Int64Value).
    {
      name: 'temperature',
      visitors: visitor({ signal: 'sine', base: 20.5, amplitude: 5, periodMs: 2000n }),
      reportCycle: 200,
      collectCycle: 100,
      reportToCloud: true,
    },
    {
      name: 'setpoint',
      desired: { value: setpoint, metadata: { type: 'float' } },
      visitors: visitor({ signal: 'setpoint' }),
      reportCycle: 200,
      reportToCloud: true,
    },
    { name: 'label', visitors: visitor({ signal: 'constant', value: 'lab-1' }), reportCycle: 400, reportToCloud: true },
    { name: 'humidity', visitors: visitor({ signal: 'constant', value: 40 }), reportCycle: 200, reportToCloud: false },
  ];
  return Device.fromPartial({
    name: 'thermo-1',
    namespace: 'plant',
    spec: {
      deviceModelReference: 'thermometer',
      protocol: {
        protocolName: PROTOCOL,
        configData: { data: encodeAnyMap({ serial: 'T-1001', channel: 3, simulated: true }) },
      },
      properties,
    },
    ...overrides,
  });
}

/** Sent in the MapperRegister answer: a switch with a writable power and a constant counter. */
export const switchModel = (): DeviceModel =>
  DeviceModel.fromPartial({
    name: 'switch',
    namespace: 'default',
    spec: {
      properties: [
        { name: 'power', type: 'BOOLEAN', accessMode: 'ReadWrite' },
        { name: 'count', type: 'INT', accessMode: 'ReadOnly' },
      ],
    },
  });

export const switchDevice = (): Device =>
  Device.fromPartial({
    name: 'switch-1',
    namespace: 'default',
    spec: {
      deviceModelReference: 'switch',
      protocol: { protocolName: PROTOCOL },
      properties: [
        { name: 'power', desired: { value: 'true' }, reportCycle: 300, reportToCloud: true },
        {
          name: 'count',
          visitors: { protocolName: PROTOCOL, configData: { data: encodeAnyMap({ signal: 'constant', value: 7n }) } },
          reportCycle: 300,
          reportToCloud: true,
        },
      ],
    },
    status: { reportToCloud: true, reportCycle: 500 },
  });
