/**
 * The Modbus mapper as its own process (main.ts, as users run it): --config, registration with an edgecore
 * stand-in, the example manifests' device read from pymodbus, a clean stop on SIGTERM; bad configs and usage.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Device, DeviceModel } from '../../pkg/devices';
import { toDmiDevice, toDmiModel } from '../../pkg/dmi/convert';
import { EdgecorePeer } from '../sdk/testing/edgecore-peer';
import { PymodbusServer } from './testing/pymodbus';

const REPO = join(__dirname, '../..');
const MAIN = join(__dirname, 'main.ts');
const REGISTER_TS = join(REPO, 'pkg/cli/testing/register-ts.js');

function run(args: string[]) {
  const child = spawn(process.execPath, ['-r', REGISTER_TS, MAIN, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'modbus-cli-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

test('runs with --config, serves the example device from pymodbus, stops cleanly on SIGTERM', async () => {
  const modbus = await PymodbusServer.start({ values: { hr: { 0: 215, 1: 18 }, co: { 0: 1 } } });
  const peer = await EdgecorePeer.start(join(dir, 'dmi.sock'));
  const [model, device] = parseAllDocuments(readFileSync(join(__dirname, 'examples/thermometer.yaml'), 'utf8')).map((doc) => doc.toJS()) as [DeviceModel, Device];
  device.spec!.protocol!.configData = { ...device.spec!.protocol!.configData, port: modbus.port };
  peer.models = [toDmiModel(model)];
  peer.devices = [toDmiDevice(device)];
  const config = join(dir, 'config.yaml');
  await writeFile(
    config,
    `grpc_server:\n  socket_path: ${join(dir, 'modbus.sock')}\ncommon:\n  name: modbus-mapper\n  protocol: modbus\n  edgecore_sock: ${join(dir, 'dmi.sock')}\n  http_port: 0\n`,
  );
  const mapper = run(['--config', config, '--log-level', 'debug']);
  try {
    await peer.waitFor('temperature reported', () => peer.reported('thermometer-1', 'temperature').some((report) => report.value === '21.5'), 15000);
    await peer.waitFor('setpoint written', () => peer.reported('thermometer-1', 'setpoint').some((report) => report.value === '21'), 5000);
    expect(await modbus.get('hr', 1)).toEqual([21]);
    expect(peer.registrations[0]?.request.mapper?.address.toString()).toBe(join(dir, 'modbus.sock'));
    mapper.child.kill('SIGTERM');
    expect(await mapper.exited).toBe(0);
    expect(peer.states('thermometer-1').at(-1)).toBe('offline');
    expect(existsSync(join(dir, 'modbus.sock'))).toBe(false);
    const lines = mapper.output().stdout.trim().split('\n').map((line) => JSON.parse(line) as { msg: string });
    expect(lines.map((line) => line.msg)).toEqual(expect.arrayContaining(['mapper started', 'registered with edgecore', 'mapper stopped']));
  } finally {
    if (mapper.child.exitCode === null) mapper.child.kill('SIGKILL');
    await peer.stop();
    await modbus.stop();
  }
}, 30000);

test('a bad config exits 1 naming the field and the fix; no --config exits 2', async () => {
  const config = join(dir, 'config.yaml');
  await writeFile(config, 'common:\n  name: modbus-mapper\n  protocol: opcua\n  http_port: none\n');
  const bad = run(['--config', config]);
  expect(await bad.exited).toBe(1);
  expect(bad.output().stderr).toContain(`${config}:3: common.protocol: this mapper serves modbus (got "opcua"); write protocol: modbus`);
  expect(bad.output().stderr).toContain(`${config}:4: common.http_port: not a port number (got "none")`);

  const usage = run([]);
  expect(await usage.exited).toBe(2);
  expect(usage.output().stderr).toContain("modbus-mapper: --config is required: the path of the mapper's config.yaml");
}, 20000);
