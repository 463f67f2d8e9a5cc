/** A Device's DeviceStatus against the real API server: created owned, adopted when made by hand, replaced when stale. */
import { DEVICE_RESOURCES, type Device, type DeviceStatusObject } from '../../pkg/devices';
import { ensureDeviceCRDs } from '../../pkg/devices/crds';
import { createClient, loadKubeConfig, type Client } from '../../pkg/kube';
import { TestControlPlane, testLogger } from '../../pkg/kube/testing/control-plane';
import { ensureDeviceStatus, ownerReferenceTo, statusAction } from './device-status';
import { modbusDevice } from './testing/hub';

jest.setTimeout(30_000);

let plane: TestControlPlane;
let client: Client;
const devices = () => client.resource<Device>(DEVICE_RESOURCES.devices);
const statuses = () => client.resource<DeviceStatusObject>(DEVICE_RESOURCES.deviceStatuses);

async function createDevice(name: string): Promise<Device> {
  const d = modbusDevice();
  d.metadata = { name, namespace: 'default' };
  return devices().create(d);
}

beforeAll(async () => {
  plane = new TestControlPlane(testLogger());
  const { kubeconfigPath } = await plane.start();
  client = createClient(loadKubeConfig({ kubeconfigPath, qps: 100, burst: 200 }));
  await ensureDeviceCRDs(client);
});

afterAll(async () => {
  await plane.dispose();
});

test('created empty, owned by the device; then nothing to do', async () => {
  const device = await createDevice('s1');
  const status = await ensureDeviceStatus(client, device, undefined);
  expect(status).toMatchObject({ kind: 'DeviceStatus', metadata: { name: 's1', namespace: 'default', ownerReferences: [ownerReferenceTo(device)] }, spec: {} });
  expect(statusAction(device, status)).toBe('none');
  // Made meanwhile by another worker: AlreadyExists, read, and judged fine.
  expect((await ensureDeviceStatus(client, device, undefined))?.metadata?.uid).toBe(status!.metadata!.uid);
});

test('one made by hand is adopted, keeping its other owners', async () => {
  const device = await createDevice('s2');
  const other = { apiVersion: 'v1', kind: 'ConfigMap', name: 'notes', uid: '0b5f1d2e-0000-4000-8000-000000000001' };
  const manual = await statuses().create({ apiVersion: 'devices.kubeedge.io/v1beta1', kind: 'DeviceStatus', metadata: { name: 's2', namespace: 'default', ownerReferences: [other] }, spec: {} });
  expect(statusAction(device, manual)).toBe('adopt');
  const adopted = await ensureDeviceStatus(client, device, manual);
  expect(adopted?.metadata?.ownerReferences).toEqual([other, ownerReferenceTo(device)]);
  expect(adopted?.metadata?.uid).toBe(manual.metadata!.uid);
});

test('one left by an earlier Device of the same name is deleted, and a new one made', async () => {
  const first = await createDevice('s3');
  const old = await ensureDeviceStatus(client, first, undefined);
  await devices().delete('s3', { namespace: 'default' }); // no garbage collector runs here
  const second = await createDevice('s3');
  expect(statusAction(second, old)).toBe('replace');
  expect(await ensureDeviceStatus(client, second, old)).toBeUndefined();
  await expect(statuses().get('s3', { namespace: 'default' })).rejects.toMatchObject({ code: 404 });
  const fresh = await ensureDeviceStatus(client, second, undefined);
  expect(fresh?.metadata?.ownerReferences).toEqual([ownerReferenceTo(second)]);
});
