/**
 * DeviceController's upstream against the real embedded API server: twin and state reports go in as CloudHub hands
 * them over (`node/<node>/device/<ns>/<name>/...`), DeviceStatus is read back with the client; bursts coalesce; bad
 * input is refused, logged with the field and the fix, counted, and harms no other device.
 */
import { setMaxListeners } from 'node:events';
import { Registry } from 'prom-client';
import { DEVICE_RESOURCES, type Device, type DeviceModel, type DeviceStatusObject, type DeviceTwinUpdate, type DeviceStateToCloud } from '../../pkg/devices';
import { createClient, loadKubeConfig, RESOURCES, type Client } from '../../pkg/kube';
import { TestControlPlane } from '../../pkg/kube/testing/control-plane';
import { createLogger } from '../../pkg/log';
import { jsonContent, newMessage, Operation, readErrorContent, type Message } from '../../pkg/message';
import type { ModuleRuntime } from '../../pkg/modules';
import { eventually } from '../../pkg/reliablesync/testing/env';
import { EDGE_NODE_LABEL } from './index';
import { modbusDevice, modbusModel, startWithStandInHub } from './testing/hub';

jest.setTimeout(30_000);

const logLines: Record<string, unknown>[] = [];
const log = createLogger({ level: 'warn', name: 'devicecontroller-test', destination: { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) } });

let plane: TestControlPlane;
let client: Client;
let runtime: ModuleRuntime;
let received: Message[];
let registry: Registry;

const statuses = () => client.resource<DeviceStatusObject>(DEVICE_RESOURCES.deviceStatuses);
const statusOf = (name: string): Promise<DeviceStatusObject['status']> => statuses().get(name, { namespace: 'default' }).then((s) => s.status ?? {});
const tell = (message: Message): Promise<void> => runtime.send('devicecontroller', message);

function twinReport(node: string, device: string, twins: DeviceTwinUpdate['twin'], timestamp = Date.now()): Message {
  return newMessage({
    source: 'edgehub',
    group: 'twin',
    operation: 'update',
    resource: `node/${node}/device/default/${device}/twin/edge_updated`,
    ...jsonContent({ event_id: '', timestamp, twin: twins } satisfies DeviceTwinUpdate),
  });
}

function stateReport(node: string, device: string, state: string, lastOnlineTime: string): Message {
  return newMessage({
    source: 'edgehub',
    group: 'twin',
    operation: 'update',
    resource: `node/${node}/device/default/${device}/state/update`,
    ...jsonContent({ event_id: '', timestamp: Date.now(), device: { name: device, state, lastOnlineTime } } satisfies DeviceStateToCloud),
  });
}

const actual = (value: string, timestamp: number) => ({ actual: { value, metadata: { timestamp } }, metadata: { type: 'int' } });

async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
  const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
  return values.filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val)).reduce((sum, v) => sum + v.value, 0);
}

beforeAll(async () => {
  setMaxListeners(0);
  plane = new TestControlPlane(log);
  const { kubeconfigPath } = await plane.start();
  client = createClient(loadKubeConfig({ kubeconfigPath, qps: 500, burst: 1000 }));
  for (const name of ['edge-1', 'edge-2']) {
    await client.resource(RESOURCES.nodes).create({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { [EDGE_NODE_LABEL]: '' } } });
  }
  registry = new Registry();
  ({ runtime, received } = startWithStandInHub({ client, registry }, log));
  await eventually(async () => client.resource(DEVICE_RESOURCES.devices).list({ namespace: 'default' }).then(() => true, () => false), 15_000, 'devices served');
  await client.resource<DeviceModel>(DEVICE_RESOURCES.deviceModels).create(modbusModel());
  for (const [name, node] of [['t1', 'edge-1'], ['t2', 'edge-1'], ['t3', 'edge-2'], ['t4', 'edge-1'], ['t5', 'edge-1']] as const) {
    const device = modbusDevice();
    device.metadata = { name, namespace: 'default' };
    device.spec!.nodeName = node;
    await client.resource<Device>(DEVICE_RESOURCES.devices).create(device);
  }
  // The controller makes each DeviceStatus; reports are written to them.
  await eventually(async () => (await statuses().list({ namespace: 'default' })).items.length === 5, 10_000, 'five DeviceStatuses');
});

