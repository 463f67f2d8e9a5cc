/**
 * DeviceController's downstream against the real embedded API server, in a real module runtime beside a stand-in
 * CloudHub that keeps what it is sent: which node gets which device and model, in which order, with which version;
 * moves, deletes, reconnects; and, with the real delivery records (ObjectSync), a restart that missed a move.
 */
import { setMaxListeners } from 'node:events';
import { Registry } from 'prom-client';
import { DEVICE_RESOURCES, type Device, type DeviceModel, type DeviceStatusObject } from '../../pkg/devices';
import { createClient, loadKubeConfig, RESOURCES, type Client, type KubeObject } from '../../pkg/kube';
import { TestControlPlane, testLogger } from '../../pkg/kube/testing/control-plane';
import { newMessage, Operation, operationName, readJsonContent, type Message } from '../../pkg/message';
import { DeliveredIndex, DeliveryRecorder, ensureReliableSyncCRDs } from '../../pkg/reliablesync';
import { eventually } from '../../pkg/reliablesync/testing/env';
import type { ModuleRuntime } from '../../pkg/modules';
import { EDGE_NODE_LABEL, type DeviceControllerOptions } from './index';
import { modbusDevice, modbusModel, startWithStandInHub } from './testing/hub';

jest.setTimeout(30_000);

const log = testLogger();
let plane: TestControlPlane;
let client: Client;
let runtime: ModuleRuntime | undefined;
let received: Message[];

const devices = () => client.resource<Device>(DEVICE_RESOURCES.devices);
const models = () => client.resource<DeviceModel>(DEVICE_RESOURCES.deviceModels);
const rv = (object: KubeObject): string => object.metadata?.resourceVersion ?? '';

/** What the stand-in CloudHub got (for one node), as "operation resource@resourceVersion". */
function seen(node?: string): string[] {
  return received
    .filter((m) => node === undefined || m.route!.resource.startsWith(`node/${node}/`))
    .map((m) => `${operationName(m.route!.operation)} ${m.route!.resource}@${m.header!.resourceVersion}`);
}

function start(options: Partial<DeviceControllerOptions> = {}): void {
  ({ runtime, received } = startWithStandInHub({ client, ...options }, log));
}

async function stop(): Promise<void> {
  await runtime?.stop(5_000);
  runtime = undefined;
}

function device(name: string, nodeName: string | undefined, model: string): Device {
  const d = modbusDevice();
  d.metadata = { name, namespace: 'default' };
  d.spec!.deviceModelRef = { name: model };
  if (nodeName === undefined) delete d.spec!.nodeName;
  else d.spec!.nodeName = nodeName;
  return d;
}

function model(name: string): DeviceModel {
  const m = modbusModel();
  m.metadata = { name, namespace: 'default' };
  return m;
}

beforeAll(async () => {
  setMaxListeners(0);
  plane = new TestControlPlane(log);
  const { kubeconfigPath } = await plane.start();
  client = createClient(loadKubeConfig({ kubeconfigPath, qps: 500, burst: 1000 }));
  for (const [name, labels] of [
    ['edge-1', { [EDGE_NODE_LABEL]: '' }],
    ['edge-2', { [EDGE_NODE_LABEL]: '' }],
    ['cloud-1', {}],
  ] as const) {
    await client.resource(RESOURCES.nodes).create({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels } });
  }
});

afterEach(stop);

afterAll(async () => {
  await plane.dispose();
});

