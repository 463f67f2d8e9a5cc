/**
 * The SDK end to end over real unix sockets and grpc-js: a mapper (memory driver) against an edgecore stand-in
 * that records what edgecore would get (edgecore itself is exercised by the devices end-to-end test).
 */
import { status, type ServiceError } from '@grpc/grpc-js';
import { existsSync } from 'node:fs';
import { DeviceMapperServiceClient } from '../../gen/kubeedge/dmi/v1beta1/api';
import { startHarness, sleep, type Harness } from './testing/harness';
import { MemoryDevice, memoryDriver } from './testing/memory-driver';
import { deviceProto, modelProto, type PropertyInput } from './testing/protos';

const model = modelProto('thermo-model', [
  { name: 'temperature', type: 'FLOAT', accessMode: 'ReadOnly', unit: 'Cel' },
  { name: 'setpoint', type: 'INT', accessMode: 'ReadWrite', minimum: '10', maximum: '30' },
  { name: 'switch', type: 'BOOLEAN', accessMode: 'ReadWrite' },
]);

function thermo(name: string, memory: string, properties?: PropertyInput[], extra: Partial<Parameters<typeof deviceProto>[0]> = {}) {
  return deviceProto({
    name,
    model: 'thermo-model',
    protocol: 'memory',
    protocolConfig: { device: memory },
    properties: properties ?? [
      { name: 'temperature', visitor: { key: 't', scale: 0.1 }, collectCycle: 100, reportCycle: 200 },
      { name: 'setpoint', visitor: { key: 'sp' }, desired: '21', collectCycle: 100, reportCycle: 200 },
      { name: 'switch', visitor: { key: 'sw' }, collectCycle: 100, reportCycle: 200 },
    ],
    ...extra,
  });
}

function memoryDevice(values: Record<string, number | boolean> = { t: 215, sp: 18, sw: false }): MemoryDevice {
  const device = new MemoryDevice();
  for (const [key, value] of Object.entries(values)) device.values.set(key, value);
  return device;
}

let harness: Harness<unknown, unknown> | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function start(options: Partial<Parameters<typeof startHarness>[0]> & { memory: Map<string, MemoryDevice> }): Promise<Harness<unknown, unknown>> {
  harness = (await startHarness({ driver: memoryDriver(options.memory), models: [model], ...options })) as Harness<unknown, unknown>;
  return harness;
}

const call = <Req, Res>(h: Harness<unknown, unknown>, method: (client: DeviceMapperServiceClient) => DeviceMapperServiceClient[keyof DeviceMapperServiceClient], request: Req) =>
  h.peer.call<Req, Res>(method(h.peer.mapper()) as never, request);

test('registers like a KubeEdge mapper and reports the devices edgecore hands back', async () => {
  const memory = new Map([['d1', memoryDevice()]]);
  const broken = thermo('broken', 'd1', [{ name: 'temperature', visitor: {} }]);
  const h = await start({ memory, devices: [broken, thermo('thermo-1', 'd1')] });

  const registration = h.peer.registrations[0]?.request;
  expect(registration?.withData).toBe(true);
  expect(registration?.mapper).toEqual({
    name: 'memory-mapper',
    version: 'v1.0.0',
    apiVersion: 'v1.0.0',
    protocol: 'memory',
    address: Buffer.from(h.config.socketPath),
    state: 'ok',
  });

  await h.peer.waitFor('a temperature report', () => h.peer.reported('thermo-1', 'temperature').length > 0);
  const report = h.peer.statusReports[0]?.request;
  expect(report?.deviceNamespace).toBe('default');
  // One ReportDeviceStatus per device and cycle carries every property of that cycle.
  expect(report?.reportedDevice?.twins.map((twin) => twin.propertyName).sort()).toEqual(['setpoint', 'switch', 'temperature']);
  const temperature = h.peer.reported('thermo-1', 'temperature')[0];
  expect(temperature?.value).toBe('21.5');
  expect(temperature?.metadata.type).toBe('float');
  expect(Number(temperature?.metadata.timestamp)).toBeGreaterThan(Date.now() - 5000);
  await h.peer.waitFor('state online', () => h.peer.states('thermo-1').includes('online'));
  // A device edgecore sends that cannot run is logged with why; the others run.
  expect(h.logged('device from edgecore cannot run')).toEqual([
    expect.objectContaining({ device: 'default/broken', error: 'device default/broken: spec.properties[0].visitors.configData.key: missing; name the value to read' }),
  ]);
});

test('waits for edgecore with back-off, logging it once, and registers when it comes up', async () => {
  const memory = new Map([['d1', memoryDevice()]]);
  const h = await start({ memory, devices: [thermo('thermo-1', 'd1')], edgecoreLateMs: 1200 });
  expect(h.peer.registrations).toHaveLength(1);
  expect(h.logged('edgecore is not reachable yet')).toHaveLength(1);
  expect(h.logged('registered with edgecore')).toHaveLength(1);
  await h.peer.waitFor('a report', () => h.peer.statusReports.length > 0);
});

