/**
 * The Modbus mapper against a real Modbus TCP server nobody here wrote: Debian's pymodbus (its own server and
 * datastore), through the SDK, over real unix sockets to an edgecore stand-in.
 */
import { status } from '@grpc/grpc-js';
import { startHarness, sleep, type Harness } from '../sdk/testing/harness';
import { deviceProto, modelProto, type PropertyInput } from '../sdk/testing/protos';
import { modbusDriver, type ModbusProtocol, type ModbusVisitor } from './driver';
import { PymodbusServer } from './testing/pymodbus';

const VALUES = {
  co: { 0: 1, 1: 0 },
  di: { 0: 1 },
  hr: { 0: 215, 1: 18, 10: [0x41bc, 0x0000], 20: [0x0000, 0x41bc], 30: [0xbc41, 0x0000], 40: [0x0001, 0x86a0], 50: 0xfff6 },
  ir: { 0: 456, 5: [0x4f4b, 0x0000] },
};

const model = modelProto('plc-model', [
  { name: 'temperature', type: 'FLOAT', unit: 'Cel' },
  { name: 'setpoint', type: 'INT', accessMode: 'ReadWrite', minimum: '10', maximum: '30' },
  { name: 'pump', type: 'BOOLEAN', accessMode: 'ReadWrite' },
  { name: 'alarm', type: 'BOOLEAN' },
  { name: 'door', type: 'BOOLEAN' },
  { name: 'pressure', type: 'FLOAT' },
  { name: 'float', type: 'FLOAT' },
  { name: 'floatWordSwap', type: 'FLOAT' },
  { name: 'floatByteSwap', type: 'FLOAT' },
  { name: 'counter', type: 'INT' },
  { name: 'signed', type: 'INT' },
  { name: 'label', type: 'STRING' },
  { name: 'energy', type: 'DOUBLE', accessMode: 'ReadWrite' },
  { name: 'missing', type: 'INT' },
]);

const fast = { collectCycle: 200, reportCycle: 200 };
const PROPERTIES: PropertyInput[] = [
  { name: 'temperature', visitor: { register: 'HoldingRegister', offset: 0, limit: 1, scale: 0.1 }, ...fast },
  { name: 'setpoint', visitor: { register: 'HoldingRegister', offset: 1 }, desired: '25', ...fast },
  { name: 'pump', visitor: { register: 'CoilRegister', offset: 1 }, desired: 'true', ...fast },
  { name: 'alarm', visitor: { register: 'CoilRegister', offset: 0, limit: 1 }, ...fast },
  { name: 'door', visitor: { register: 'DiscreteInputRegister', offset: 0 }, ...fast },
  { name: 'pressure', visitor: { register: 'InputRegister', offset: 0, scale: 0.01 }, ...fast },
  { name: 'float', visitor: { register: 'HoldingRegister', offset: 10, limit: 2 }, ...fast },
  { name: 'floatWordSwap', visitor: { register: 'HoldingRegister', offset: 20, limit: 2, isRegisterSwap: true }, ...fast },
  { name: 'floatByteSwap', visitor: { register: 'HoldingRegister', offset: 30, limit: 2, isSwap: true }, ...fast },
  { name: 'counter', visitor: { register: 'HoldingRegister', offset: 40, limit: 2 }, ...fast },
  { name: 'signed', visitor: { register: 'HoldingRegister', offset: 50, dataType: 'int16' }, ...fast },
  { name: 'label', visitor: { register: 'InputRegister', offset: 5, limit: 2 }, ...fast },
  { name: 'energy', visitor: { register: 'HoldingRegister', offset: 60, limit: 4, isRegisterSwap: true }, desired: '1234.5', ...fast },
];