test('a node gets the model before the device, changes follow within a second, a move and a delete clean up in order', async () => {
  start();
  // The module installs the CRDs itself: wait until they are served before writing objects.
  await eventually(async () => (await devices().list({ namespace: 'default' }).then(() => true, () => false)), 15_000, 'devices served');
  const m = await models().create(model('thermo'));
  const d = await devices().create(device('t1', 'edge-1', 'thermo'));

  await eventually(() => seen('edge-1').length >= 2, 10_000, 'model and device on edge-1');
  expect(seen('edge-1')).toEqual([
    `insert node/edge-1/default/devicemodel/thermo@${rv(m)}`,
    `insert node/edge-1/default/device/t1@${rv(d)}`,
  ]);
  const sentDevice = received.find((msg) => msg.route!.resource.endsWith('/device/t1'))!;
  expect(sentDevice.route!.group).toBe('resource');
  expect(sentDevice.route!.source).toBe('devicecontroller');
  const content = readJsonContent(sentDevice) as Device;
  expect(content).toMatchObject({ apiVersion: 'devices.kubeedge.io/v1beta1', kind: 'Device', metadata: { uid: d.metadata!.uid } });
  expect(content.spec?.protocol?.configData).toEqual({ ip: '127.0.0.1', port: 5020, slaveID: 1, timeout: 1000 });

  // A desired value set in Kubernetes: one update of the device, at once.
  received.length = 0;
  const started = Date.now();
  const properties = d.spec!.properties!.map((p) => (p.name === 'temperature' ? { ...p, desired: { value: '42' } } : p));
  const changed = await devices().patch('t1', { spec: { properties } }, { type: 'merge', namespace: 'default' });
  await eventually(() => seen().length >= 1, 5_000, 'the update');
  expect(Date.now() - started).toBeLessThan(1_000);
  expect(seen()).toEqual([`update node/edge-1/default/device/t1@${rv(changed)}`]);
  const desired = (readJsonContent(received[0]!) as Device).spec!.properties!.find((p) => p.name === 'temperature')!.desired;
  expect(desired).toEqual({ value: '42' });

  // Moved to edge-2: edge-2 gets model then device; edge-1 loses the device, then the model no device there uses.
  received.length = 0;
  const moved = await devices().patch('t1', { spec: { nodeName: 'edge-2' } }, { type: 'merge', namespace: 'default' });
  await eventually(() => seen().length >= 4, 10_000, 'the move');
  expect(seen('edge-2')).toEqual([`insert node/edge-2/default/devicemodel/thermo@${rv(m)}`, `insert node/edge-2/default/device/t1@${rv(moved)}`]);
  expect(seen('edge-1')).toEqual([`delete node/edge-1/default/device/t1@${rv(moved)}`, `delete node/edge-1/default/devicemodel/thermo@${rv(m)}`]);

  // A model change goes where it is used, and only there.
  received.length = 0;
  const m2 = await models().patch('thermo', { spec: { protocol: 'modbus-tcp' } }, { type: 'merge', namespace: 'default' });
  await eventually(() => seen().length >= 1, 5_000, 'the model update');
  expect(seen()).toEqual([`update node/edge-2/default/devicemodel/thermo@${rv(m2)}`]);

  // Deleted: the device goes, then its model.
  received.length = 0;
  await devices().delete('t1', { namespace: 'default' });
  await eventually(() => seen().length >= 2, 10_000, 'the deletes');
  expect(seen().map((s) => s.replace(/@.*/, ''))).toEqual(['delete node/edge-2/default/device/t1', 'delete node/edge-2/default/devicemodel/thermo']);
  const deleted = readJsonContent(received[0]!) as Device;
  expect(deleted.metadata?.uid).toBe(d.metadata!.uid);
  expect(deleted.spec?.protocol?.protocolName).toBe('modbus'); // the edge picks the mapper by it
  await models().delete('thermo', { namespace: 'default' });
});

