/**
 * Devices end to end, with real processes: cloudcore (embedded API server, deviceController), edgecore (eventBus with
 * its internal broker, deviceTwin with the DMI server), the Modbus mapper against Debian's pymodbus server, the Python
 * mapper, mqtt.js apps and the real kubectl. One cloudcore and one edgecore for the file; the edge reaches the cloud's
 * tunnel through a LinkProxy so that the link can be cut. Each test uses devices of its own, except the Modbus
 * thermometer, which the first tests build on in order (applied, written, killed, cut off).
 *
 * Latencies are measured from the DeviceStatus watch (StatusWatch stamps each version as it arrives) and printed.
 */
import { LinkProxy } from '../link-proxy';
import { PymodbusServer } from '../../../mappers/modbus/testing/pymodbus';
import { MapperProcess, writeConfig } from '../../../mappers/python/testing/mapper-process';
import { sleep, waitFor } from './cluster';
import {
  appDevice,
  edgeNodeManifest,
  modbusThermometer,
  MqttApp,
  pollUntil,
  pythonMapperConfig,
  pythonThermometer,
  reported,
  requireDeviceTestDeps,
  StatusWatch,
  twinOf,
  writeModbusMapperConfig,
  yamlDocuments,
} from './devices';
import { SystemTest, type Cloudcore, type Edgecore } from './harness';
import { ENTRY, type ManagedProcess } from './process';

jest.setTimeout(60_000);

const NODE = 'edge-devices';
const THERMO = 'thermometer-1';
/** The Modbus device's collect and report cycles. */
const CYCLE_MS = 500;
/** The bound: a value in DeviceStatus, or a desired value in the register, within 2 s. */
const BOUND_MS = 2000;

let sys: SystemTest;
let cloud: Cloudcore;
let edge: Edgecore;
let proxy: LinkProxy;
let modbus: PymodbusServer;
let statuses: StatusWatch;
let app: MqttApp;
let modbusConfig: string;
let mapper: ManagedProcess;
let mapperStarts = 0;
const pythonMappers: MapperProcess[] = [];
const measured: Record<string, number> = {};

function record(what: string, ms: number): void {
  measured[what] = ms;
  process.stdout.write(`[devices] ${what}: ${ms} ms\n`);
}

/** The Modbus mapper as its own process (mappers/modbus/main.ts); resolves once it has registered with edgecore. */
async function startModbusMapper(): Promise<ManagedProcess> {
  const child = sys.spawn(`modbus-mapper#${++mapperStarts}`, ENTRY.modbusMapper, ['--config', modbusConfig, '--log-level', 'info']);
  await child.waitForLine((l) => l.msg === 'registered with edgecore', 30_000, 'the mapper registered with edgecore');
  return child;
}

const apply = (...objects: object[]) => cloud.kubectl(['apply', '-f', '-'], { input: yamlDocuments(...objects) });

beforeAll(async () => {
  await requireDeviceTestDeps();
  sys = await SystemTest.create('devices');
  cloud = await sys.startCloudcore({ name: 'cloud', devices: true });
  // No edged here: the Node is made as edged would make it, before the edge connects.
  await cloud.kubectl(['apply', '-f', '-'], { input: edgeNodeManifest(NODE) });
  const token = await cloud.token();
  proxy = await LinkProxy.start('127.0.0.1', cloud.ports.tunnel);
  edge = await sys.startEdgecore({ name: 'edge', node: NODE, cloud, token, servers: [proxy.address], devices: {} });
  await edge.connected();
  await edge.process.waitForLine((l) => l.msg === 'DMI server listening', 20_000, 'the DMI server');
  modbus = await PymodbusServer.start({ values: { hr: { 0: 215, 1: 18 } } });
  statuses = await StatusWatch.start(cloud.kubeconfig);
  app = await MqttApp.connect(edge.mqttUrl, 'devices-system-test-app');
  modbusConfig = await writeModbusMapperConfig(sys.dir, edge.files.dmiSockDir);
  mapper = await startModbusMapper();
}, 120_000);

afterAll(async () => {
  process.stdout.write(`[devices] measured: ${JSON.stringify(measured)}\n`);
  await app?.close();
  await statuses?.close();
  await Promise.all(pythonMappers.map((p) => p.kill()));
  await modbus?.stop();
  await proxy?.close();
  await sys?.dispose();
}, 60_000);

afterEach(() => {
  if (!edge || !cloud) return; // beforeAll failed, and says why.
  // Nothing a device, a mapper or an app does may take edgecore or cloudcore down.
  expect({ edgecore: edge.process.alive, cloudcore: cloud.process.alive }).toEqual({ edgecore: true, cloudcore: true });
});

