/**
 * The status writer on its own against the real API server, with its caches handed in (small read-only doubles, so a
 * test can make them stale): the window, a stale base (409, re-read, rebuilt), a device gone before its write, and
 * the overflow policy. The module tests (upstream.test.ts) run it with real informers.
 */
import { Registry } from 'prom-client';
import { DEVICE_RESOURCES, type Device, type DeviceStatusObject } from '../../pkg/devices';
import { DEVICE_CRD_FILES, deviceCRDs, ensureDeviceCRDs } from '../../pkg/devices/crds';
import { ensureCRDs } from '../../pkg/kube/ensure-crds';
import { createClient, loadKubeConfig, type CacheReader, type Client, type KubeObject } from '../../pkg/kube';
import { TestControlPlane, testLogger } from '../../pkg/kube/testing/control-plane';
import { ensureDeviceStatus } from './device-status';
import { DeviceReportError } from './errors';
import { createMetrics } from './metrics';
import { emptyReport, type StatusReport } from './status-report';
import { StatusWriter, type StatusWriterOptions } from './status-writer';
import { modbusDevice } from './testing/hub';

jest.setTimeout(30_000);

const log = testLogger();
let plane: TestControlPlane;
let client: Client;

/** A cache that answers what the test put in it. */
class MapCache<T extends KubeObject> implements CacheReader<T> {
  readonly items = new Map<string, T>();
  get size(): number {
    return this.items.size;
  }
  get(key: string): T | undefined {
    return this.items.get(key);
  }
  keys(): string[] {
    return [...this.items.keys()];
  }
  list(): T[] {
    return [...this.items.values()];
  }
  byIndex(): T[] {
    throw new Error('no indexes here');
  }
  indexKeys(): string[] {
    throw new Error('no indexes here');
  }
}

function temperature(value: string): StatusReport {
  const report = emptyReport();
  report.twins.set('temperature', { kind: 'set', reset: false, reported: { value } });
  return report;
}

async function deviceWithStatus(name: string): Promise<{ device: Device; status: DeviceStatusObject }> {
  const d = modbusDevice();
  d.metadata = { name, namespace: 'default' };
  const device = await client.resource<Device>(DEVICE_RESOURCES.devices).create(d);
  const status = (await ensureDeviceStatus(client, device, undefined))!;
  return { device, status };
}

function writer(registry: Registry, devices: MapCache<Device>, statuses: MapCache<DeviceStatusObject>, extra: Partial<StatusWriterOptions> = {}): StatusWriter {
  return new StatusWriter({ client, devices, statuses, metrics: createMetrics(registry), log, registry, ...extra });
}

async function count(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
  return values.filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val)).reduce((sum, v) => sum + v.value, 0);
}

/** Offers a report and resolves once it is written (rejects with why not). */
const offered = (w: StatusWriter, key: string, report: StatusReport): Promise<void> =>
  new Promise((resolve, reject) => w.offer(key, report, (error) => (error === undefined ? resolve() : reject(error as Error))));

beforeAll(async () => {
  plane = new TestControlPlane(log);
  const { kubeconfigPath } = await plane.start();
  client = createClient(loadKubeConfig({ kubeconfigPath, qps: 500, burst: 1000 }));
  await ensureDeviceCRDs(client);
});

afterAll(async () => {
  await plane.dispose();
});

test('reports within the window become one patch', async () => {
  const { device, status } = await deviceWithStatus('w1');
  const devices = new MapCache<Device>();
  const statuses = new MapCache<DeviceStatusObject>();
  devices.items.set('default/w1', device);
  statuses.items.set('default/w1', status);
  const registry = new Registry();
  const w = writer(registry, devices, statuses, { windowMs: 50 });
  const run = new AbortController();
  const running = w.run(run.signal);
  try {
    await Promise.all(['1', '2', '3'].map((value) => offered(w, 'default/w1', temperature(value))));
    expect(await count(registry, 'devicecontroller_status_patches_total', { result: 'written' })).toBe(1);
    const stored = await client.resource<DeviceStatusObject>(DEVICE_RESOURCES.deviceStatuses).get('w1', { namespace: 'default' });
    expect(stored.status?.twins).toEqual([{ propertyName: 'temperature', reported: { value: '3' } }]);
  } finally {
    run.abort();
    await running;
  }
});

