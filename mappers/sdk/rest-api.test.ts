/** The REST API over real HTTP, on a mapper with KubeEdge's paths. */
import { startHarness, type Harness } from './testing/harness';
import { MemoryDevice, memoryDriver } from './testing/memory-driver';
import { deviceProto, modelProto } from './testing/protos';

const model = modelProto('thermo-model', [
  { name: 'temperature', type: 'FLOAT', accessMode: 'ReadOnly' },
  { name: 'setpoint', type: 'INT', accessMode: 'ReadWrite', minimum: '10', maximum: '30' },
]);
const device = deviceProto({
  name: 'thermo-1',
  model: 'thermo-model',
  protocol: 'memory',
  protocolConfig: { device: 'd1' },
  properties: [
    { name: 'temperature', visitor: { key: 't', scale: 0.1 }, collectCycle: 5000 },
    { name: 'setpoint', visitor: { key: 'sp' }, collectCycle: 5000 },
  ],
  methods: [{ name: 'set-point', propertyNames: ['setpoint'] }, { name: 'read-only', propertyNames: ['temperature'] }],
});

let harness: Harness<unknown, unknown>;
let memory: MemoryDevice;
beforeEach(async () => {
  memory = new MemoryDevice();
  memory.values.set('t', 215);
  memory.values.set('sp', 20);
  harness = (await startHarness({ driver: memoryDriver(new Map([['d1', memory]])), devices: [device], models: [model] })) as Harness<unknown, unknown>;
  await harness.peer.waitFor('online', () => harness.peer.states('thermo-1').includes('online'));
});
afterEach(() => harness.stop());

async function get(path: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(harness.restUrl(path), init);
  expect(response.headers.get('content-type')).toBe('application/json');
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

test('ping', async () => {
  const { status, body } = await get('/api/v1/ping');
  expect(status).toBe(200);
  expect(body).toMatchObject({ apiVersion: 'v1', statusCode: 200, Message: 'This is v1 API, the server is running normally.' });
  expect(Date.parse(body.timeStamp as string)).not.toBeNaN();
});

test('reads a property from the device now', async () => {
  memory.values.set('t', 230);
  const { status, body } = await get('/api/v1/device/default/thermo-1/temperature');
  expect(status).toBe(200);
  expect(body.Data).toMatchObject({ namespace: 'default', deviceName: 'thermo-1', propertyName: 'temperature', value: '23', type: 'float' });
});

test('lists methods and writes through one, converted and range-checked by the model', async () => {
  const methods = await get('/api/v1/devicemethod/default/thermo-1');
  expect(methods.body.Data).toEqual({
    Methods: [
      { Name: 'set-point', Path: '/api/v1/devicemethod/default/thermo-1/set-point/{propertyName}/{data}', Parameters: [{ PropertyName: 'setpoint', ValueType: 'int' }] },
      { Name: 'read-only', Path: '/api/v1/devicemethod/default/thermo-1/read-only/{propertyName}/{data}', Parameters: [{ PropertyName: 'temperature', ValueType: 'float' }] },
    ],
  });
  const written = await get('/api/v1/devicemethod/default/thermo-1/set-point/setpoint/25');
  expect(written).toEqual({ status: 200, body: expect.objectContaining({ Message: 'Write data 25 to device default/thermo-1 property setpoint successfully.' }) });
  expect(memory.values.get('sp')).toBe(25);
});

test('bad requests get 400/404/405 naming what is wrong', async () => {
  const cases: [string, number, string][] = [
    ['/api/v1/device/default/ghost/temperature', 404, 'device default/ghost is not served by this mapper'],
    ['/api/v1/device/default/thermo-1/humidity', 404, 'device default/thermo-1 has no property humidity; its properties: temperature, setpoint'],
    ['/api/v1/devicemethod/default/thermo-1/reboot/setpoint/1', 404, 'device default/thermo-1 has no method reboot; its methods: set-point, read-only'],
    ['/api/v1/devicemethod/default/thermo-1/set-point/temperature/1', 404, 'method set-point of device default/thermo-1 does not set property temperature; it sets: setpoint'],
    ['/api/v1/devicemethod/default/thermo-1/set-point/setpoint/31', 400, "property setpoint of device default/thermo-1: 31 is above the model's maximum 30; the model allows 10 to 30"],
    ['/api/v1/devicemethod/default/thermo-1/set-point/setpoint/warm', 400, 'property setpoint of device default/thermo-1: "warm" is not a whole number; write digits such as 42'],
    ['/api/v1/devicemethod/default/thermo-1/read-only/temperature/20', 400, 'property temperature of device default/thermo-1 is ReadOnly in its model; only ReadWrite properties can be written'],
    ['/api/v1/database/default/thermo-1', 503, 'no database is configured for this mapper; database push methods are not supported'],
    ['/api/v1/devices', 404, 'no such path; the paths are /api/v1/ping'],
    ['/api/v1/device/default/thermo-1/%E0%A4%A', 400, 'is not valid percent-encoding'],
  ];
  for (const [path, status, message] of cases) {
    const { status: got, body } = await get(path);
    expect({ path, status: got, statusCode: body.statusCode }).toEqual({ path, status, statusCode: status });
    expect(body.Message).toContain(message);
  }
  expect(memory.writes).toEqual([]);
  const post = await get('/api/v1/ping', { method: 'POST' });
  expect(post.status).toBe(405);
});

test('a device that times out is 504, an offline one 503, a device error 502', async () => {
  memory.failReads = 'TIMEOUT';
  expect((await get('/api/v1/device/default/thermo-1/temperature')).status).toBe(504);
  memory.failReads = 'DEVICE_EXCEPTION';
  expect((await get('/api/v1/device/default/thermo-1/temperature')).status).toBe(502);
  memory.refuseConnect = true;
  memory.failReads = 'DISCONNECTED';
  await get('/api/v1/device/default/thermo-1/temperature');
  const offline = await get('/api/v1/device/default/thermo-1/temperature');
  expect(offline.status).toBe(503);
  expect(offline.body.Message).toContain('device default/thermo-1 is offline');
});

test('the model of a device (or a model by name)', async () => {
  const byDevice = await get('/api/v1/meta/model/default/thermo-1');
  expect(byDevice.status).toBe(200);
  expect(byDevice.body.DeviceModel).toMatchObject({ name: 'thermo-model', namespace: 'default' });
  expect((await get('/api/v1/meta/model/default/thermo-model')).status).toBe(200);
  expect((await get('/api/v1/meta/model/default/nothing')).status).toBe(404);
});
