/**
 * The SyncController module end to end: the real embedded API server, a module runtime, and a stand-in for cloudhub
 * that records what it is sent and acknowledges it the way cloudhub does after an edge ack (through the recorder).
 */
import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { RESOURCES, type Client, type KubeObject } from '../../pkg/kube';
import { ModuleRuntime, type Module, type ModuleContext } from '../../pkg/modules';
import { newMessage, Operation, readJsonContent, type Message } from '../../pkg/message';
import { CLUSTER_OBJECT_SYNCS, DeliveryRecorder, OBJECT_SYNCS, objectSyncName, type ObjectSyncRecord } from '../../pkg/reliablesync';
import { deliveredMessage, eventually, fakeConfigMap, startSyncTestEnv, type SyncTestEnv } from '../../pkg/reliablesync/testing/env';
import { createSyncController, type SyncController } from './sync-controller';
import type { SyncControllerOptions } from './options';

jest.setTimeout(40_000);

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

/** Stands in for cloudhub: keeps every message, and (when acking) records it as delivered, as cloudhub does. */
class FakeCloudHub implements Module {
  readonly name = 'cloudhub';
  readonly group = 'cloudhub';
  readonly received: Message[] = [];
  ack = true;

  constructor(private readonly recorder: DeliveryRecorder) {}

  async run(ctx: ModuleContext): Promise<void> {
    for await (const message of ctx.receive()) {
      this.received.push(message);
      const node = message.route!.resource.split('/')[1]!;
      if (this.ack) await this.recorder.delivered(node, message);
    }
  }

  about(name: string): Message[] {
    return this.received.filter((m) => m.route!.resource.endsWith(`/${name}`));
  }
}

let env: SyncTestEnv;
let client: Client;
let recorder: DeliveryRecorder;

beforeAll(async () => {
  env = await startSyncTestEnv();
  client = env.client;
  recorder = new DeliveryRecorder({ client, log: env.log });
  for (const name of ['edge-1', 'edge-2', 'edge-3']) await client.resource(RESOURCES.nodes).create({ apiVersion: 'v1', kind: 'Node', metadata: { name } });
});
afterAll(() => env?.stop());

const configMaps = () => client.resource<ConfigMap>(RESOURCES.configMaps);
const createConfigMap = (name: string, data: Record<string, string> = { v: '1' }) =>
  configMaps().create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data });