afterAll(async () => {
  await runtime.stop(5_000);
  await plane.dispose();
});

beforeEach(() => {
  logLines.length = 0;
});

test('reported and observed desired values, the state and lastOnlineTime land in DeviceStatus, keyed by property', async () => {
  const started = Date.now();
  await tell(
    twinReport('edge-1', 't1', {
      temperature: { actual: { value: '24', metadata: { timestamp: 1700000000000 } }, expected: { value: '30', metadata: { timestamp: 1700000000001 } }, metadata: { type: 'int' } },
    }),
  );
  await eventually(async () => (await statusOf('t1'))?.twins?.length === 1, 5_000, 'the twin');
  expect(Date.now() - started).toBeLessThan(1_000);
  expect((await statusOf('t1'))?.twins).toEqual([
    {
      propertyName: 'temperature',
      reported: { value: '24', metadata: { timestamp: '1700000000000', type: 'int' } },
      observedDesired: { value: '30', metadata: { timestamp: '1700000000001', type: 'int' } },
    },
  ]);

  // Another property, then a newer temperature: the list keeps both, in place.
  await tell(twinReport('edge-1', 't1', { humidity: { actual: { value: '55.5' } } }));
  await eventually(async () => (await statusOf('t1'))?.twins?.length === 2, 5_000, 'two twins');
  await tell(twinReport('edge-1', 't1', { temperature: actual('25', 1700000001000) }));
  await tell(stateReport('edge-1', 't1', 'online', '2024-05-01T10:00:00Z'));
  await eventually(async () => (await statusOf('t1'))?.state === 'online', 5_000, 'the state');
  const status = await statusOf('t1');
  expect(status).toEqual({
    twins: [
      {
        propertyName: 'temperature',
        reported: { value: '25', metadata: { timestamp: '1700000001000', type: 'int' } },
        observedDesired: { value: '30', metadata: { timestamp: '1700000000001', type: 'int' } },
      },
      { propertyName: 'humidity', reported: { value: '55.5' } },
    ],
    state: 'online',
    lastOnlineTime: '2024-05-01T10:00:00Z',
  });

  // A deleted twin leaves the list.
  await tell(twinReport('edge-1', 't1', { humidity: { metadata: { type: 'deleted' } } }));
  await eventually(async () => (await statusOf('t1'))?.twins?.length === 1, 5_000, 'humidity gone');
  expect(logLines.filter((l) => l['level'] === 'warn')).toEqual([]);
});

test('a burst of 100 reports becomes a few patches, and the last values win', async () => {
  const written = await metric('devicecontroller_status_patches_total', { result: 'written' });
  for (let i = 0; i < 100; i++) {
    const twins: DeviceTwinUpdate['twin'] = { temperature: actual(String(i), 1700000000000 + i) };
    if (i % 10 === 0) twins['humidity'] = { actual: { value: `${i}.5` } };
    void tell(twinReport('edge-1', 't2', twins));
  }
  void tell(stateReport('edge-1', 't2', 'online', '2024-05-01T11:00:00Z'));
  await eventually(async () => (await statusOf('t2'))?.twins?.find((t) => t.propertyName === 'temperature')?.reported?.value === '99', 5_000, 'the last value');
  await eventually(async () => (await statusOf('t2'))?.state === 'online', 5_000, 'the state');
  const status = await statusOf('t2');
  expect(status?.twins?.map((t) => [t.propertyName, t.reported?.value])).toEqual([
    ['temperature', '99'],
    ['humidity', '90.5'],
  ]);
  const patches = (await metric('devicecontroller_status_patches_total', { result: 'written' })) - written;
  expect(patches).toBeGreaterThanOrEqual(1);
  expect(patches).toBeLessThanOrEqual(10);
  expect(await metric('devicecontroller_reports_coalesced_total')).toBeGreaterThanOrEqual(90);
});