function plc(name: string, port: number, properties = PROPERTIES, timeout = 300) {
  return deviceProto({
    name,
    model: 'plc-model',
    protocol: 'modbus',
    protocolConfig: { ip: '127.0.0.1', port, slaveID: 1, timeout },
    properties,
    methods: properties === PROPERTIES ? [{ name: 'adjust', propertyNames: ['setpoint', 'pump'] }] : [],
  });
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(port?: number): Promise<PymodbusServer> {
  const started = await PymodbusServer.start({ values: VALUES, ...(port ? { port } : {}) });
  cleanups.push(() => started.stop());
  return started;
}

async function mapper(devices: ReturnType<typeof plc>[]): Promise<Harness<ModbusProtocol, ModbusVisitor>> {
  const harness = await startHarness({ driver: modbusDriver(), devices, models: [model], runner: { reconnect: { initialMs: 200, maxMs: 500 } } });
  cleanups.push(() => harness.stop());
  return harness;
}

const latest = (h: Harness<ModbusProtocol, ModbusVisitor>, device: string, property: string): string | undefined => h.peer.reported(device, property).at(-1)?.value;

test('reads coils, discrete inputs, holding and input registers with scale, byte and word order', async () => {
  const modbus = await server();
  const h = await mapper([plc('plc-1', modbus.port)]);
  await h.peer.waitFor('every property reported', () => PROPERTIES.every((property) => latest(h, 'plc-1', property.name) !== undefined), 8000);
  expect(Object.fromEntries(['temperature', 'alarm', 'door', 'pressure', 'float', 'floatWordSwap', 'floatByteSwap', 'counter', 'signed', 'label'].map((name) => [name, latest(h, 'plc-1', name)]))).toEqual({
    temperature: '21.5',
    alarm: 'true',
    door: 'true',
    pressure: '4.56',
    float: '23.5',
    floatWordSwap: '23.5',
    floatByteSwap: '23.5',
    counter: '100000',
    signed: '-10',
    label: 'OK',
  });
  // A value changed in the device shows in the next report.
  await modbus.set('hr', 0, [199]);
  await h.peer.waitFor('temperature 19.9', () => latest(h, 'plc-1', 'temperature') === '19.9');
  await h.peer.waitFor('online', () => h.peer.states('plc-1').at(-1) === 'online');
});

test('desired values are written to holding registers and coils; pymodbus holds them', async () => {
  const modbus = await server();
  const h = await mapper([plc('plc-1', modbus.port)]);
  await h.peer.waitFor('setpoint 25 and pump true reported', () => latest(h, 'plc-1', 'setpoint') === '25' && latest(h, 'plc-1', 'pump') === 'true', 8000);
  expect(await modbus.get('hr', 1)).toEqual([25]);
  expect(await modbus.get('co', 1)).toEqual([1]);
  // float64 1234.5 is 0x4093 4a00 0000 0000; isRegisterSwap stores its registers low word first.
  await h.peer.waitFor('energy reported', () => latest(h, 'plc-1', 'energy') === '1234.5');
  expect(await modbus.get('hr', 60, 4)).toEqual([0x0000, 0x0000, 0x4a00, 0x4093]);

  // Through the REST API, checked against the model's range first.
  const ok = await fetch(h.restUrl('/api/v1/devicemethod/default/plc-1/adjust/setpoint/12'));
  expect(ok.status).toBe(200);
  expect(await modbus.get('hr', 1)).toEqual([12]);
  const refused = await fetch(h.restUrl('/api/v1/devicemethod/default/plc-1/adjust/setpoint/31'));
  expect(refused.status).toBe(400);
  expect(await modbus.get('hr', 1)).toEqual([12]);
  const off = await fetch(h.restUrl('/api/v1/devicemethod/default/plc-1/adjust/pump/false'));
  expect(off.status).toBe(200);
  expect(await modbus.get('co', 1)).toEqual([0]);
});

test('a Modbus exception (address out of range) makes the device unhealthy with a clear log; other devices are unaffected', async () => {
  const modbus = await server();
  const good = PROPERTIES.slice(0, 1);
  const h = await mapper([
    plc('plc-bad', modbus.port, [...good, { name: 'missing', visitor: { register: 'HoldingRegister', offset: 150 }, ...fast }]),
    plc('plc-good', modbus.port, good),
  ]);
  await h.peer.waitFor('plc-bad unhealthy', () => h.peer.states('plc-bad').at(-1) === 'unhealthy', 5000);
  const [line] = h.logged('cannot read property').filter((entry) => entry.device === 'default/plc-bad');
  expect(line).toMatchObject({ level: 'warn', property: 'missing' });
  expect(line?.reason).toBe(`DEVICE_EXCEPTION: Modbus exception 2 (ILLEGAL DATA ADDRESS) reading HoldingRegister 150 from 127.0.0.1:${modbus.port} unit 1`);
  // The device's readable property is still reported, and the other device stays online.
  await h.peer.waitFor('plc-bad temperature', () => latest(h, 'plc-bad', 'temperature') === '21.5');
  await sleep(600);
  expect(h.peer.states('plc-good')).toEqual(['online']);
  expect(h.logged('cannot read property').filter((entry) => entry.device === 'default/plc-bad')).toHaveLength(1);
});

test('a device that stops answering times out (unhealthy), and is online again when it answers; other devices unaffected', async () => {
  const hung = await server();
  const other = await server();
  const h = await mapper([plc('plc-hung', hung.port, PROPERTIES.slice(0, 1)), plc('plc-other', other.port, PROPERTIES.slice(0, 1))]);
  await h.peer.waitFor('both online', () => h.peer.states('plc-hung').includes('online') && h.peer.states('plc-other').includes('online'));
  hung.pause();
  await h.peer.waitFor('plc-hung unhealthy', () => h.peer.states('plc-hung').includes('unhealthy'), 5000);
  expect(h.logged('cannot read property').find((entry) => entry.device === 'default/plc-hung')?.reason).toBe(
    `TIMEOUT: no answer reading HoldingRegister 0 from 127.0.0.1:${hung.port} unit 1 within 300 ms`,
  );
  const otherReports = h.peer.reported('plc-other', 'temperature').length;
  await sleep(1500);
  expect(h.peer.reported('plc-other', 'temperature').length).toBeGreaterThan(otherReports + 3);
  hung.resume();
  await h.peer.waitFor('plc-hung online again', () => h.peer.states('plc-hung').at(-1) === 'online', 8000);
  await hung.set('hr', 0, [222]);
  await h.peer.waitFor('fresh values from plc-hung', () => latest(h, 'plc-hung', 'temperature') === '22.2', 5000);
  expect(h.peer.states('plc-other')).toEqual(['online']);
});

test('a stopped server makes the device offline; restarted, the device reconnects', async () => {
  const first = await server();
  const h = await mapper([plc('plc-1', first.port, PROPERTIES.slice(0, 1))]);
  await h.peer.waitFor('online', () => h.peer.states('plc-1').includes('online'));
  await first.stop();
  await h.peer.waitFor('offline', () => h.peer.states('plc-1').at(-1) === 'offline', 5000);
  expect((await h.waitForLog('cannot connect to the device')).reason).toBe(`DISCONNECTED: no connection to 127.0.0.1:${first.port} unit 1 (ECONNREFUSED) while connecting`);
  const again = await server(first.port);
  await again.set('hr', 0, [300]);
  await h.peer.waitFor('online again with fresh values', () => h.peer.states('plc-1').at(-1) === 'online' && latest(h, 'plc-1', 'temperature') === '30', 8000);
});

test('configData mistakes are refused naming each field and the fix', async () => {
  const h = await mapper([]);
  const bad = deviceProto({
    name: 'bad',
    model: 'plc-model',
    protocol: 'modbus',
    protocolConfig: { serialPort: '/dev/ttyS0', port: 70000, slaveID: 300 },
    properties: [
      { name: 'temperature', visitor: { register: 'HoldingRegisters', offset: 1 } },
      { name: 'setpoint', visitor: { register: 'HoldingRegister' } },
      { name: 'counter', visitor: { register: 'HoldingRegister', offset: 4, limit: 3 } },
      { name: 'signed', visitor: { register: 'HoldingRegister', offset: 4, dataType: 'float32' } },
      { name: 'alarm', visitor: { register: 'CoilRegister', offset: 0, limit: 40, scale: 0 } },
    ],
  });
  const error = await h.peer.call(h.peer.mapper().registerDevice, { device: bad }).then(
    () => undefined,
    (failure: { code: number; details: string }) => failure,
  );
  expect(error?.code).toBe(status.INVALID_ARGUMENT);
  const expected = [
    'spec.protocol.configData.serialPort: serial Modbus (RTU) is not supported by this mapper (got "/dev/ttyS0"); use Modbus TCP: set ip and port',
    "spec.protocol.configData.ip: missing; write the device's IP address or host name, such as 192.168.1.10",
    'spec.protocol.configData.port: out of range (got 70000); write a whole number from 1 to 65535',
    'spec.protocol.configData.slaveID: out of range (got 300); write the unit (slave) id, a whole number from 0 to 255',
    'spec.properties[0].visitors.configData.register: not an allowed value (got "HoldingRegisters"); write one of CoilRegister, DiscreteInputRegister, HoldingRegister, InputRegister',
    'spec.properties[1].visitors.configData.offset: missing; write the zero-based address, a whole number from 0 to 65535',
    'spec.properties[2].visitors.configData.limit: 3 registers do not make a INT value (got 3); use 1, 2 or 4 registers, or set dataType',
    'spec.properties[3].visitors.configData.limit: float32 takes 2 registers (got 1); write limit: 2',
    'spec.properties[4].visitors.configData.limit: out of range (got 40); write how many bits to read, 1 to 32',
    'spec.properties[4].visitors.configData.scale: must not be 0 (got 0); write a number such as 0.1 (a register holding tenths)',
  ];
  for (const text of expected) expect(error?.details).toContain(text);
});