test('collects every collectCycle and reports every reportCycle, only what reportToCloud asks', async () => {
  const memory = new Map([['d1', memoryDevice()]]);
  const h = await start({
    memory,
    devices: [
      thermo('thermo-1', 'd1', [
        { name: 'temperature', visitor: { key: 't' }, collectCycle: 100, reportCycle: 400 },
        { name: 'switch', visitor: { key: 'sw' }, collectCycle: 250, reportToCloud: false },
      ]),
    ],
  });
  const device = memory.get('d1') as MemoryDevice;
  const started = Date.now();
  await sleep(2000);
  const elapsed = Date.now() - started;
  const reads = (key: string) => device.reads.filter((read) => read.key === key && read.at >= started).length;
  // Lower bounds leave room for a loaded CI machine; upper bounds hold anyway (ticks never come early).
  expect(reads('t')).toBeGreaterThanOrEqual(Math.floor((elapsed / 100) * 0.7));
  expect(reads('t')).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 1);
  expect(reads('sw')).toBeGreaterThanOrEqual(Math.floor((elapsed / 250) * 0.7));
  expect(reads('sw')).toBeLessThanOrEqual(Math.ceil(elapsed / 250) + 1);
  const reports = h.peer.reported('thermo-1', 'temperature').filter((report) => report.at >= started);
  expect(reports.length).toBeGreaterThanOrEqual(Math.floor((elapsed / 400) * 0.7));
  expect(reports.length).toBeLessThanOrEqual(Math.ceil(elapsed / 400) + 1);
  // Successive reports are about one report cycle apart.
  const gaps = reports.slice(1).map((report, index) => report.at - (reports[index] as { at: number }).at);
  for (const gap of gaps) expect(gap).toBeGreaterThan(300);
  expect(h.peer.reported('thermo-1', 'switch')).toHaveLength(0);
});

test('writes desired values to ReadWrite properties, and again on UpdateDevice without reconnecting', async () => {
  const memory = new Map([['d1', memoryDevice()]]);
  const h = await start({ memory, devices: [thermo('thermo-1', 'd1')] });
  const device = memory.get('d1') as MemoryDevice;
  await h.peer.waitFor('setpoint 21 reported', () => h.peer.reported('thermo-1', 'setpoint').some((r) => r.value === '21' && r.observedDesired === '21'));
  expect(device.writes).toEqual([expect.objectContaining({ key: 'sp', value: 21 })]);

  // Writes take a while, as on a real device: the update and the collect tick must not both write the new value.
  device.writeDelayMs = 50;
  const updated = thermo('thermo-1', 'd1');
  updated.spec!.properties[1]!.desired = { value: '25', metadata: {} };
  updated.spec!.properties[2]!.desired = { value: 'true', metadata: {} };
  await call(h, (client) => client.updateDevice, { device: updated });
  await h.peer.waitFor('setpoint 25 reported', () => h.peer.reported('thermo-1', 'setpoint').some((r) => r.value === '25' && r.observedDesired === '25'));
  await h.peer.waitFor('switch true reported', () => h.peer.reported('thermo-1', 'switch').some((r) => r.value === 'true'));
  expect(device.values.get('sp')).toBe(25);
  expect(device.values.get('sw')).toBe(true);
  // Each new desired value is written once.
  expect(device.writes.map((w) => `${w.key}=${String(w.value)}`)).toEqual(['sp=21', 'sp=25', 'sw=true']);
  // Same connection settings: the device was not torn down.
  expect(device.connects).toBe(1);
  expect(device.closes).toBe(0);

  // New connection settings: the device reconnects on them.
  memory.set('d2', memoryDevice());
  await call(h, (client) => client.updateDevice, { device: thermo('thermo-1', 'd2') });
  await h.peer.waitFor('d2 connected', () => (memory.get('d2') as MemoryDevice).connects === 1);
  expect(device.closes).toBe(1);
});

test('refuses a desired value out of the model range or for a ReadOnly property, saying why, and writes nothing', async () => {
  const memory = new Map([['d1', memoryDevice()]]);
  const device = thermo('thermo-1', 'd1', [
    { name: 'temperature', visitor: { key: 't' }, desired: '30', collectCycle: 100 },
    { name: 'setpoint', visitor: { key: 'sp' }, desired: '45', collectCycle: 100 },
  ]);
  const h = await start({ memory, devices: [device] });
  await h.peer.waitFor('setpoint reported', () => h.peer.reported('thermo-1', 'setpoint').length > 0);
  await sleep(300);
  expect((memory.get('d1') as MemoryDevice).writes).toEqual([]);
  const [range] = h.logged("45 is above the model's maximum 30");
  expect(range).toMatchObject({ level: 'error', device: 'default/thermo-1', property: 'setpoint', desired: '45' });
  expect(range?.msg).toBe("desired value of property setpoint: 45 is above the model's maximum 30; the model allows 10 to 30; the value is not written");
  expect(h.logged('the property is ReadOnly in its model')).toHaveLength(1);
});