test('a sync report is answered once written', async () => {
  const message = twinReport('edge-1', 't4', { temperature: actual('7', 1700000000000) });
  message.header!.sync = true;
  await tell(message);
  await eventually(() => received.some((m) => m.header!.parentId === message.header!.id), 5_000, 'the answer');
  const answer = received.find((m) => m.header!.parentId === message.header!.id)!;
  expect(answer.route!.operation).toBe(Operation.OPERATION_RESPONSE);
  expect((await statusOf('t4'))?.twins?.[0]?.reported?.value).toBe('7');
});

test('status written by someone else in between is kept: the patch is rebuilt on the newer status', async () => {
  await tell(twinReport('edge-1', 't5', { temperature: actual('1', 1) }));
  await eventually(async () => (await statusOf('t5'))?.twins?.length === 1, 5_000, 'first write');
  const current = await statuses().get('t5', { namespace: 'default' });
  await statuses().patch(
    't5',
    { status: { twins: [...current.status!.twins!, { propertyName: 'extra', reported: { value: 'x' } }], extensions: { note: 'by hand' } } },
    { type: 'merge', subresource: 'status', namespace: 'default' },
  );
  await tell(twinReport('edge-1', 't5', { temperature: actual('2', 2) }));
  await eventually(async () => (await statusOf('t5'))?.twins?.[0]?.reported?.value === '2', 5_000, 'second write');
  const status = await statusOf('t5');
  expect(status?.twins?.map((t) => [t.propertyName, t.reported?.value])).toEqual([
    ['temperature', '2'],
    ['extra', 'x'],
  ]);
  expect(status?.extensions).toEqual({ note: 'by hand' });
});

test('a DeviceStatus deleted by hand is made again by the next report', async () => {
  await tell(twinReport('edge-1', 't4', { temperature: actual('8', 8) }));
  await eventually(async () => (await statusOf('t4'))?.twins?.[0]?.reported?.value === '8', 5_000, 'written');
  await statuses().delete('t4', { namespace: 'default' });
  await tell(twinReport('edge-1', 't4', { temperature: actual('9', 9) }));
  await eventually(async () => (await statusOf('t4').catch(() => undefined))?.twins?.[0]?.reported?.value === '9', 5_000, 'written again');
});

