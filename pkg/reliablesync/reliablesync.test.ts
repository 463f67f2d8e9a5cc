/** CRDs, the delivery recorder and the index against the real embedded API server. */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Client, KubeObject } from '../kube';
import { Operation } from '../message';
import { RELIABLE_SYNC_CRDS } from './crds';
import { DeliveredIndex } from './delivered-index';
import { ensureReliableSyncCRDs } from './ensure-crds';
import { CLUSTER_OBJECT_SYNCS, NODE_LABEL, OBJECT_SYNCS, nodeSelector, objectSyncName, type ObjectSyncRecord } from './records';
import { DeliveryRecorder } from './recorder';
import { deliveredMessage, eventually, fakeConfigMap, startSyncTestEnv, type SyncTestEnv } from './testing/env';

jest.setTimeout(30_000);

let env: SyncTestEnv;
let client: Client;
let recorder: DeliveryRecorder;

beforeAll(async () => {
  env = await startSyncTestEnv();
  client = env.client;
  recorder = new DeliveryRecorder({ client, log: env.log });
});
afterAll(() => env?.stop());

const objectSyncs = () => client.resource<ObjectSyncRecord>(OBJECT_SYNCS);
const getRecord = (name: string, namespace = 'default') => objectSyncs().get(name, { namespace });

describe('CRDs', () => {
  it('serves ObjectSync (namespaced) and ClusterObjectSync (cluster), and installing again is a no-op', async () => {
    await ensureReliableSyncCRDs(client);
    const crds = client.resource({ apiVersion: 'apiextensions.k8s.io/v1', plural: 'customresourcedefinitions' });
    const objectSync = await crds.get('objectsyncs.reliablesyncs.kubeedge.io');
    const clusterSync = await crds.get('clusterobjectsyncs.reliablesyncs.kubeedge.io');
    expect(objectSync).toMatchObject({ spec: { scope: 'Namespaced', names: { kind: 'ObjectSync' } } });
    expect(clusterSync).toMatchObject({ spec: { scope: 'Cluster', names: { kind: 'ClusterObjectSync' } } });
    expect(RELIABLE_SYNC_CRDS).toHaveLength(2);
    await expect(objectSyncs().list({ namespace: 'default' })).resolves.toMatchObject({ items: expect.any(Array) });
    await expect(client.resource(CLUSTER_OBJECT_SYNCS).list()).resolves.toMatchObject({ items: expect.any(Array) });
  });

  it('shows the object and the delivered version in kubectl get', async () => {
    const cm = fakeConfigMap('printed', '42');
    await recorder.delivered('edge-print', deliveredMessage('edge-print', cm));
    const out = await new Promise<string>((resolve, reject) =>
      execFile('/usr/bin/kubectl', ['get', 'objectsyncs', '-n', 'default', objectSyncName('edge-print', cm.metadata!.uid!)], { env: { ...process.env, KUBECONFIG: env.kubeconfigPath } }, (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
      ),
    );
    expect(out).toMatch(/NAME\s+KIND\s+OBJECT\s+DELIVERED\s+AGE/);
    expect(out).toMatch(/ConfigMap\s+printed\s+42/);
  });
});

describe('DeliveryRecorder', () => {
  it('creates the record after an ack, advances it, never moves it back, and removes it after a delete ack', async () => {
    const uid = randomUUID();
    const name = objectSyncName('edge-1', uid);
    expect(await recorder.delivered('edge-1', deliveredMessage('edge-1', fakeConfigMap('app', '9', uid)))).toBe('created');
    const created = await getRecord(name);
    expect(created).toMatchObject({
      metadata: { labels: { [NODE_LABEL]: 'edge-1' } },
      spec: { objectAPIVersion: 'v1', objectKind: 'ConfigMap', objectName: 'app' },
      status: { objectResourceVersion: '9' },
    });

    // "10" sorts before "9" as a string: the order must be numeric.
    expect(await recorder.delivered('edge-1', deliveredMessage('edge-1', fakeConfigMap('app', '10', uid)))).toBe('updated');
    expect((await getRecord(name)).status?.objectResourceVersion).toBe('10');
    expect(await recorder.delivered('edge-1', deliveredMessage('edge-1', fakeConfigMap('app', '9', uid)))).toBe('unchanged');
    expect(await recorder.delivered('edge-1', deliveredMessage('edge-1', fakeConfigMap('app', '10', uid)))).toBe('unchanged');
    expect((await getRecord(name)).status?.objectResourceVersion).toBe('10');

    const deleted = deliveredMessage('edge-1', fakeConfigMap('app', '10', uid), Operation.OPERATION_DELETE);
    expect(await recorder.delivered('edge-1', deleted)).toBe('deleted');
    await expect(getRecord(name)).rejects.toMatchObject({ code: 404 });
    expect(await recorder.delivered('edge-1', deleted)).toBe('absent');
  });

  it('records cluster-scoped objects in a ClusterObjectSync', async () => {
    const uid = randomUUID();
    const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'edge-1', uid, resourceVersion: '5' } };
    expect(await recorder.delivered('edge-1', deliveredMessage('edge-1', node))).toBe('created');
    const record = await client.resource<ObjectSyncRecord>(CLUSTER_OBJECT_SYNCS).get(objectSyncName('edge-1', uid));
    expect(record).toMatchObject({ kind: 'ClusterObjectSync', spec: { objectKind: 'Node', objectName: 'edge-1' }, status: { objectResourceVersion: '5' } });
  });

  it('keeps the newest version when acks for one object race (409 Conflict is retried)', async () => {
    const uid = randomUUID();
    // Separate recorders do not serialize in-process, so their writes really race at the API server.
    const racers = Array.from({ length: 4 }, () => new DeliveryRecorder({ client, log: env.log, maxConflictRetries: 20 }));
    const versions = ['3', '17', '8', '12', '20', '1', '15', '19'];
    await Promise.all(versions.map((v, i) => racers[i % racers.length]!.delivered('edge-2', deliveredMessage('edge-2', fakeConfigMap('raced', v, uid)))));
    expect((await getRecord(objectSyncName('edge-2', uid))).status?.objectResourceVersion).toBe('20');
  });

  it('recovers from a stale cached record with a reread', async () => {
    const uid = randomUUID();
    await recorder.delivered('edge-3', deliveredMessage('edge-3', fakeConfigMap('cached', '4', uid)));
    const stale = await getRecord(objectSyncName('edge-3', uid));
    await recorder.delivered('edge-3', deliveredMessage('edge-3', fakeConfigMap('cached', '6', uid)));
    const withStaleCache = new DeliveryRecorder({ client, log: env.log, cache: { record: () => stale } });
    expect(await withStaleCache.delivered('edge-3', deliveredMessage('edge-3', fakeConfigMap('cached', '5', uid)))).toBe('unchanged');
    expect(await withStaleCache.delivered('edge-3', deliveredMessage('edge-3', fakeConfigMap('cached', '7', uid)))).toBe('updated');
    expect((await getRecord(objectSyncName('edge-3', uid))).status?.objectResourceVersion).toBe('7');
  });

  it('adds the node label to a record written without it (by KubeEdge\'s cloudcore)', async () => {
    const uid = randomUUID();
    const name = objectSyncName('edge-4', uid);
    await objectSyncs().create({
      apiVersion: 'reliablesyncs.kubeedge.io/v1alpha1',
      kind: 'ObjectSync',
      metadata: { name, namespace: 'default' },
      spec: { objectAPIVersion: 'v1', objectKind: 'ConfigMap', objectName: 'legacy' },
    });
    expect(await recorder.delivered('edge-4', deliveredMessage('edge-4', fakeConfigMap('legacy', '2', uid)))).toBe('updated');
    expect(await getRecord(name)).toMatchObject({ metadata: { labels: { [NODE_LABEL]: 'edge-4' } }, status: { objectResourceVersion: '2' } });
  });

  it('rejects a message with an unreadable resourceVersion, and skips messages with no object', async () => {
    const bad = deliveredMessage('edge-1', fakeConfigMap('bad', '1'), Operation.OPERATION_UPDATE, 'not-a-number');
    await expect(recorder.delivered('edge-1', bad)).rejects.toMatchObject({ code: 'INVALID_RESOURCE_VERSION' });
    const twin = deliveredMessage('edge-1', { metadata: { name: 'x' } } as KubeObject);
    expect(await recorder.delivered('edge-1', twin)).toBe('skipped');
  });
});