test('device states: unhealthy on timeouts, offline when the connection is lost, online again; other devices unaffected', async () => {
  const memory = new Map([
    ['d1', memoryDevice()],
    ['d2', memoryDevice()],
  ]);
  const h = await start({ memory, devices: [thermo('thermo-1', 'd1'), thermo('thermo-2', 'd2')] });
  await h.peer.waitFor('both online', () => h.peer.states('thermo-1').includes('online') && h.peer.states('thermo-2').includes('online'));
  const d1 = memory.get('d1') as MemoryDevice;

  d1.failReads = 'TIMEOUT';
  await h.peer.waitFor('thermo-1 unhealthy', () => h.peer.states('thermo-1').at(-1) === 'unhealthy');
  d1.failReads = undefined;
  await h.peer.waitFor('thermo-1 online again', () => h.peer.states('thermo-1').at(-1) === 'online');

  d1.refuseConnect = true;
  d1.failReads = 'DISCONNECTED';
  await h.peer.waitFor('thermo-1 offline', () => h.peer.states('thermo-1').at(-1) === 'offline');
  const reportsWhileOffline = h.peer.reported('thermo-2', 'temperature').length;
  await sleep(600);
  expect(h.peer.reported('thermo-2', 'temperature').length).toBeGreaterThan(reportsWhileOffline);
  d1.refuseConnect = false;
  d1.failReads = undefined;
  await h.peer.waitFor('thermo-1 reconnected and online', () => h.peer.states('thermo-1').at(-1) === 'online');

  expect(h.peer.states('thermo-2')).toEqual(['online']);
  // One line per streak: a failure is not logged on every read.
  expect(h.logged('cannot read property').filter((line) => line.device === 'default/thermo-1').length).toBeLessThanOrEqual(6);
  expect(h.logged('device state changed').filter((line) => line.to === 'unhealthy')).toHaveLength(1);
});

test('with stateReport.reportToCloud the state is also reported every stateReport cycle', async () => {
  const memory = new Map([['d1', memoryDevice()]]);
  const h = await start({ memory, devices: [thermo('thermo-1', 'd1', undefined, { stateReport: { reportToCloud: true, reportCycle: 200 } })] });
  await h.peer.waitFor('four state reports', () => h.peer.states('thermo-1').length >= 4, 3000);
  expect(new Set(h.peer.states('thermo-1'))).toEqual(new Set(['online']));
});

test('a device whose model has not arrived waits for CreateDeviceModel', async () => {
  const memory = new Map([['d1', memoryDevice()]]);
  const h = await start({ memory, models: [] });
  const response = await call(h, (client) => client.registerDevice, { device: thermo('thermo-1', 'd1') });
  expect(response).toEqual({ deviceName: 'thermo-1', deviceNamespace: 'default' });
  expect(h.logged('device waits for its model')).toHaveLength(1);
  expect((memory.get('d1') as MemoryDevice).connects).toBe(0);
  await call(h, (client) => client.createDeviceModel, { model });
  await h.peer.waitFor('a report after the model came', () => h.peer.reported('thermo-1', 'temperature').length > 0);
});

test('GetDevice returns the device with its latest readings; RemoveDevice stops it', async () => {
  const memory = new Map([['d1', memoryDevice()]]);
  const h = await start({ memory, devices: [thermo('thermo-1', 'd1')] });
  await h.peer.waitFor('a report', () => h.peer.reported('thermo-1', 'temperature').length > 0);
  const got = await call<unknown, { device: { name: string; status: { twins: { propertyName: string; reported: { value: string } }[] } } }>(
    h,
    (client) => client.getDevice,
    { deviceName: 'thermo-1', deviceNamespace: 'default' },
  );
  expect(got.device.name).toBe('thermo-1');
  expect(got.device.status.twins.find((twin) => twin.propertyName === 'temperature')?.reported.value).toBe('21.5');

  await call(h, (client) => client.removeDevice, { deviceName: 'thermo-1', deviceNamespace: 'default' });
  expect((memory.get('d1') as MemoryDevice).closes).toBe(1);
  const reads = (memory.get('d1') as MemoryDevice).reads.length;
  await sleep(300);
  expect((memory.get('d1') as MemoryDevice).reads.length).toBe(reads);
});