test('a batch of several devices\' reports is written entry by entry; a bad entry is refused alone', async () => {
  const batch = (reports: unknown): Message =>
    newMessage({ source: 'edgehub', group: 'twin', operation: 'update', resource: 'node/edge-1/device/batch/report', ...jsonContent(reports) });
  await tell(
    batch({
      reports: [
        { namespace: 'default', name: 't2', twin: { event_id: '', timestamp: 1, twin: { temperature: actual('12', 12) } } },
        { namespace: 'default', name: 't3', twin: { event_id: '', timestamp: 1, twin: { temperature: actual('99', 99) } } },
        { namespace: 'default', name: 't5', twin: { event_id: '', timestamp: 1, twin: { temperature: actual('15', 15) } }, state: { event_id: '', timestamp: 1, device: { name: 't5', state: 'online', lastOnlineTime: '2024-05-01T10:00:00Z' } } },
      ],
    }),
  );
  await eventually(async () => (await statusOf('t5'))?.state === 'online' && (await statusOf('t2'))?.twins?.[0]?.reported?.value === '12', 5_000, 't2 and t5 written');
  expect((await statusOf('t5'))?.twins?.[0]?.reported?.value).toBe('15');
  // t3 belongs to edge-2: that entry alone is refused.
  expect((await statusOf('t3'))?.twins?.[0]?.reported?.value).not.toBe('99');
  await eventually(() => logLines.some((l) => String(l['msg']).includes('device default/t3 is bound to node edge-2, not edge-1')), 5_000, 'the warning');

  await tell(batch({ reports: 'nope' }));
  await tell(batch({ reports: [{ name: 't2' }] }));
  await eventually(() => logLines.filter((l) => String(l['msg']).startsWith('device report refused')).length === 3, 5_000, 'the warnings');
  const texts = logLines.filter((l) => String(l['msg']).startsWith('device report refused')).map((l) => String(l['msg']));
  expect(texts[1]).toMatch(/reports: a JSON string; send \{"reports"/);
  expect(texts[2]).toMatch(/reports\[0\]: needs "namespace" and "name"/);
});

test('bad input is refused with the field and the fix, counted, and other devices are unaffected', async () => {
  const raw = (resource: string, content: Buffer, contentType = 'application/json'): Message =>
    newMessage({ source: 'edgehub', group: 'twin', operation: 'update', resource, content, contentType });
  const twinResource = 'node/edge-1/device/default/t1/twin/edge_updated';
  const bad: [Message, string, RegExp][] = [
    [raw(twinResource, Buffer.from('{"twin": {"temperature": ')), 'invalid', /content: not JSON/],
    [raw(twinResource, Buffer.from('[1,2]')), 'invalid', /content: a JSON array, not an object/],
    [raw(twinResource, Buffer.from('{"event_id":""}')), 'invalid', /twin: missing; send \{"twin"/],
    [twinReport('edge-1', 't1', { 'bad name!': actual('1', 1) }), 'invalid', /twin\["bad name!"\]: not a valid twin name; use 1-128 of/],
    [raw(twinResource, Buffer.from('{"twin":{"temperature":{"actual":{"value":42}}}}')), 'invalid', /twin\.temperature\.actual\.value: a JSON number; twin values are strings, send "42"/],
    [raw('node/edge-1/device/default/t1/state/update', Buffer.from('{"device":{"state":7}}')), 'invalid', /device\.state: 7 is not a non-empty string/],
    [twinReport('edge-1', 'ghost', { temperature: actual('1', 1) }), 'unknown_device', /device default\/ghost does not exist/],
    [twinReport('edge-1', 't3', { temperature: actual('1', 1) }), 'other_node', /device default\/t3 is bound to node edge-2, not edge-1/],
    [raw('node/edge-1/device/default/t1/twin/cloud_updated', Buffer.from('{}')), 'unsupported', /devicecontroller takes device\/<namespace>\/<name>\/twin\/edge_updated/],
    [raw('device/default/t1/twin/edge_updated', Buffer.from('{}')), 'unsupported', /does not start with node\/<node>\//],
  ];
  const before = new Map<string, number>();
  for (const reason of new Set(bad.map(([, r]) => r))) before.set(reason, await metric('devicecontroller_reports_total', { result: reason }));
  const t1Before = (await statusOf('t1'))?.twins;
  for (const [message] of bad) await tell(message);
  // A good report for another device in the middle of it all.
  await tell(twinReport('edge-2', 't3', { temperature: actual('31', 31) }));
  await eventually(async () => (await statusOf('t3'))?.twins?.[0]?.reported?.value === '31', 5_000, 't3 written');
  await eventually(() => logLines.filter((l) => l['msg']?.toString().startsWith('device report refused')).length === bad.length, 5_000, 'the warnings');
  const warnings = logLines.filter((l) => String(l['msg']).startsWith('device report refused'));
  bad.forEach(([message, reason, text], i) => {
    expect(warnings[i]).toMatchObject({ level: 'warn', reason, resource: expect.any(String) });
    expect(String(warnings[i]!['msg'])).toMatch(text);
    expect(message.route!.resource).toContain(String(warnings[i]!['resource']));
  });
  for (const [reason, count] of before) {
    expect(await metric('devicecontroller_reports_total', { result: reason })).toBe(count + bad.filter(([, r]) => r === reason).length);
  }
  // t1 was not touched by any of it.
  expect((await statusOf('t1'))?.twins).toEqual(t1Before);

  // A sync request that is refused is answered with an error that says why.
  const sync = twinReport('edge-1', 'ghost', { temperature: actual('1', 1) });
  sync.header!.sync = true;
  await tell(sync);
  await eventually(() => received.some((m) => m.header!.parentId === sync.header!.id), 5_000, 'the error answer');
  const answer = received.find((m) => m.header!.parentId === sync.header!.id)!;
  expect(answer.route!.operation).toBe(Operation.OPERATION_ERROR);
  expect(readErrorContent(answer)).toEqual({ code: 'unknown_device', message: expect.stringContaining('default/ghost does not exist') });
});