describe('DeliveredIndex', () => {
  it('answers deliveredVersion and a node’s records from its cache, following changes', async () => {
    const stop = new AbortController();
    const index = new DeliveredIndex({ client, log: env.log });
    expect(index.deliveredVersion('edge-9', randomUUID())).toBeUndefined();
    const running = index.start(stop.signal);
    try {
      const nsUid = randomUUID();
      const clusterUid = randomUUID();
      await recorder.delivered('edge-9', deliveredMessage('edge-9', fakeConfigMap('indexed', '30', nsUid, 'kube-system')));
      await index.waitForSync(stop.signal);
      await recorder.delivered('edge-9', deliveredMessage('edge-9', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns-x', uid: clusterUid, resourceVersion: '31' } }));
      await eventually(() => index.deliveredVersion('edge-9', clusterUid) === '31', 5000, 'cluster record indexed');
      expect(index.deliveredVersion('edge-9', nsUid)).toBe('30');
      expect(index.deliveredVersion('edge-10', nsUid)).toBeUndefined();
      expect(index.recordsOf('edge-9').map((r) => r.spec?.objectName).sort()).toEqual(['indexed', 'ns-x']);
      expect(index.nodes()).toContain('edge-9');

      await recorder.delivered('edge-9', deliveredMessage('edge-9', fakeConfigMap('indexed', '33', nsUid, 'kube-system')));
      await eventually(() => index.deliveredVersion('edge-9', nsUid) === '33', 5000, 'update seen');

      // The node label lists one node's records through the API as well.
      const listed = await objectSyncs().list({ labelSelector: nodeSelector('edge-9') });
      expect(listed.items.map((r) => r.metadata?.name)).toEqual([objectSyncName('edge-9', nsUid)]);
    } finally {
      stop.abort();
      await running;
    }
    // A second run (a restarted module) lists afresh.
    const again = new AbortController();
    const rerun = index.start(again.signal);
    await index.waitForSync(again.signal);
    expect(index.recordsOf('edge-9')).toHaveLength(2);
    again.abort();
    await rerun;
  });
});
