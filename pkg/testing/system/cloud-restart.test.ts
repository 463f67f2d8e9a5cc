/**
 * Restart cloudcore under load. The edge must reconnect by itself (back-off, its first retry within a second) and end
 * with the newest version of every object, and objects deleted while cloudcore was away must be deleted at the edge:
 * nothing but the SyncController's reconciliation of ObjectSync records can tell the edge about those, since the
 * restarted edgecontroller never saw them go.
 */
import { Cluster, sleep, storeKey, UpdateStream, waitFor, waitForStore } from './cluster';
import { auditProblems, EdgeStore } from './edge-store';
import { SystemTest, type Cloudcore, type Edgecore } from './harness';
import type { LogLine } from './process';

jest.setTimeout(150_000);

let sys: SystemTest;
const stores: EdgeStore[] = [];

beforeAll(async () => {
  sys = await SystemTest.create('cloud-restart');
});

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await sys?.dispose();
});

/** A joined edge whose pod uses `configMaps` and a secret, with all of it in its store. */
async function edgeWithPod(cloud: Cloudcore, cluster: Cluster, node: string, configMaps: string[]): Promise<{ edge: Edgecore; store: EdgeStore }> {
  const token = await cloud.token();
  await cluster.createEdgeNode(node);
  for (const name of configMaps) await cluster.createConfigMap(name);
  await cluster.createSecret(`${node}-secret`);
  await cluster.createPod(`${node}-pod`, node, { configMaps, secrets: [`${node}-secret`] });
  const edge = await sys.startEdgecore({ name: node, node, cloud, token });
  await edge.connected();
  const store = new EdgeStore(edge.files.db);
  stores.push(store);
  await waitForStore(store, cluster, { configMaps }, 20_000);
  return { edge, store };
}

/** The edge's connection transitions after it lost the cloud: the loss, then the first new attempt. */
function lossAndFirstRetry(edge: Edgecore, from: number): { lost: LogLine; retry: LogLine } {
  const lines = edge.process.lines.slice(from).filter((l) => l.module === 'edgehub' && typeof l.to === 'string');
  const lostAt = lines.findIndex((l) => l.from === 'connected' && l.to === 'disconnected');
  const retry = lines.slice(lostAt + 1).find((l) => l.from === 'disconnected' && l.to === 'connecting');
  if (lostAt < 0 || retry === undefined) throw new Error(`no loss and retry in:\n${lines.map((l) => l.msg).join('\n')}`);
  return { lost: lines[lostAt]!, retry };
}

test('SIGTERM cloudcore while updates run, start it again on the same data dir: the edge reconnects by itself and catches up', async () => {
  const cloud = await sys.startCloudcore({ name: 'cloud' });
  const cluster = Cluster.of(cloud.kubeconfig);
  const node = 'edge-restart';
  const configMaps = Array.from({ length: 10 }, (_, i) => `restart-config-${i}`);
  const { edge, store } = await edgeWithPod(cloud, cluster, node, configMaps);
  const edgePid = edge.process.pid;

  const stream = new UpdateStream(cluster, configMaps, { pauseMs: 10, retryMs: 100 });
  const appliedBefore = await edge.metric('metamanager_changes_applied_total');
  await edge.process.until(() => stream.updates >= 30, 30_000, 'updates flowing');
  const linesBefore = edge.process.lines.length;
  const first = cloud.process;
  expect(await first.stop()).toEqual({ code: 0, signal: null });
  expect(first.lines.at(-1)?.msg).toBe('storage closed');

  // Down for a moment (the edge keeps retrying), then up again on the same config, data dir and ports.
  await sleep(1500);
  await cloud.start();
  await edge.connected(30_000, linesBefore);
  await edge.process.until(() => stream.failures > 0 && stream.updates >= 60, 30_000, 'updates flowing again after the restart');
  await stream.stop();

  await waitForStore(store, cluster, { configMaps }, 30_000, () => `stream: ${stream.updates} updates, ${stream.failures} failed requests`);
  // The same edgecore process all along; its first retry came within a second of losing the cloud.
  expect(edge.process.pid).toBe(edgePid);
  const { lost, retry } = lossAndFirstRetry(edge, linesBefore);
  expect(Date.parse(retry.time) - Date.parse(lost.time)).toBeLessThan(1000);
  // It did not join again: it kept its certificate.
  expect(edge.process.find('joined: node certificate written')).toHaveLength(1);
  // Exactly once as seen by the store (edge-store.ts); the counters agree with the audit.
  const audit = await store.audit();
  expect(auditProblems(audit)).toEqual([]);
  expect(await edge.metric('metamanager_changes_applied_total')).toBe(audit.length);
  expect(audit.length).toBeGreaterThan(appliedBefore);
  // The restarted cloudcore holds the node.
  await edge.process.until(() => cloud.process.find('edge node connected').some((l) => l.node === node), 10_000, 'the node connected to the restarted cloudcore');
});

test('objects deleted while cloudcore was down are deleted at the edge once it is back (SyncController)', async () => {
  // The API server in a process of its own, so that it stays up (and takes the deletes) while cloudcore is down.
  const apiserver = await sys.startCloudcore({ name: 'apiserver', hub: false });
  const cluster = Cluster.of(apiserver.kubeconfig);
  const cloud = await sys.startCloudcore({ name: 'hub', kubeconfig: apiserver.kubeconfig });
  const node = 'edge-away';
  const kept = ['away-config-0', 'away-config-1', 'away-config-2'];
  const { edge, store } = await edgeWithPod(cloud, cluster, node, kept);
  // A second pod with objects of its own, deleted while cloudcore is away.
  await cluster.createConfigMap('gone-config');
  await cluster.createSecret('gone-secret');
  await cluster.createPod('gone-pod', node, { configMaps: ['gone-config'], secrets: ['gone-secret'] });
  const gone = [storeKey('pod', 'gone-pod'), storeKey('configmap', 'gone-config'), storeKey('secret', 'gone-secret')];
  await waitForStore(store, cluster, { configMaps: [...kept, 'gone-config'] }, 20_000);
  for (const key of gone) expect((await store.versions()).has(key)).toBe(true);
  // ObjectSync has recorded them all (written after each ack), so the restarted cloudcore knows what the node holds.
  await waitFor(async () => {
    const records = await cluster.objectSyncs(node);
    return ['Pod/gone-pod', 'ConfigMap/gone-config', 'Secret/gone-secret'].every((name) => records.get(name)?.delivered !== undefined);
  }, 10_000, 'ObjectSync records of the objects to delete');
  const linesBefore = edge.process.lines.length;

  expect(await cloud.process.stop()).toEqual({ code: 0, signal: null });
  await cluster.delete('pods', 'gone-pod');
  await cluster.delete('configMaps', 'gone-config');
  await cluster.delete('secrets', 'gone-secret');
  for (const [i, name] of kept.entries()) await cluster.updateConfigMap(name, 100 + i);
  await cloud.start();
  await edge.connected(30_000, linesBefore);

  await waitForStore(store, cluster, { configMaps: kept, deleted: gone }, 30_000);
  // Deleted by delete messages (tombstones in the audit), after what was stored.
  const audit = await store.audit();
  expect(auditProblems(audit)).toEqual([]);
  for (const key of gone) expect(audit.filter((row) => row.key === key).at(-1)?.op).toBe('delete');
});