test('a stale base (someone wrote since) gets a 409, is read again, and nothing they wrote is lost', async () => {
  const { device, status } = await deviceWithStatus('w2');
  const api = client.resource<DeviceStatusObject>(DEVICE_RESOURCES.deviceStatuses);
  await api.patch('w2', { status: { twins: [{ propertyName: 'other', reported: { value: 'kept' } }] } }, { type: 'merge', subresource: 'status', namespace: 'default' });
  const devices = new MapCache<Device>();
  const statuses = new MapCache<DeviceStatusObject>();
  devices.items.set('default/w2', device);
  statuses.items.set('default/w2', status); // from before the write above
  const registry = new Registry();
  const w = writer(registry, devices, statuses, { windowMs: 1 });
  const run = new AbortController();
  const running = w.run(run.signal);
  try {
    await offered(w, 'default/w2', temperature('5'));
    expect(await count(registry, 'devicecontroller_status_patches_total', { result: 'conflict' })).toBe(1);
    expect((await api.get('w2', { namespace: 'default' })).status?.twins).toEqual([
      { propertyName: 'other', reported: { value: 'kept' } },
      { propertyName: 'temperature', reported: { value: '5' } },
    ]);
  } finally {
    run.abort();
    await running;
  }
});

test('a device gone before its write is skipped; a full queue refuses reports for more devices', async () => {
  const registry = new Registry();
  const w = writer(registry, new MapCache<Device>(), new MapCache<DeviceStatusObject>(), { windowMs: 1, maxDevices: 1 });
  const run = new AbortController();
  const running = w.run(run.signal);
  try {
    await offered(w, 'default/gone', temperature('1'));
    expect(await count(registry, 'devicecontroller_status_patches_total', { result: 'skipped' })).toBe(1);
    expect(await count(registry, 'devicecontroller_status_patches_total', { result: 'written' })).toBe(0);
    w.offer('default/a', temperature('1'));
    expect(() => w.offer('default/b', temperature('1'))).toThrow(DeviceReportError);
    expect(() => w.offer('default/b', temperature('1'))).toThrow(/reports of 1 devices waiting to be written, the most it keeps; resend later/);
    // More for a device already waiting is merged, not refused.
    w.offer('default/a', temperature('2'));
  } finally {
    run.abort();
    await running;
  }
});

test('with a DeviceStatus CRD that has no status subresource (one installed by someone else), status is written with the object', async () => {
  const other = new TestControlPlane(log);
  const { kubeconfigPath } = await other.start();
  const own = client;
  try {
    client = createClient(loadKubeConfig({ kubeconfigPath, qps: 500, burst: 1000 }));
    const crds = deviceCRDs();
    for (const version of crds[2]!.spec['versions'] as Record<string, unknown>[]) delete version['subresources'];
    await ensureCRDs(client, crds.map((crd, i) => ({ crd, served: DEVICE_CRD_FILES[i]!.served })));
    const { device, status } = await deviceWithStatus('k1');
    const devices = new MapCache<Device>();
    const statuses = new MapCache<DeviceStatusObject>();
    devices.items.set('default/k1', device);
    statuses.items.set('default/k1', status);
    const registry = new Registry();
    const w = writer(registry, devices, statuses, { windowMs: 1 });
    const run = new AbortController();
    const running = w.run(run.signal);
    try {
      await offered(w, 'default/k1', temperature('11'));
      await offered(w, 'default/k1', temperature('12'));
      const stored = await client.resource<DeviceStatusObject>(DEVICE_RESOURCES.deviceStatuses).get('k1', { namespace: 'default' });
      expect(stored.status?.twins).toEqual([{ propertyName: 'temperature', reported: { value: '12' } }]);
      expect(await count(registry, 'devicecontroller_status_patches_total', { result: 'written' })).toBe(2);
    } finally {
      run.abort();
      await running;
    }
  } finally {
    client = own;
    await other.dispose();
  }
});
