/**
 * Several cloudcores against one API server. The API server runs in a cloudcore process of its own with cloudHub,
 * syncController and edgeController disabled (killing a cloudcore that embeds it would take the cluster down too); two
 * more cloudcores serve edge nodes with --kubeconfig pointing at it. They share the CA and the server certificate
 * through Secrets. The edge lists both tunnel addresses; when the cloudcore holding it is killed it moves to the other
 * one, the Node's `cloudcore` annotation follows, and updates keep reaching it.
 */
import { X509Certificate } from 'node:crypto';
import { CLOUDCORE_SECRET, KUBEEDGE_NAMESPACE } from '../../join';
import { keyPairFromSecret, readSecret } from '../../join/secrets';
import { Cluster, UpdateStream, waitFor, waitForStore } from './cluster';
import { auditProblems, EdgeStore } from './edge-store';
import { SystemTest } from './harness';

jest.setTimeout(150_000);

let sys: SystemTest;
let store: EdgeStore | undefined;

beforeAll(async () => {
  sys = await SystemTest.create('several-cloudcores');
});

afterAll(async () => {
  await store?.close();
  await sys?.dispose();
});

test('an edge whose cloudcore is killed moves to the other one, the Node annotation follows, and updates keep coming', async () => {
  const apiserver = await sys.startCloudcore({ name: 'apiserver', hub: false });
  const cluster = Cluster.of(apiserver.kubeconfig);
  // Both at once, as replicas of one deployment start: they agree on one CA and one server certificate.
  const [a, b] = await Promise.all([
    sys.startCloudcore({ name: 'cloud-a', kubeconfig: apiserver.kubeconfig }),
    sys.startCloudcore({ name: 'cloud-b', kubeconfig: apiserver.kubeconfig }),
  ]);
  const pkiLines = [a, b].map((cloud) => cloud.process.find('cloudcore CA and server certificate ready')[0]!);
  expect(pkiLines[0]!.caHash).toBe(pkiLines[1]!.caHash);
  expect(pkiLines.map((line) => line.serverSource).sort()).toEqual(['created', 'secret']);
  // The shared server certificate names 127.0.0.1, the address both listen on.
  const serving = keyPairFromSecret(CLOUDCORE_SECRET, (await readSecret(cluster.client, KUBEEDGE_NAMESPACE, CLOUDCORE_SECRET.name))!);
  expect(new X509Certificate(serving.certPem).checkIP('127.0.0.1')).toBe('127.0.0.1');

  const node = 'edge-ha';
  const configMaps = ['ha-config-0', 'ha-config-1', 'ha-config-2'];
  await cluster.createEdgeNode(node);
  for (const name of configMaps) await cluster.createConfigMap(name);
  await cluster.createSecret('ha-secret');
  await cluster.createPod('ha-pod', node, { configMaps, secrets: ['ha-secret'] });
  const token = await a.token();
  const edge = await sys.startEdgecore({ name: node, node, cloud: a, token, servers: [a.tunnelAddress, b.tunnelAddress] });
  await edge.connected();
  store = new EdgeStore(edge.files.db);
  await waitForStore(store, cluster, { configMaps }, 20_000);

  const annotation = async () => (await cluster.node(node)).metadata?.annotations?.['cloudcore'];
  await waitFor(async () => [a.holderId, b.holderId].includes((await annotation()) ?? ''), 10_000, 'the Node annotated with its cloudcore');
  const [holder, other] = (await annotation()) === a.holderId ? [a, b] : [b, a];
  expect(holder.process.find('edge node connected').map((l) => l.node)).toEqual([node]);

  // Kill the one holding the node while updates run.
  const stream = new UpdateStream(cluster, configMaps, { pauseMs: 20 });
  await edge.process.until(() => stream.updates >= 10, 20_000, 'updates flowing');
  const linesBefore = edge.process.lines.length;
  await holder.process.crash();
  const moved = await edge.connected(30_000, linesBefore);
  expect(moved.server).toBe(other.tunnelAddress);
  await waitFor(async () => (await annotation()) === other.holderId, 15_000, `Node annotation cloudcore=${other.holderId}`, async () => `annotation: ${await annotation()}`);
  expect(other.process.find('edge node connected').map((l) => l.node)).toEqual([node]);

  // Updates made after the switch reach the edge, through the other cloudcore.
  await stream.stop();
  for (const [i, name] of configMaps.entries()) await cluster.updateConfigMap(name, 1_000_000 + i);
  await waitForStore(store, cluster, { configMaps }, 30_000, () => `stream: ${stream.updates} updates, ${stream.failures} failures`);

  // The cloud's records of what the node holds (ObjectSync, written by the new holder after each ack) agree.
  const recordsBehind = async (): Promise<string[]> => {
    const records = await cluster.objectSyncs(node);
    const behind: string[] = [];
    for (const name of configMaps) {
      const newest = await cluster.resourceVersion('configMaps', name);
      if (records.get(`ConfigMap/${name}`)?.delivered !== newest) behind.push(`${name}: recorded ${records.get(`ConfigMap/${name}`)?.delivered}, newest ${newest}`);
    }
    return behind;
  };
  await waitFor(async () => (await recordsBehind()).length === 0, 10_000, 'ObjectSync records at the newest versions', async () => (await recordsBehind()).join('\n'));

  const audit = await store.audit();
  expect(auditProblems(audit)).toEqual([]);
  expect(await edge.metric('metamanager_changes_applied_total')).toBe(audit.length);
  expect(edge.process.find('joined: node certificate written')).toHaveLength(1);
});