test('bad DMI calls get INVALID_ARGUMENT or NOT_FOUND naming the problem, and the mapper keeps serving', async () => {
  const memory = new Map([['d1', memoryDevice()]]);
  const h = await start({ memory, devices: [thermo('thermo-1', 'd1')] });
  const refused = async (method: (client: DeviceMapperServiceClient) => unknown, request: unknown): Promise<ServiceError> => {
    try {
      await call(h, method as never, request);
    } catch (error) {
      return error as ServiceError;
    }
    throw new Error('expected the call to fail');
  };

  let error = await refused((client) => client.registerDevice, {});
  expect([error.code, error.details]).toEqual([status.INVALID_ARGUMENT, 'device is missing; send RegisterDeviceRequest.device']);
  error = await refused((client) => client.registerDevice, { device: { ...thermo('x', 'd1'), name: '' } });
  expect([error.code, error.details]).toEqual([status.INVALID_ARGUMENT, 'device.name is empty; send the Device with its name']);

  const wrong = thermo('wrong', 'd1', [
    { name: 'temperature', visitor: { scale: 0 } },
    { name: 'humidity', visitor: { key: 'h' } },
  ]);
  wrong.spec!.protocol!.protocolName = 'modbus';
  error = await refused((client) => client.registerDevice, { device: wrong });
  expect(error.code).toBe(status.INVALID_ARGUMENT);
  expect(error.details).toContain('device default/wrong: 4 problems');
  expect(error.details).toContain('spec.protocol.protocolName: "modbus" is not this mapper\'s protocol; this mapper serves memory');
  expect(error.details).toContain('spec.properties[0].visitors.configData.key: missing; name the value to read');
  expect(error.details).toContain('spec.properties[0].visitors.configData.scale: must not be 0 (got 0)');
  expect(error.details).toContain('spec.properties[1].name: model thermo-model has no property humidity; its properties: temperature, setpoint, switch');

  error = await refused((client) => client.removeDevice, { deviceName: 'ghost', deviceNamespace: 'default' });
  expect([error.code, error.details]).toEqual([status.NOT_FOUND, 'device default/ghost is not served by this mapper']);
  error = await refused((client) => client.getDevice, { deviceName: '', deviceNamespace: 'default' });
  expect([error.code, error.details]).toEqual([status.INVALID_ARGUMENT, 'deviceName is empty; name the device']);
  error = await refused((client) => client.removeDeviceModel, { modelName: 'ghost', modelNamespace: 'default' });
  expect(error.code).toBe(status.NOT_FOUND);
  error = await refused((client) => client.createDeviceModel, { model: { name: '', namespace: 'default' } });
  expect(error.code).toBe(status.INVALID_ARGUMENT);

  // A refused update leaves the running device as it was.
  error = await refused((client) => client.updateDevice, { device: { ...thermo('thermo-1', 'd1'), spec: { ...thermo('thermo-1', 'd1').spec!, protocol: undefined } } });
  expect(error.code).toBe(status.INVALID_ARGUMENT);
  const before = h.peer.reported('thermo-1', 'temperature').length;
  await h.peer.waitFor('thermo-1 still reports', () => h.peer.reported('thermo-1', 'temperature').length > before);
});

test('reports refused by edgecore (rate limit) are logged once and sent again when it accepts them', async () => {
  const memory = new Map([['d1', memoryDevice()]]);
  const h = await start({ memory, devices: [thermo('thermo-1', 'd1')] });
  await h.peer.waitFor('a report', () => h.peer.statusReports.length > 0);
  h.peer.failWith = status.RESOURCE_EXHAUSTED;
  await sleep(800);
  const during = h.peer.statusReports.length;
  (memory.get('d1') as MemoryDevice).values.set('t', 300);
  h.peer.failWith = undefined;
  await h.peer.waitFor('the new value', () => h.peer.reported('thermo-1', 'temperature').some((report) => report.value === '30'));
  expect(h.peer.statusReports.length).toBeGreaterThan(during);
  // The peer records a report before the mapper has its answer: wait for the mapper's side.
  await h.waitForLog('edgecore accepts reports again');
  expect(h.logged('reports to edgecore fail')).toHaveLength(1);
  expect(h.logged('edgecore accepts reports again')).toHaveLength(1);
});

test('stopping reports every device offline and removes the socket', async () => {
  const memory = new Map([['d1', memoryDevice()]]);
  const h = await start({ memory, devices: [thermo('thermo-1', 'd1')] });
  await h.peer.waitFor('online', () => h.peer.states('thermo-1').includes('online'));
  await h.mapper.stop();
  expect(h.peer.states('thermo-1').at(-1)).toBe('offline');
  expect(existsSync(h.config.socketPath)).toBe(false);
  expect((memory.get('d1') as MemoryDevice).closes).toBe(1);
  await h.peer.stop();
  harness = undefined;
});