test('kubectl apply of a Modbus DeviceModel and Device: the mapper gets the device and its value is in DeviceStatus within 2 s', async () => {
  // The mapper registered before any device existed, so the device reaches it by RegisterDevice.
  expect(mapper.lines.find((l) => l.msg === 'registered with edgecore')).toMatchObject({ devices: 0, models: 0 });
  const from = mapper.lines.length;
  await apply(...modbusThermometer(THERMO, NODE, modbus.port, CYCLE_MS));
  const started = await mapper.waitForLine((l) => l.msg === 'device started' && l.device === `default/${THERMO}`, 20_000, 'RegisterDevice for the thermometer', from);
  const mapperHasIt = Date.parse(started.time);
  const seen = await statuses.waitFor(THERMO, (s) => reported(s, 'temperature') === '21.5', 15_000, 'temperature 21.5');
  record('mapper has the device -> value in DeviceStatus', seen.at - mapperHasIt);
  expect(seen.at - mapperHasIt).toBeLessThan(BOUND_MS);

  // What kubectl shows: the twin with its reported value and type, the device online, with a last-online time.
  await statuses.waitFor(THERMO, (s) => s.status?.state === 'online', 10_000, 'state online');
  const status = await cloud.kubectlJson(['get', 'devicestatus', THERMO, '-n', 'default']);
  expect(twinOf(status, 'temperature')?.reported).toMatchObject({ value: '21.5', metadata: { type: 'float' } });
  expect(status.status.state).toBe('online');
  expect(Date.parse(status.status.lastOnlineTime)).toBeGreaterThan(Date.now() - 60_000);
  expect(status.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Device', name: THERMO })]);
  // The desired setpoint of the manifest was written to the register when the device was registered.
  await waitFor(async () => (await modbus.get('hr', 1))[0] === 21, 5000, 'the manifest\'s desired setpoint 21 in holding register 1');
  await statuses.waitFor(THERMO, (s) => reported(s, 'setpoint') === '21' && twinOf(s, 'setpoint')?.observedDesired?.value === '21', 5000, 'setpoint 21 reported');
});

test('kubectl patch of a desired value: the Modbus register holds it within 2 s, and DeviceStatus reports it', async () => {
  const before = Date.now();
  await cloud.kubectl(['patch', 'device', THERMO, '-n', 'default', '--type', 'json', '-p', '[{"op":"replace","path":"/spec/properties/1/desired/value","value":"25"}]']);
  // Read back from pymodbus's own datastore every 20 ms.
  const held = await pollUntil(async () => (await modbus.get('hr', 1))[0] === 25, 15_000, 20, 'holding register 1 holding 25 after kubectl patch');
  record('kubectl patch -> register holds the value', held - before);
  expect(held - before).toBeLessThan(BOUND_MS);
  await statuses.waitFor(THERMO, (s) => reported(s, 'setpoint') === '25' && twinOf(s, 'setpoint')?.observedDesired?.value === '25', 10_000, 'setpoint 25 reported and observed');
  // The mapper wrote 21 (from the manifest), then 25, and nothing else. (Each new value is written once or, today,
  // twice in a row: see the report on mappers/sdk/device-runner.ts applyDesired.)
  expect([...new Set(mapper.find('desired value written').map((l) => l.desired))]).toEqual(['21', '25']);
});

test('an MQTT app publishes a KubeEdge twin update: it gets /twin/update/result and the cloud sees the value', async () => {
  await apply(...appDevice('door-1', NODE, 'mqtt-app'));
  const update = MqttApp.twinUpdate('door-open-1', { door: 'open' });
  // The edge holds the device once metamanager has handed it over; until then the twin is unknown (404).
  let result = await app.ask('door-1', 'twin/update', update, 'door-open-1');
  const deadline = Date.now() + 20_000;
  while (result.code === 404 && Date.now() < deadline) {
    await sleep(200);
    result = await app.ask('door-1', 'twin/update', update, 'door-open-1');
  }
  const sent = Date.now();
  expect(result.code).toBeUndefined();
  expect(result.twin?.door).toMatchObject({ actual: { value: 'open' } });
  const seen = await statuses.waitFor('door-1', (s) => reported(s, 'door') === 'open', 10_000, 'door open');
  record('MQTT twin/update -> value in DeviceStatus', seen.at - sent);
  expect(twinOf(seen.status, 'door')?.reported?.metadata).toMatchObject({ type: 'string' });
  const get = await app.ask('door-1', 'twin/get', { event_id: 'door-get-1' }, 'door-get-1');
  expect(MqttApp.actual(get, 'door')).toBe('open');
});

test('the mapper is killed: the device goes offline; restarted, it is back online and values flow again', async () => {
  const from = statuses.mark();
  const killed = Date.now();
  await mapper.crash();
  const offline = await statuses.waitFor(THERMO, (s) => s.status?.state === 'offline', 20_000, 'state offline', from);
  record('mapper SIGKILL -> state offline in DeviceStatus', offline.at - killed);
  expect(edge.process.find('mapper is gone').map((l) => l.protocol)).toEqual(['modbus']);

  // A new reading the killed mapper never saw; from here on only the restarted one can report.
  await modbus.set('hr', 0, [233]);
  const afterOffline = statuses.mark();
  const restarted = Date.now();
  mapper = await startModbusMapper();
  const online = await statuses.waitFor(THERMO, (s) => s.status?.state === 'online' || s.status?.state === 'ok', 20_000, 'state online again', afterOffline);
  record('mapper restart -> state online in DeviceStatus', online.at - restarted);
  const value = await statuses.waitFor(THERMO, (s) => reported(s, 'temperature') === '23.3', 10_000, 'temperature 23.3 after the restart', afterOffline);
  record('mapper restart -> new value in DeviceStatus', value.at - restarted);
  // Registered again with its device handed back (MapperRegister), not re-applied from the cloud.
  const registered = mapper.lines.find((l) => l.msg === 'registered with edgecore');
  expect(registered).toMatchObject({ devices: 1, models: 1 });
});

test('the cloud link drops: twins still update at the edge; when it returns DeviceStatus catches up with the newest values', async () => {
  const from = edge.process.lines.length;
  proxy.setMode('refuse');
  proxy.reset();
  await edge.process.waitForLine((l) => l.module === 'edgehub' && l.from === 'connected', 10_000, 'the edge losing the cloud', from);
  const cutAt = statuses.mark();

  // Offline: the mapper's readings and an app's updates still reach the edge's twins.
  await modbus.set('hr', 0, [250]);
  await waitFor(
    async () => MqttApp.actual(await app.ask(THERMO, 'twin/get', { event_id: 'offline-get' }, 'offline-get'), 'temperature') === '25',
    10_000,
    'twin/get showing the temperature read while offline',
  );
  for (const [i, value] of ['closed', 'open', 'locked'].entries()) {
    const result = await app.ask('door-1', 'twin/update', MqttApp.twinUpdate(`offline-${i}`, { door: value }), `offline-${i}`);
    expect(result.code).toBeUndefined();
  }
  const opened = await app.ask('door-1', 'twin/update', MqttApp.twinUpdate('offline-count', { opened: '7' }, 'int'), 'offline-count');
  expect(opened.code).toBeUndefined();
  const get = await app.ask('door-1', 'twin/get', { event_id: 'offline-door' }, 'offline-door');
  expect({ door: MqttApp.actual(get, 'door'), opened: MqttApp.actual(get, 'opened') }).toEqual({ door: 'locked', opened: '7' });
  // The cloud did not hear of it while the link was down.
  await sleep(1000);
  expect(statuses.seen.slice(cutAt).filter((s) => reported(s.status, 'temperature') === '25' || reported(s.status, 'door') === 'locked')).toEqual([]);

  const reconnectFrom = edge.process.lines.length;
  proxy.setMode('pass');
  const reconnected = await edge.connected(30_000, reconnectFrom);
  const back = Date.parse(reconnected.time);
  const thermo = await statuses.waitFor(THERMO, (s) => reported(s, 'temperature') === '25', 15_000, 'temperature 25 after the link returned', cutAt);
  const door = await statuses.waitFor('door-1', (s) => reported(s, 'door') === 'locked' && reported(s, 'opened') === '7', 15_000, 'door locked, opened 7 after the link returned', cutAt);
  record('link back -> Modbus value in DeviceStatus', thermo.at - back);
  record('link back -> newest MQTT values in DeviceStatus', door.at - back);
  // Only the newest value travelled: while the link was down each twin kept one pending value, not a queue.
  const doorValues = statuses.seen.slice(cutAt).filter((s) => s.status.metadata?.name === 'door-1').map((s) => reported(s.status, 'door'));
  expect([...new Set(doorValues)]).toEqual(['locked']);
});

test('the Python mapper registers with the real edgecore and its twin reports reach DeviceStatus', async () => {
  // Applied before the mapper runs: edgecore keeps the device and hands it over in the MapperRegister answer.
  const from = edge.process.lines.length;
  await apply(...pythonThermometer('py-thermo-1', NODE, 19.5, '22'));
  await edge.process.waitForLine((l) => l.protocol === 'python-sim' && String(l.msg).startsWith('no mapper registered for protocol python-sim'), 20_000, 'the device waiting for a python-sim mapper', from);
  const config = await writeConfig(sys.path('python-mapper.json'), pythonMapperConfig(sys.dir, edge.files.dmiSockDir));
  const python = MapperProcess.start(config);
  pythonMappers.push(python);
  const started = Date.now();
  const registered = await python.waitForLog((l) => l.msg === 'registered with edgecore', 'registered with edgecore', 15_000);
  expect(registered).toMatchObject({ devices: 1 });
  const seen = await statuses.waitFor(
    'py-thermo-1',
    (s) => reported(s, 'temperature') === '19.5' && Number(reported(s, 'setpoint')) === 22 && s.status?.state === 'ok',
    15_000,
    'temperature 19.5, setpoint 22, state ok',
  );
  record('Python mapper start -> values in DeviceStatus', seen.at - started);
  expect(twinOf(seen.status, 'setpoint')?.observedDesired?.value).toBe('22');
  expect(edge.process.lines.filter((l) => l.msg === 'mapper registered' && l.protocol === 'python-sim')).toEqual([expect.objectContaining({ mapper: 'python-sim-mapper', devices: 1 })]);

  // A desired value changed with kubectl reaches the Python mapper too (UpdateDevice).
  await cloud.kubectl(['patch', 'device', 'py-thermo-1', '-n', 'default', '--type', 'json', '-p', '[{"op":"replace","path":"/spec/properties/1/desired/value","value":"24.5"}]']);
  await statuses.waitFor('py-thermo-1', (s) => Number(reported(s, 'setpoint')) === 24.5, 10_000, 'setpoint 24.5 from the Python mapper');
  await python.stop('SIGTERM');
  await statuses.waitFor('py-thermo-1', (s) => s.status?.state === 'offline', 10_000, 'offline after the Python mapper stopped');
});

test('bad input: a device no mapper serves stays waiting; a malformed MQTT twin update gets 400 with a reason', async () => {
  const from = edge.process.lines.length;
  await apply(...appDevice('valve-1', NODE, 'opcua'));
  await edge.process.waitForLine(
    (l) => l.protocol === 'opcua' && l.msg.startsWith('no mapper registered for protocol opcua'),
    20_000,
    'edgecore noting that the device waits for an opcua mapper',
    from,
  );
  // The device is known at the edge (twin/get answers), its DeviceStatus exists with nothing reported, and the other
  // devices carry on.
  const get = await app.ask('valve-1', 'twin/get', { event_id: 'valve-get' }, 'valve-get');
  expect(get.code).toBeUndefined();
  await statuses.waitFor('valve-1', () => true, 10_000, 'the DeviceStatus of the device no mapper serves');
  const mark = statuses.mark();
  await modbus.set('hr', 0, [199]);
  await statuses.waitFor(THERMO, (s) => reported(s, 'temperature') === '19.9', 10_000, 'the Modbus device still reporting', mark);
  expect(statuses.latest('valve-1')?.status ?? {}).not.toHaveProperty('state');
  expect(statuses.latest('valve-1')?.status?.twins ?? []).toEqual([]);

  const malformed = await app.ask(THERMO, 'twin/update', '{"event_id":"bad-1","twin":{"temperature":', '', 5000);
  expect(malformed).toMatchObject({ code: 400, reason: expect.stringMatching(/^payload: is not valid JSON/) });
  const badValue = await app.ask('door-1', 'twin/update', MqttApp.twinUpdate('bad-2', { opened: 'many' }, 'int'), 'bad-2');
  expect(badValue).toMatchObject({ code: 400, reason: 'twin.opened.actual.value: "many" is not an int (a 64-bit whole number such as 42)' });
  const unknown = await app.ask('no-such-device', 'twin/update', MqttApp.twinUpdate('bad-3', { door: 'open' }), 'bad-3');
  expect(unknown.code).toBe(404);
  // Nothing of the refused updates was applied.
  const door = await app.ask('door-1', 'twin/get', { event_id: 'door-after' }, 'door-after');
  expect(MqttApp.actual(door, 'opened')).toBe('7');
  expect(mapper.alive).toBe(true);
});
