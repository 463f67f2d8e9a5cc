/** The virtual-device mapper: the example manifests through the SDK, against an edgecore stand-in over real sockets. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Device, DeviceModel } from '../../pkg/devices';
import { toDmiDevice, toDmiModel } from '../../pkg/dmi/convert';
import { startHarness, sleep, type Harness } from '../sdk/testing/harness';
import { deviceProto } from '../sdk/testing/protos';
import { virtualDriver, type VirtualProtocol, type VirtualVisitor } from './driver';

const [exampleModel, exampleDevice] = parseAllDocuments(readFileSync(join(__dirname, 'examples/thermostat.yaml'), 'utf8')).map((doc) => doc.toJS()) as [
  DeviceModel,
  Device,
];

let harness: Harness<VirtualProtocol, VirtualVisitor> | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function start(devices = [toDmiDevice(exampleDevice)]): Promise<Harness<VirtualProtocol, VirtualVisitor>> {
  harness = await startHarness({ driver: virtualDriver(), devices, models: [toDmiModel(exampleModel)] });
  return harness;
}

const values = (h: Harness<VirtualProtocol, VirtualVisitor>, property: string): number[] =>
  h.peer.reported('thermostat-1', property).map((report) => Number(report.value));

test('the example thermostat reports wandering sensors within bounds and holds the desired setpoint', async () => {
  const h = await start();
  await h.peer.waitFor('4 temperature reports', () => values(h, 'temperature').length >= 4, 8000);
  const temperatures = values(h, 'temperature');
  for (const value of temperatures) {
    expect(value).toBeGreaterThanOrEqual(15);
    expect(value).toBeLessThanOrEqual(28);
  }
  expect(new Set(temperatures).size).toBeGreaterThan(1);
  for (const value of values(h, 'humidity')) expect(value).toBeGreaterThanOrEqual(30);
  expect(h.peer.reported('thermostat-1', 'setpoint').at(-1)).toMatchObject({ value: '21', observedDesired: '21' });
  expect(h.peer.reported('thermostat-1', 'heating').at(-1)).toMatchObject({ value: 'false', metadata: expect.objectContaining({ type: 'boolean' }) });
  expect(h.peer.states('thermostat-1')).toContain('online');
});

test('an actuator holds what the REST API writes; a sensor cannot be written', async () => {
  const h = await start();
  await h.peer.waitFor('online', () => h.peer.states('thermostat-1').includes('online'));
  const write = await fetch(h.restUrl('/api/v1/devicemethod/default/thermostat-1/switch-heating/heating/true'));
  expect(write.status).toBe(200);
  const read = (await (await fetch(h.restUrl('/api/v1/device/default/thermostat-1/heating'))).json()) as { Data: { value: string } };
  expect(read.Data.value).toBe('true');
  await h.peer.waitFor('heating true reported', () => h.peer.reported('thermostat-1', 'heating').some((report) => report.value === 'true'));
  const refused = await fetch(h.restUrl('/api/v1/devicemethod/default/thermostat-1/set-setpoint/setpoint/35'));
  expect(refused.status).toBe(400);
});

test('a switched-off device is offline, and comes online when switched on', async () => {
  const off = toDmiDevice({ ...exampleDevice, spec: { ...exampleDevice.spec, protocol: { protocolName: 'virtual', configData: { offline: true } } } });
  const h = await start([off]);
  await h.peer.waitFor('offline', () => h.peer.states('thermostat-1').includes('offline'));
  await sleep(300);
  expect(h.peer.reported('thermostat-1', 'temperature')).toEqual([]);
  await h.peer.call(h.peer.mapper().updateDevice, { device: toDmiDevice(exampleDevice) });
  await h.peer.waitFor('online', () => h.peer.states('thermostat-1').at(-1) === 'online');
});

test('bad visitors are refused naming each field', async () => {
  const h = await start([]);
  const bad = deviceProto({
    name: 'bad',
    model: 'virtual-thermostat',
    protocol: 'virtual',
    properties: [
      { name: 'temperature', visitor: { kind: 'sine' } },
      { name: 'humidity', visitor: { kind: 'randomWalk', min: 50, max: 10, step: -1 } },
    ],
  });
  await expect(h.peer.call(h.peer.mapper().registerDevice, { device: bad })).rejects.toMatchObject({
    details: expect.stringMatching(
      /configData\.kind: not an allowed value \(got "sine"\); write one of randomWalk, actuator.*configData\.min: is above max 10 \(got 50\); swap min and max.*configData\.step: is negative/,
    ),
  });
});
