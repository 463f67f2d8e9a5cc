/**
 * Offline autonomy with real processes: cloudcore stopped -> the pods keep running -> edgecore restarted while
 * offline -> the same containers still run (adopted, not restarted) -> cloudcore back -> the node is Ready again,
 * statuses are right, and pods deleted in the cloud while the edge was away are removed from the node.
 */
import { waitFor } from './cluster';
import { SystemTest } from './harness';
import {
  containerStatus,
  deploymentManifest,
  EdgeNodeSetup,
  isRunningAndReady,
  podManifest,
  POD_START_MS,
  runtimeId,
  type CriContainer,
  type Manifest,
} from './pods';

jest.setTimeout(300_000);

const NODE = 'edge-offline';

let sys: SystemTest;
let node: EdgeNodeSetup;

beforeAll(async () => {
  sys = await SystemTest.create('pods-offline');
  // Fixed ports: cloudcore comes back on the same tunnel, and the edge finds it again.
  node = await EdgeNodeSetup.start(sys, { node: NODE, cloud: { nodeMonitorGracePeriod: '8s' } });
}, 240_000);

afterAll(async () => {
  await sys?.dispose();
});

const running = (containers: CriContainer[]): string[] =>
  containers
    .filter((c) => c.state === 'running')
    .map((c) => c.id)
    .sort();

test('pods keep running with the cloud gone and across an offline edgecore restart; the cloud catches up afterwards', async () => {
  await node.apply(deploymentManifest('keep', NODE, 2), podManifest('gone-graceful', NODE), podManifest('gone-forced', NODE));
  const pods = await node.waitForPods({}, (list) => list.length === 4 && list.every(isRunningAndReady), POD_START_MS, '4 pods Running and Ready');
  const keepPods = pods.filter((pod) => pod.metadata.labels?.app === 'keep');
  const uidOf = (name: string): string => pods.find((pod) => pod.metadata.name === name)!.metadata.uid;
  const before = running(await node.containers());
  expect(before).toHaveLength(4);
  const keepIds = keepPods.map((pod) => runtimeId(containerStatus(pod)!.containerID)!).sort();

  // 1. The cloud goes away: nothing on the node changes.
  await node.cloud.process.stop();
  await waitFor(() => node.edge.process.find('').some((l) => l.module === 'edgehub' && l.to !== 'connected' && l.from === 'connected'), 20_000, 'the edge noticing the cloud is gone');
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  expect(running(await node.containers())).toEqual(before);

  // 2. edgecore restarted while offline: it adopts the running containers, restarts none.
  await node.edge.process.stop();
  expect(running(await node.containers())).toEqual(before);
  await node.edge.start();
  await new Promise((resolve) => setTimeout(resolve, 8_000));
  expect(node.edge.process.alive).toBe(true);
  expect(running(await node.containers())).toEqual(before);
  // Adopted, not started again: no container of a second attempt exists.
  expect((await node.containers()).filter((c) => c.attempt > 0)).toEqual([]);

  // 3. While the edge is away, two pods are deleted in the cloud: one gracefully (it waits for the edge to confirm),
  // one forcibly (gone from the API at once; the edge learns it from the resync).
  await node.edge.process.stop();
  await node.cloud.start();
  await node.cloud.kubectl(['delete', 'pod', 'gone-graceful', '-n', 'default', '--wait=false']);
  await node.cloud.kubectl(['delete', 'pod', 'gone-forced', '-n', 'default', '--grace-period=0', '--force']);
  expect(running(await node.containers())).toEqual(before);

  // 4. The edge comes back: Ready, statuses right, deleted pods removed from the node.
  const started = Date.now();
  await node.edge.start();
  await node.edge.connected(60_000);
  await node.waitForNodeReady(30_000);
  const readyMs = Date.now() - started;
  await waitFor(async () => running(await node.containers()).join() === keepIds.join(), 60_000, 'only the kept pods running on the node', async () =>
    JSON.stringify(await node.containers()),
  );
  // Stopped first, then removed.
  for (const name of ['gone-graceful', 'gone-forced']) {
    await waitFor(async () => (await node.containers(uidOf(name))).length === 0, 30_000, `no container of ${name} left on the node`, async () =>
      JSON.stringify(await node.containers(uidOf(name))),
    );
  }
  await node.waitForPodGone('gone-graceful', 30_000);

  const after = await node.waitForPods({ app: 'keep' }, (list) => list.length === 2 && list.every(isRunningAndReady), 30_000, 'the kept pods Running and Ready');
  for (const pod of after) {
    const status = containerStatus(pod)!;
    expect(status.restartCount).toBe(0);
    expect(keepIds).toContain(runtimeId(status.containerID));
  }
  // The node was Unknown (and tainted unreachable) while the edge was away; Ready lifts the taints.
  let taints: Manifest[] = [];
  await waitFor(async () => (taints = ((await node.node()).spec.taints ?? []) as Manifest[]).length === 0, 20_000, 'no taints on the node', () => JSON.stringify(taints));
  process.stderr.write(`edge node Ready ${readyMs} ms after edgecore started\n`);
});
