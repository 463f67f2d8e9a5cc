/**
 * The Python mapper as a real process (Debian's python3, grpcio, stubs generated from proto/ by gen-stubs.sh), driven
 * over real unix sockets by a grpc-js peer that plays edgecore's DeviceManagerService and calls the mapper's
 * DeviceMapperService. Needs mappers/python/install.sh; a missing package fails the test and names it.
 */
import { status, type ServiceError } from '@grpc/grpc-js';
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Any } from '../../gen/google/protobuf/any';
import { MapperRegisterResponse, type Device, type Twin } from '../../gen/kubeedge/dmi/v1beta1/api';
import { DmiPeer, MapperClient, waitFor, type RegisterReply } from './testing/dmi-peer';
import { PROTOCOL, switchDevice, switchModel, thermometer, thermometerModel } from './testing/fixtures';
import { MapperProcess, writeConfig, type MapperConfig } from './testing/mapper-process';
import { PYTHON, preparePythonMapper } from './testing/python-env';

jest.setTimeout(30000);

let dir: string;
const processes: MapperProcess[] = [];
const peers: DmiPeer[] = [];

beforeAll(async () => {
  await preparePythonMapper();
  dir = await mkdtemp(join(tmpdir(), 'pymap-'));
}, 60000);

afterAll(async () => {
  for (const p of processes) await p.kill();
  for (const peer of peers) await peer.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A config whose sockets live in the test's temp dir (short paths: a unix socket path holds 107 bytes). */
function config(name: string, common: Record<string, unknown> = {}): MapperConfig {
  return {
    common: {
      name: 'py-sim-test',
      version: 'v1.2.3',
      api_version: 'v1beta1',
      protocol: PROTOCOL,
      edgecore_sock: join(dir, `${name}-dmi.sock`),
      register_retry_ms: 200,
      call_timeout_ms: 1000,
      ...common,
    },
    grpc_server: { socket_path: join(dir, `${name}-mapper.sock`) },
  };
}

const edgecoreSock = (cfg: MapperConfig) => cfg.common!.edgecore_sock as string;
const mapperSock = (cfg: MapperConfig) => cfg.grpc_server!.socket_path as string;

async function startMapper(name: string, cfg: MapperConfig): Promise<MapperProcess> {
  const mapper = MapperProcess.start(await writeConfig(join(dir, `${name}.json`), cfg));
  processes.push(mapper);
  return mapper;
}

async function startPeer(socketPath: string, reply: () => RegisterReply): Promise<DmiPeer> {
  const peer = await DmiPeer.start(socketPath, reply);
  peers.push(peer);
  return peer;
}

const twin = (twins: Twin[] | undefined, name: string) => twins?.find((t) => t.propertyName === name);

/** An Any holding a wrapper, written by hand to send what pkg/dmi's encoder never would. */
const any = (type: string, value: number[]): Any => ({
  typeUrl: `type.googleapis.com/google.protobuf.${type}`,
  value: Buffer.from(value),
});

async function expectStatus(call: Promise<unknown>, code: status, message: RegExp): Promise<void> {
  const error = await call.then(
    () => undefined,
    (e: ServiceError) => e,
  );
  expect(error).toBeDefined();
  expect({ code: status[error!.code], details: error!.details }).toEqual({
    code: status[code],
    details: expect.stringMatching(message),
  });
}

describe('python mapper against a DeviceManagerService peer', () => {
  let cfg: MapperConfig;
  let mapper: MapperProcess;
  let peer: DmiPeer;
  let client: MapperClient;

  beforeAll(() => {
    cfg = config('main');
  });
  afterAll(() => client?.close());

  const thermoReports = () => peer.statusesOf('plant', 'thermo-1');

  it('retries MapperRegister until edgecore is up, then registers with the exact MapperInfo', async () => {
    mapper = await startMapper('main', cfg);
    const retry = await mapper.waitForLog((l) => l.msg.startsWith('edgecore is not reachable yet'), 'retrying');
    expect(retry).toMatchObject({ level: 'warn', code: 'UNAVAILABLE', attempt: 1 });

    peer = await startPeer(edgecoreSock(cfg), () =>
      MapperRegisterResponse.fromPartial({ modelList: [switchModel()], deviceList: [switchDevice()] }),
    );
    const registration = await waitFor(() => peer.registrations[0], 'MapperRegister', 5000);
    expect(registration.request).toEqual({
      withData: true,
      mapper: {
        name: 'py-sim-test',
        version: 'v1.2.3',
        apiVersion: 'v1beta1',
        protocol: PROTOCOL,
        address: Buffer.from(mapperSock(cfg)),
        state: 'ok',
      },
    });
    expect(peer.registrations).toHaveLength(1);
    expect(statSync(mapperSock(cfg)).mode & 0o777).toBe(0o600);
    client = new MapperClient(mapperSock(cfg));
  });

  it('serves the devices MapperRegister returned: twins reported each reportCycle, state ok', async () => {
    const report = await waitFor(() => peer.statusesOf('default', 'switch-1')[0], 'a switch-1 report');
    const twins = report.request.reportedDevice!.twins;
    expect(twin(twins, 'power')).toEqual({
      propertyName: 'power',
      observedDesired: { value: 'true', metadata: { type: 'boolean' } },
      reported: { value: 'true', metadata: { type: 'boolean', timestamp: expect.stringMatching(/^\d{13}$/) } },
    });
    expect(twin(twins, 'count')).toMatchObject({ observedDesired: undefined, reported: { value: '7' } });
    expect(report.request.reportedDevice).toMatchObject({ reportToCloud: true, reportCycle: 500 });
    const switchStates = () => peer.states.filter((s) => s.request.deviceName === 'switch-1').map((s) => s.request);
    // status.reportToCloud with reportCycle 500: the state is reported again, not only at the start.
    const states = await waitFor(() => (switchStates().length >= 2 ? switchStates() : undefined), 'two states');
    expect(states[0]).toEqual({ deviceName: 'switch-1', deviceNamespace: 'default', state: 'ok' });
  });

  it('RegisterDevice: reports carry the device and twin names and simulated values; configData decoded', async () => {
    await expect(client.createDeviceModel({ model: thermometerModel() })).resolves.toEqual({
      deviceModelName: 'thermometer',
      deviceModelNamespace: 'plant',
    });
    await expect(client.registerDevice({ device: thermometer('21.5') })).resolves.toEqual({
      deviceName: 'thermo-1',
      deviceNamespace: 'plant',
    });
    const registered = await mapper.waitForLog(
      (l) => l.msg === 'device registered' && l.device === 'plant/thermo-1',
      'device registered',
    );
    // StringValue, Int32Value and BoolValue decoded here; FloatValue and Int64Value drive the sine below.
    expect(registered.protocol_config).toEqual({ serial: 'T-1001', channel: 3, simulated: true });
    expect(registered.properties).toEqual({
      temperature: 'sine',
      setpoint: 'setpoint',
      label: 'constant',
      humidity: 'constant',
    });

    const reports = await waitFor(() => (thermoReports().length >= 6 ? thermoReports() : undefined), '6 reports');
    const twinsOf = (i: number) => reports[i]!.request.reportedDevice!.twins;
    const temperatures = reports.map((_, i) => Number(twin(twinsOf(i), 'temperature')!.reported!.value));
    for (const t of temperatures) {
      // base 20.5, amplitude 5
      expect(t).toBeGreaterThanOrEqual(15.5 - 1e-6);
      expect(t).toBeLessThanOrEqual(25.5 + 1e-6);
    }
    expect(new Set(temperatures).size).toBeGreaterThan(1); // a sine, not a constant
    expect(twin(twinsOf(0), 'setpoint')).toMatchObject({
      observedDesired: { value: '21.5', metadata: { type: 'float' } },
      reported: { value: '21.5', metadata: { type: 'float' } },
    });
    expect(twin(twinsOf(0), 'temperature')!.reported!.metadata['type']).toBe('float');
    expect(reports.some((_, i) => twin(twinsOf(i), 'label')?.reported?.value === 'lab-1')).toBe(true);
    // reportToCloud false: read, but never reported.
    expect(reports.every((_, i) => twin(twinsOf(i), 'humidity') === undefined)).toBe(true);
    // reportCycle 200 ms: a few reports a second, not a flood.
    const spanMs = reports.at(-1)!.atMs - reports[0]!.atMs;
    expect(spanMs / (reports.length - 1)).toBeGreaterThan(120);
    await waitFor(
      () => peer.states.find((s) => s.request.deviceName === 'thermo-1' && s.request.deviceNamespace === 'plant'),
      'a state for thermo-1',
    );
  });

  it('UpdateDevice with a new desired value: observedDesired and reported follow; GetDevice shows it', async () => {
    await client.updateDevice({ device: thermometer('23.5') });
    const since = Date.now();
    const desired = (r: (typeof peer.statuses)[number]) =>
      twin(r.request.reportedDevice!.twins, 'setpoint')?.observedDesired?.value;
    const report = await waitFor(
      () => thermoReports().find((r) => r.atMs >= since && desired(r) === '23.5'),
      'a report with the new desired value',
    );
    expect(twin(report.request.reportedDevice!.twins, 'setpoint')!.reported!.value).toBe('23.5');
    await mapper.waitForLog((l) => l.msg.endsWith('property setpoint: wrote setpoint 23.5'), 'the write');

    const { device } = await client.getDevice({ deviceName: 'thermo-1', deviceNamespace: 'plant' });
    expect(device!.spec!.deviceModelReference).toBe('thermometer');
    const twins = device!.status!.twins;
    expect(twin(twins, 'setpoint')).toMatchObject({ observedDesired: { value: '23.5' }, reported: { value: '23.5' } });
    expect(twin(twins, 'humidity')!.reported!.value).toBe('40');
    expect(twin(twins, 'label')!.reported!.value).toBe('lab-1');
  });

  /** Each bad device: the change that makes it bad, the status and the message. */
  const badDevices: [string, (d: Device) => void, status, RegExp][] = [
    ['no name', (d) => (d.name = ''), status.INVALID_ARGUMENT, /^device\.name is required$/],
    ['a bad name', (d) => (d.name = 'Bad_Name'), status.INVALID_ARGUMENT, /device\.name 'Bad_Name' is not a valid/],
    [
      'a model never sent',
      (d) => (d.namespace = 'elsewhere'),
      status.FAILED_PRECONDITION,
      /device model elsewhere\/thermometer is not known to this mapper; CreateDeviceModel must come first/,
    ],
    [
      'another protocol',
      (d) => (d.spec!.protocol!.protocolName = 'modbus'),
      status.INVALID_ARGUMENT,
      /spec\.protocol\.protocolName is 'modbus'; this mapper serves 'python-sim'/,
    ],
    [
      'a signal that is a number',
      (d) => (d.spec!.properties[0]!.visitors!.configData!.data['signal'] = any('Int32Value', [8, 5])),
      status.INVALID_ARGUMENT,
      /property temperature: visitors configData\.signal 5 must be one of sine, constant, setpoint/,
    ],
    [
      'an Any that is no wrapper',
      (d) => (d.spec!.protocol!.configData!.data['timeout'] = any('Duration', [8, 1])),
      status.INVALID_ARGUMENT,
      /configData\.timeout: unsupported Any type 'type\.googleapis\.com\/google\.protobuf\.Duration'/,
    ],
    [
      'a configData key the signal does not use',
      (d) => (d.spec!.properties[2]!.visitors!.configData!.data['colour'] = any('StringValue', [10, 1, 114])),
      status.INVALID_ARGUMENT,
      /property label: visitors configData key 'colour' is not used by signal constant; use signal, value/,
    ],
    [
      'a property not in the model',
      (d) => (d.spec!.properties[0]!.name = 'pressure'),
      status.INVALID_ARGUMENT,
      /property 'pressure' is not in model plant\/thermometer/,
    ],
    [
      'a negative reportCycle',
      (d) => (d.spec!.properties[1]!.reportCycle = -5),
      status.INVALID_ARGUMENT,
      /property setpoint: reportCycle and collectCycle must not be negative/,
    ],
  ];

  it.each(badDevices)('RegisterDevice with %s is refused with a clear message', async (_what, spoil, code, message) => {
    const device = thermometer('21', { name: 'thermo-2' });
    spoil(device);
    await expectStatus(client.registerDevice({ device }), code, message);
  });

  it('refuses other bad calls, keeps the device as it was and keeps serving', async () => {
    await expectStatus(client.registerDevice({}), status.INVALID_ARGUMENT, /^device is required$/);
    const badModel = thermometerModel();
    badModel.spec!.properties[0]!.type = 'COMPLEX';
    await expectStatus(
      client.createDeviceModel({ model: badModel }),
      status.INVALID_ARGUMENT,
      /model plant\/thermometer: property temperature: type 'COMPLEX' is not one of/,
    );
    await expectStatus(
      client.getDevice({ deviceName: 'nope', deviceNamespace: 'plant' }),
      status.NOT_FOUND,
      /device plant\/nope is not registered/,
    );
    await expectStatus(
      client.removeDevice({ deviceName: '', deviceNamespace: 'plant' }),
      status.INVALID_ARGUMENT,
      /^deviceName is required$/,
    );

    // A desired value the model forbids is refused whole: the device keeps its setting.
    await expectStatus(
      client.updateDevice({ device: thermometer('99') }),
      status.INVALID_ARGUMENT,
      /device plant\/thermo-1 property setpoint: desired value: 99 is above the model's maximum 30\.0/,
    );
    await expectStatus(
      client.updateDevice({ device: thermometer('warm') }),
      status.INVALID_ARGUMENT,
      /desired value: 'warm' is not a float/,
    );
    const since = Date.now();
    const after = await waitFor(() => thermoReports().find((r) => r.atMs > since), 'a report after the refusals');
    expect(twin(after.request.reportedDevice!.twins, 'setpoint')).toMatchObject({
      observedDesired: { value: '23.5' },
      reported: { value: '23.5' },
    });
    // The refused model did not replace the good one: the device still builds against it.
    await expect(client.updateDevice({ device: thermometer('23.5') })).resolves.toEqual({});
    expect(mapper.logs.filter((l) => l.msg === 'RegisterDevice refused')).toHaveLength(badDevices.length + 1);
    expect(mapper.logs.filter((l) => l.level === 'error' || l.level === 'unparsed')).toEqual([]);
  });

  it('RemoveDevice stops its reports (idempotently), other devices go on', async () => {
    await client.removeDevice({ deviceName: 'thermo-1', deviceNamespace: 'plant' });
    const removedAt = Date.now();
    const before = peer.statusesOf('default', 'switch-1').length;
    // Three switch-1 cycles (300 ms) pass: time enough for several thermo-1 cycles (200 ms), had it kept going.
    await waitFor(
      () => (peer.statusesOf('default', 'switch-1').length >= before + 3 ? true : undefined),
      'three more switch-1 reports',
    );
    expect(thermoReports().filter((r) => r.atMs > removedAt)).toEqual([]);
    await expect(client.removeDevice({ deviceName: 'thermo-1', deviceNamespace: 'plant' })).resolves.toEqual({});
    await expectStatus(
      client.getDevice({ deviceName: 'thermo-1', deviceNamespace: 'plant' }),
      status.NOT_FOUND,
      /not registered/,
    );
    await expect(client.removeDeviceModel({ modelName: 'thermometer', modelNamespace: 'plant' })).resolves.toEqual({});
  });

  it('SIGTERM: reports its devices offline, removes its socket and exits 0', async () => {
    client.close();
    expect(await mapper.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(existsSync(mapperSock(cfg))).toBe(false);
    expect(peer.states.filter((s) => s.request.state === 'offline').map((s) => s.request)).toEqual([
      { deviceName: 'switch-1', deviceNamespace: 'default', state: 'offline' },
    ]);
    expect(mapper.logs.map((l) => l.msg)).toEqual(expect.arrayContaining(['stopping', 'stopped']));
    expect(mapper.stderr).toBe('');
  });
});

describe('python mapper: refusals at start', () => {
  it.each([
    ['a bad protocol', { common: { protocol: 'bad proto!' } }, /common\.protocol 'bad proto!' must be 1-63 letters/],
    ['an unknown key', { common: { protocl: 'x' } }, /unknown key common\.protocl; known: name, version/],
    ['a string for ms', { common: { register_retry_ms: 'soon' } }, /common\.register_retry_ms must be an integer/],
    ['a relative socket', { grpc_server: { socket_path: 'x.sock' } }, /grpc_server\.socket_path must be an absolute/],
    ['a too long socket', { grpc_server: { socket_path: `/tmp/${'x'.repeat(120)}` } }, /socket path holds at most 107/],
  ])('bad config (%s): exit 2, the message names the field', async (_what, bad, message) => {
    const mapper = await startMapper('bad-config', bad as MapperConfig);
    expect(await mapper.exited).toEqual({ code: 2, signal: null });
    expect(mapper.stderr).toMatch(message);
  });

  it('a config file that is not JSON: exit 2 with the line and column', async () => {
    const path = join(dir, 'broken.json');
    await writeFile(path, '{"common": {"name": }}');
    const mapper = MapperProcess.start(path);
    processes.push(mapper);
    expect(await mapper.exited).toEqual({ code: 2, signal: null });
    expect(mapper.stderr).toMatch(/broken\.json: not valid JSON at line 1 column 21/);
  });

  it('edgecore refuses the registration: exit 1 naming the reason, socket removed', async () => {
    const cfg = config('refused');
    await startPeer(edgecoreSock(cfg), () => ({ code: status.ALREADY_EXISTS, details: 'python-sim is served by x' }));
    const mapper = await startMapper('refused', cfg);
    expect(await mapper.exited).toEqual({ code: 1, signal: null });
    const line = await mapper.waitForLog((l) => l.msg === 'cannot run', 'cannot run');
    expect(line.reason).toBe('edgecore refused MapperRegister (ALREADY_EXISTS): python-sim is served by x');
    expect(existsSync(mapperSock(cfg))).toBe(false);
  });

  it('its socket path is served by another process: exit 1', async () => {
    const cfg = config('busy');
    const other: NetServer = createServer();
    await new Promise<void>((resolve) => other.listen(mapperSock(cfg), resolve));
    try {
      const mapper = await startMapper('busy', cfg);
      expect(await mapper.exited).toEqual({ code: 1, signal: null });
      expect((await mapper.waitForLog((l) => l.msg === 'cannot run', 'cannot run')).reason).toBe(
        `another process is serving on ${mapperSock(cfg)}; stop it or set grpc_server.socket_path`,
      );
    } finally {
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });

  it('a stale socket file (left by a killed mapper) is replaced; a file that is not a socket is refused', async () => {
    const cfg = config('stale');
    const path = mapperSock(cfg);
    // A bound socket whose process is gone: what SIGKILL leaves (Node's listeners remove their file on close).
    const bind = 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])';
    await promisify(execFile)(PYTHON, ['-c', bind, path]);
    expect(statSync(path).isSocket()).toBe(true);
    const mapper = await startMapper('stale', cfg);
    await mapper.waitForLog((l) => l.msg === 'serving DeviceMapperService', 'serving');
    expect(await mapper.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(existsSync(path)).toBe(false);

    await writeFile(path, 'not a socket');
    const refusing = await startMapper('stale-file', cfg);
    expect(await refusing.exited).toEqual({ code: 1, signal: null });
    expect((await refusing.waitForLog((l) => l.msg === 'cannot run', 'cannot run')).reason).toBe(
      `${path} exists and is not a socket; remove it or set grpc_server.socket_path`,
    );
  });
});