/** As if `node` had acknowledged `object` at its current version. */
const delivered = (node: string, object: KubeObject) => recorder.delivered(node, deliveredMessage(node, object));
const recordOf = (node: string, object: KubeObject) =>
  client.resource<ObjectSyncRecord>(OBJECT_SYNCS).get(objectSyncName(node, object.metadata!.uid!), { namespace: 'default' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Running {
  runtime: ModuleRuntime;
  hub: FakeCloudHub;
  controller: SyncController;
  registry: Registry;
  connect(node: string, operation?: Operation): Promise<void>;
}

async function startController(options: Partial<SyncControllerOptions>): Promise<Running> {
  const registry = new Registry();
  const runtime = new ModuleRuntime({ log: env.log, restart: { enabled: false, initialDelayMs: 100, maxDelayMs: 100 } });
  const hub = new FakeCloudHub(recorder);
  const controller = createSyncController({ client, log: env.log, registry, ...options });
  runtime.register(hub);
  runtime.register(controller);
  runtime.start();
  const connect = (node: string, operation = Operation.OPERATION_CONNECTED) =>
    runtime.send('synccontroller', newMessage({ source: 'cloudhub', group: 'resource', operation, resource: `node/${node}` }));
  return { runtime, hub, controller, registry, connect };
}

describe('SyncController, periodic passes over connected nodes', () => {
  const PERIOD_MS = 300;
  let running: Running;
  let ghostRecords: string[];
  let keptRecord: ObjectSyncRecord;

  beforeAll(async () => {
    // Records left behind by a node that has since been deleted, and one of a node that still exists.
    const ghostObjects = [fakeConfigMap('ghost-a', '3'), fakeConfigMap('ghost-b', '4')];
    for (const object of ghostObjects) await delivered('ghost-node', object);
    ghostRecords = ghostObjects.map((o) => objectSyncName('ghost-node', o.metadata!.uid!));
    const kept = await createConfigMap('kept');
    await delivered('edge-1', kept);
    keptRecord = await recordOf('edge-1', kept);

    running = await startController({ periodMs: PERIOD_MS });
    await running.connect('edge-1');
  });
  afterAll(() => running?.runtime.stop(5000));

  it('removes the records of nodes that no longer exist at start, and keeps the others', async () => {
    const records = client.resource<ObjectSyncRecord>(OBJECT_SYNCS);
    await eventually(async () => (await records.list({ namespace: 'default' })).items.every((r) => !ghostRecords.includes(r.metadata!.name!)), 10_000, 'ghost records removed');
    await expect(records.get(keptRecord.metadata!.name!, { namespace: 'default' })).resolves.toMatchObject({ metadata: { uid: keptRecord.metadata!.uid } });
    expect(await running.registry.getSingleMetricAsString('synccontroller_records_removed_total')).toMatch(/ 2$/m);
  });

  it('sends nothing for an object the node already has', async () => {
    const steady = await createConfigMap('steady');
    await delivered('edge-1', steady);
    await sleep(PERIOD_MS * 4);
    expect(running.hub.about('steady')).toEqual([]);
  });

  it('sends an update when a configmap changed, and stops once the node acknowledged it', async () => {
    const cm = await createConfigMap('changed', { v: '1' });
    await delivered('edge-1', cm);
    const changed = await configMaps().update({ ...cm, data: { v: '2' } });
    await eventually(() => running.hub.about('changed').length > 0, 5000, 'update sent');
    const [update] = running.hub.about('changed');
    expect(update!.route).toMatchObject({ source: 'synccontroller', group: 'resource', operation: Operation.OPERATION_UPDATE, resource: 'node/edge-1/default/configmap/changed' });
    expect(update!.header!.resourceVersion).toBe(changed.metadata!.resourceVersion);
    expect(readJsonContent(update!)).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { uid: cm.metadata!.uid }, data: { v: '2' } });
    await eventually(async () => (await recordOf('edge-1', cm)).status?.objectResourceVersion === changed.metadata!.resourceVersion, 5000, 'ack recorded');
    // The index may need a moment to see the ack; after that, passes find the node in sync.
    await sleep(PERIOD_MS * 2);
    const settled = running.hub.about('changed').length;
    await sleep(PERIOD_MS * 4);
    expect(running.hub.about('changed')).toHaveLength(settled);
  });

  it('sends a delete when the configmap was deleted, and the record goes with its ack', async () => {
    const cm = await createConfigMap('deleted');
    await delivered('edge-1', cm);
    const recorded = cm.metadata!.resourceVersion;
    await configMaps().delete('deleted', { namespace: 'default' });
    await eventually(() => running.hub.about('deleted').length > 0, 5000, 'delete sent');
    const [message] = running.hub.about('deleted');
    expect(message!.route).toMatchObject({ operation: Operation.OPERATION_DELETE, resource: 'node/edge-1/default/configmap/deleted' });
    expect(message!.header!.resourceVersion).toBe(recorded);
    expect(readJsonContent(message!)).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'deleted', namespace: 'default', uid: cm.metadata!.uid, resourceVersion: recorded },
    });
    await eventually(() => recordOf('edge-1', cm).then(() => false, (error: { code?: number }) => error.code === 404), 5000, 'record removed');
  });

  it('sends a delete of the old object when the configmap was recreated with another uid', async () => {
    const first = await createConfigMap('recreated', { generation: 'first' });
    await delivered('edge-1', first);
    await configMaps().delete('recreated', { namespace: 'default' });
    const second = await createConfigMap('recreated', { generation: 'second' });
    expect(second.metadata!.uid).not.toBe(first.metadata!.uid);
    await eventually(() => running.hub.about('recreated').length > 0, 5000, 'delete sent');
    const [message] = running.hub.about('recreated');
    expect(message!.route!.operation).toBe(Operation.OPERATION_DELETE);
    expect(readJsonContent(message!)).toMatchObject({ metadata: { uid: first.metadata!.uid } });
    // The new object was never delivered by anyone, so it is not the SyncController's to send.
    await sleep(PERIOD_MS * 3);
    expect(running.hub.about('recreated').every((m) => m.route!.operation === Operation.OPERATION_DELETE)).toBe(true);
  });

  it('sends updates for cluster-scoped objects from ClusterObjectSync records', async () => {
    const namespaces = client.resource<KubeObject>(RESOURCES.namespaces);
    const ns = await namespaces.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sync-ns' } });
    await delivered('edge-1', ns);
    await expect(client.resource(CLUSTER_OBJECT_SYNCS).get(objectSyncName('edge-1', ns.metadata!.uid!))).resolves.toBeDefined();
    const labelled = await namespaces.update({ ...ns, metadata: { ...ns.metadata, labels: { touched: 'yes' } } });
    await eventually(() => running.hub.about('sync-ns').length > 0, 5000, 'update sent');
    const [update] = running.hub.about('sync-ns');
    expect(update!.route!.resource).toBe('node/edge-1/null/namespace/sync-ns');
    expect(update!.header!.resourceVersion).toBe(labelled.metadata!.resourceVersion);
  });

  it('reads objects of grouped APIs by their kind (discovery)', async () => {
    const leases = client.resource<KubeObject & { spec?: Record<string, unknown> }>(RESOURCES.leases);
    const lease = await leases.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'sync-lease', namespace: 'default' }, spec: { holderIdentity: 'a' } });
    await delivered('edge-1', lease);
    const renewed = await leases.update({ ...lease, spec: { holderIdentity: 'b' } });
    await eventually(() => running.hub.about('sync-lease').length > 0, 5000, 'update sent');
    const [update] = running.hub.about('sync-lease');
    expect(update!.route!.resource).toBe('node/edge-1/default/lease/sync-lease');
    expect(readJsonContent(update!)).toMatchObject({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { resourceVersion: renewed.metadata!.resourceVersion } });
  });

  it('leaves nodes that are not connected to this cloudcore alone, and counts kinds it cannot read', async () => {
    const cm = await createConfigMap('away');
    await delivered('edge-2', cm);
    await configMaps().update({ ...cm, data: { v: 'changed while away' } });
    await recorder.delivered('edge-1', deliveredMessage('edge-1', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'default', uid: randomUUID(), resourceVersion: '1' } }));
    await sleep(PERIOD_MS * 4);
    expect(running.hub.about('away')).toEqual([]);
    expect(running.hub.about('w')).toEqual([]);
    expect(await running.registry.getSingleMetricAsString('synccontroller_errors_total')).toMatch(/reason="unknown_kind"} [1-9]/);

    // Once edge-2 connects here, what it missed goes out; after it disconnects, nothing more.
    running.hub.ack = false;
    await running.connect('edge-2');
    await eventually(() => running.hub.about('away').length > 0, 5000, 'update after connect');
    await running.connect('edge-2', Operation.OPERATION_DISCONNECTED);
    await sleep(PERIOD_MS);
    const sent = running.hub.about('away').length;
    await sleep(PERIOD_MS * 3);
    expect(running.hub.about('away')).toHaveLength(sent);
    expect(running.controller.connectedNodes()).toEqual(['edge-1']);
    running.hub.ack = true;
  });
});