test('devices on a cloud node or on no node stay in the cloud; each device gets its own DeviceStatus', async () => {
  start();
  await eventually(async () => (await devices().list({ namespace: 'default' }).then(() => true, () => false)), 15_000, 'devices served');
  await models().create(model('lamp'));
  const inCloud = await devices().create(device('c1', 'cloud-1', 'lamp'));
  const unbound = await devices().create(device('u1', undefined, 'lamp'));
  const statuses = client.resource<DeviceStatusObject>(DEVICE_RESOURCES.deviceStatuses);
  for (const owner of [inCloud, unbound]) {
    let status: DeviceStatusObject | undefined;
    await eventually(async () => (status = await statuses.get(owner.metadata!.name!, { namespace: 'default' }).catch(() => undefined)) !== undefined, 10_000, 'DeviceStatus');
    expect(status!.metadata!.ownerReferences).toEqual([
      { apiVersion: 'devices.kubeedge.io/v1beta1', kind: 'Device', name: owner.metadata!.name, uid: owner.metadata!.uid, controller: true, blockOwnerDeletion: true },
    ]);
  }
  // A DeviceStatus deleted by hand comes back.
  await statuses.delete('u1', { namespace: 'default' });
  await eventually(async () => (await statuses.get('u1', { namespace: 'default' }).catch(() => undefined))?.metadata?.uid !== undefined, 10_000, 'DeviceStatus back');
  expect(seen()).toEqual([]);
  await devices().delete('c1', { namespace: 'default' });
  await devices().delete('u1', { namespace: 'default' });
});

test('a node that reconnects is sent what it needs again', async () => {
  start();
  await eventually(async () => (await devices().list({ namespace: 'default' }).then(() => true, () => false)), 15_000, 'devices served');
  const m = await models().create(model('fan'));
  const d = await devices().create(device('f1', 'edge-1', 'fan'));
  await eventually(() => seen('edge-1').length >= 2, 10_000, 'first delivery');
  received.length = 0;
  await runtime!.send('devicecontroller', newMessage({ source: 'cloudhub', group: 'resource', operation: Operation.OPERATION_CONNECTED, resource: 'node/edge-1' }));
  await eventually(() => seen('edge-1').length >= 2, 5_000, 'resend');
  expect(seen()).toEqual([`insert node/edge-1/default/devicemodel/fan@${rv(m)}`, `insert node/edge-1/default/device/f1@${rv(d)}`]);
  await devices().delete('f1', { namespace: 'default' });
  await models().delete('fan', { namespace: 'default' });
});

test('with the delivery records, a restarted controller deletes what moved while it was down (and the records accept these messages)', async () => {
  await ensureReliableSyncCRDs(client);
  const registry = new Registry();
  const index = new DeliveredIndex({ client, log, registry });
  const indexRun = new AbortController();
  const indexDone = index.start(indexRun.signal);
  const recorder = new DeliveryRecorder({ client, log, registry, cache: index });
  try {
    start({ delivered: index });
    await eventually(async () => (await devices().list({ namespace: 'default' }).then(() => true, () => false)), 15_000, 'devices served');
    await models().create(model('pump'));
    const d = await devices().create(device('p1', 'edge-1', 'pump'));
    await eventually(() => seen('edge-1').length >= 2, 10_000, 'first delivery');
    // What CloudHub does when edge-1 acks them: record the delivery.
    for (const message of received) expect(await recorder.delivered('edge-1', message)).not.toBe('skipped');
    await eventually(() => index.deliveredVersion('edge-1', d.metadata!.uid!) === rv(d), 10_000, 'the record');
    await stop();

    // cloudcore is down while the device moves to edge-2.
    const moved = await devices().patch('p1', { spec: { nodeName: 'edge-2' } }, { type: 'merge', namespace: 'default' });
    start({ delivered: index });
    await eventually(() => seen('edge-1').length >= 2 && seen('edge-2').length >= 2, 15_000, 'cleanup and delivery');
    expect(seen('edge-1').map((s) => s.replace(/@.*/, ''))).toEqual(['delete node/edge-1/default/device/p1', 'delete node/edge-1/default/devicemodel/pump']);
    expect(seen('edge-1')[0]).toBe(`delete node/edge-1/default/device/p1@${rv(moved)}`);
    expect(seen('edge-2').map((s) => s.replace(/@.*/, ''))).toEqual(['insert node/edge-2/default/devicemodel/pump', 'insert node/edge-2/default/device/p1']);
    await devices().delete('p1', { namespace: 'default' });
    await models().delete('pump', { namespace: 'default' });
  } finally {
    await stop();
    indexRun.abort();
    await indexDone;
  }
});
