/**
 * Kill the edge mid-stream: edgecore is killed with SIGKILL while configmap updates pour in, and started again on the
 * same files. It must not join again, its store must be sound, and it must end with the newest version of everything.
 *
 * The stream ends with a burst of updates to every configmap, and the kill lands while the edge is applying that
 * burst. These are the newest versions, and no later update comes to repair a loss: if the edge acknowledged a change
 * before it was durably committed (ack before commit), the cloud would record it as delivered (ObjectSync), never send
 * it again, and the store would be left one version behind.
 */
import { readFile } from 'node:fs/promises';
import { Cluster, storeKey, UpdateStream, waitFor } from './cluster';
import { auditProblems, EdgeStore } from './edge-store';
import { SystemTest, type Cloudcore } from './harness';

jest.setTimeout(120_000);

const NODE = 'edge-crash';
const CONFIGMAPS = Array.from({ length: 20 }, (_, i) => `crash-config-${i}`);

let sys: SystemTest;
let cloud: Cloudcore;
let cluster: Cluster;
let store: EdgeStore | undefined;

beforeAll(async () => {
  sys = await SystemTest.create('edge-crash');
  cloud = await sys.startCloudcore({ name: 'cloud' });
  cluster = Cluster.of(cloud.kubeconfig);
});

afterAll(async () => {
  await store?.close();
  await sys?.dispose();
});

test('edgecore killed with SIGKILL mid-stream restarts on its files without joining again and ends with the newest versions', async () => {
  const token = await cloud.token();
  await cluster.createEdgeNode(NODE);
  for (const name of CONFIGMAPS) await cluster.createConfigMap(name);
  await cluster.createSecret('crash-secret');
  await cluster.createPod('crash-pod', NODE, { configMaps: CONFIGMAPS, secrets: ['crash-secret'] });
  const edge = await sys.startEdgecore({ name: NODE, node: NODE, cloud, token });
  await edge.connected();
  store = new EdgeStore(edge.files.db);
  await waitFor(async () => (await store!.versions()).size === CONFIGMAPS.length + 2, 20_000, 'pod, secret and configmaps in the edge store');
  const certificate = await readFile(edge.files.cert, 'utf8');

  // The stream: updates in turn, until the edge has applied a good part of them.
  const stream = new UpdateStream(cluster, CONFIGMAPS);
  await waitFor(async () => (await edge.metric('metamanager_changes_applied_total')) >= CONFIGMAPS.length + 2 + 40, 30_000, 'the edge applying the stream');
  await stream.stop();
  // Its last part: every configmap once more at the same time; kill the edge while it applies them.
  const applied = await edge.metric('metamanager_changes_applied_total');
  await Promise.all(CONFIGMAPS.map((name, i) => cluster.updateConfigMap(name, 1_000_000 + i)));
  await waitFor(async () => (await edge.metric('metamanager_changes_applied_total')) >= applied + 3, 20_000, 'the edge applying the last burst');
  await edge.process.crash();
  expect((await edge.process.exited).signal).toBe('SIGKILL');
  const atKill = await store.versions();

  // Started again on the same config and files.
  const before = edge.process;
  await edge.start();
  await edge.connected();
  expect(edge.process.pid).not.toBe(before.pid);
  // No new join: no token exchange, the same certificate.
  expect(edge.process.find('join')).toEqual([]);
  expect(await readFile(edge.files.cert, 'utf8')).toBe(certificate);

  const newest = new Map<string, string | undefined>();
  for (const name of CONFIGMAPS) newest.set(storeKey('configmap', name), await cluster.resourceVersion('configMaps', name));
  const missing = async (): Promise<string[]> => {
    const stored = await store!.versions();
    return [...newest].filter(([key, version]) => stored.get(key) !== version).map(([key, version]) => `${key}: stored ${stored.get(key)}, newest ${version}`);
  };
  await waitFor(async () => (await missing()).length === 0, 30_000, 'the newest version of every configmap in the edge store', async () =>
    [`updates in the stream: ${stream.updates}; stored at the kill: ${JSON.stringify([...atKill].filter(([key]) => newest.has(key)))}`, ...(await missing())].join('\n'),
  );

  expect(await store.integrityCheck()).toEqual(['ok']);
  // Exactly once as seen by the store (edge-store.ts), over both lives of the process.
  expect(auditProblems(await store.audit())).toEqual([]);
  // The node's records in the cloud come to agree with the store (they are written after each ack).
  const recordsBehind = async (): Promise<string[]> => {
    const records = await cluster.objectSyncs(NODE);
    return CONFIGMAPS.filter((name) => records.get(`ConfigMap/${name}`)?.delivered !== newest.get(storeKey('configmap', name)));
  };
  await waitFor(async () => (await recordsBehind()).length === 0, 10_000, 'ObjectSync records at the newest versions', async () => (await recordsBehind()).join(', '));
});