describe('SyncController, on reconnect', () => {
  let running: Running;
  afterAll(() => running?.runtime.stop(5000));

  it('reacts to CONNECTED at once, long before the next period', async () => {
    const cm = await createConfigMap('missed');
    await delivered('edge-3', cm);
    await configMaps().update({ ...cm, data: { v: 'missed update' } });
    running = await startController({ periodMs: 60_000 });
    await eventually(() => running.controller.index.hasSynced(), 10_000, 'index synced');
    await sleep(500);
    expect(running.hub.about('missed')).toEqual([]);
    const connectedAt = Date.now();
    await running.connect('edge-3');
    await eventually(() => running.hub.about('missed').length > 0, 5000, 'update after CONNECTED');
    expect(Date.now() - connectedAt).toBeLessThan(5000);
    expect(readJsonContent(running.hub.about('missed')[0]!)).toMatchObject({ data: { v: 'missed update' } });
    // And it stops promptly when told to: nothing left running past the grace period.
    expect(await running.runtime.stop(5000)).toEqual([]);
  });
});

describe('SyncController, when passes fail', () => {
  it('backs off per node instead of retrying every period', async () => {
    const cm = await createConfigMap('unsendable');
    await delivered('edge-3', cm);
    await configMaps().update({ ...cm, data: { v: 'cannot be sent' } });
    // No cloudhub registered: every send fails, so every pass over edge-3 fails.
    const registry = new Registry();
    const runtime = new ModuleRuntime({ log: env.log, restart: { enabled: false, initialDelayMs: 100, maxDelayMs: 100 } });
    runtime.register(createSyncController({ client, log: env.log, registry, periodMs: 100, retry: { initialMs: 1000, maxMs: 60_000 } }));
    runtime.start();
    try {
      await runtime.send('synccontroller', newMessage({ source: 'cloudhub', group: 'resource', operation: Operation.OPERATION_CONNECTED, resource: 'node/edge-3' }));
      const failures = async () => {
        const text = await registry.getSingleMetricAsString('synccontroller_errors_total');
        return Number(/reason="reconcile_failed"} (\d+)/.exec(text)?.[1] ?? 0);
      };
      await eventually(async () => (await failures()) >= 1, 10_000, 'first failure');
      await sleep(2500);
      // Attempts at about 0 s, 1 s and 3 s; retrying every 100 ms period would have made about 25.
      const count = await failures();
      expect(count).toBeGreaterThanOrEqual(2);
      expect(count).toBeLessThanOrEqual(4);
    } finally {
      await runtime.stop(5000);
    }
  });
});
