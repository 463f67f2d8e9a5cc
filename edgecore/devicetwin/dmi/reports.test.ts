import { status } from '@grpc/grpc-js';
import { DmiRequestError } from './errors';
import { mapperFromRequest, stateReport, twinReport } from './reports';

function refusal(fn: () => unknown): { code: status; message: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof DmiRequestError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('not refused');
}

const info = { name: 'modbus-mapper', version: 'v1', apiVersion: 'v1beta1', protocol: 'modbus', address: Buffer.from('/etc/kubeedge/modbus.sock'), state: 'ok' };

describe('MapperRegister input', () => {
  it('takes the address bytes as the socket path, with or without unix://', () => {
    expect(mapperFromRequest({ withData: true, mapper: info })).toEqual({
      protocol: 'modbus',
      name: 'modbus-mapper',
      version: 'v1',
      apiVersion: 'v1beta1',
      address: '/etc/kubeedge/modbus.sock',
      state: 'ok',
    });
    expect(mapperFromRequest({ withData: true, mapper: { ...info, address: Buffer.from('unix:///run/m.sock') } }).address).toBe('/run/m.sock');
  });

  it.each([
    [{ withData: true }, /^mapper is missing/],
    [{ withData: true, mapper: { ...info, name: '' } }, /^mapper\.name is empty/],
    [{ withData: true, mapper: { ...info, protocol: '' } }, /^mapper\.protocol of mapper modbus-mapper is empty/],
    [{ withData: true, mapper: { ...info, protocol: 'mod bus/../' } }, /^mapper\.protocol "mod bus\/\.\.\/" of mapper modbus-mapper is not a protocol name/],
    [{ withData: true, mapper: { ...info, address: Buffer.alloc(0) } }, /^mapper\.address of mapper modbus-mapper is empty/],
    [{ withData: true, mapper: { ...info, address: Buffer.from('127.0.0.1:7777') } }, /^mapper\.address "127\.0\.0\.1:7777" of mapper modbus-mapper is not an absolute socket path/],
    [{ withData: true, mapper: { ...info, address: Buffer.from([0x2f, 0xff, 0xfe]) } }, /is not an absolute socket path/],
    [{ withData: true, mapper: { ...info, address: Buffer.from('/' + 'a'.repeat(120)) } }, /is 121 bytes long; a unix socket path has at most 107/],
  ])('refuses a bad MapperInfo (%#) with INVALID_ARGUMENT naming the field', (request, message) => {
    const r = refusal(() => mapperFromRequest(request as never));
    expect(r.code).toBe(status.INVALID_ARGUMENT);
    expect(r.message).toMatch(message);
  });
});

describe('ReportDeviceStatus -> twin update JSON', () => {
  it('sets expected from observedDesired and actual from reported, with the mapper timestamps', () => {
    const report = twinReport(
      {
        deviceName: 'thermometer',
        deviceNamespace: 'default',
        reportedDevice: {
          reportToCloud: true,
          reportCycle: 1000,
          twins: [
            { propertyName: 'temperature', observedDesired: { value: '30', metadata: {} }, reported: { value: '29', metadata: { timestamp: '1700000000123', type: 'integer' } } },
            { propertyName: 'enabled', observedDesired: { value: '', metadata: {} }, reported: { value: 'true', metadata: { timestamp: 'soon' } } },
          ],
        },
      },
      42,
    );
    expect(report).toEqual({
      namespace: 'default',
      name: 'thermometer',
      update: {
        event_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        timestamp: 42,
        twin: {
          temperature: { expected: { value: '30', metadata: { timestamp: 42 } }, actual: { value: '29', metadata: { timestamp: 1700000000123 } } },
          // No desired value known to the mapper: no expected, rather than clearing the desired value.
          enabled: { actual: { value: 'true', metadata: { timestamp: 42 } } },
        },
      },
    });
  });

  const twin = { propertyName: 'p', reported: { value: '1', metadata: {} } };
  it.each([
    [{ deviceNamespace: 'default', reportedDevice: { twins: [twin] } }, /^deviceName is empty/],
    [{ deviceName: 'Bad_Name', deviceNamespace: 'default', reportedDevice: { twins: [twin] } }, /^deviceName "Bad_Name" is not a Device name/],
    [{ deviceName: 'd', reportedDevice: { twins: [twin] } }, /^deviceNamespace of device d is empty/],
    [{ deviceName: 'd', deviceNamespace: 'a/b', reportedDevice: { twins: [twin] } }, /^deviceNamespace "a\/b" of device d is not a namespace name/],
    [{ deviceName: 'd', deviceNamespace: 'n' }, /^reportedDevice of device n\/d is missing/],
    [{ deviceName: 'd', deviceNamespace: 'n', reportedDevice: { twins: [] } }, /^reportedDevice\.twins of device n\/d is empty/],
    [{ deviceName: 'd', deviceNamespace: 'n', reportedDevice: { twins: [{ ...twin, propertyName: '' }] } }, /^reportedDevice\.twins\[0\]\.propertyName of device n\/d is empty/],
    [{ deviceName: 'd', deviceNamespace: 'n', reportedDevice: { twins: [{ ...twin, propertyName: 'a b' }] } }, /^reportedDevice\.twins\[0\]\.propertyName "a b" of device n\/d is not a twin name/],
    [{ deviceName: 'd', deviceNamespace: 'n', reportedDevice: { twins: [twin, twin] } }, /^reportedDevice\.twins\[1\]\.propertyName p of device n\/d appears twice/],
    [{ deviceName: 'd', deviceNamespace: 'n', reportedDevice: { twins: [{ propertyName: 'p' }] } }, /^reportedDevice\.twins\[0\]\.reported of device n\/d \(property p\) is missing/],
  ])('refuses a bad report (%#) with INVALID_ARGUMENT naming the field', (partial, message) => {
    const request = { deviceName: '', deviceNamespace: '', reportedDevice: undefined, ...partial };
    if (request.reportedDevice) Object.assign(request.reportedDevice, { reportToCloud: false, reportCycle: 0 });
    const r = refusal(() => twinReport(request as never, 1));
    expect(r.code).toBe(status.INVALID_ARGUMENT);
    expect(r.message).toMatch(message);
  });
});

describe('ReportDeviceStates -> state update JSON', () => {
  it('passes the state on as the JSON of .../state/update', () => {
    expect(stateReport({ deviceName: 'd', deviceNamespace: 'n', state: 'online' }, 7)).toEqual({
      namespace: 'n',
      name: 'd',
      update: { event_id: expect.any(String), timestamp: 7, state: 'online' },
    });
  });

  it('refuses a missing state or device', () => {
    expect(refusal(() => stateReport({ deviceName: 'd', deviceNamespace: 'n', state: '' }, 1)).message).toMatch(/^state of device n\/d is empty/);
    expect(refusal(() => stateReport({ deviceName: '', deviceNamespace: 'n', state: 'ok' }, 1)).message).toMatch(/^deviceName is empty/);
  });
});
