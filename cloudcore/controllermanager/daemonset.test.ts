/** DaemonSets end to end: placement by selector and taints, node changes, and a rolling update with kubectl. */
import { InformerFactory } from '../../pkg/kube';
import { REFS } from './context';
import { expectQuiet, startEnv, waitFor, type TestEnv } from './testing/env';
import type { DaemonSet, Node, Pod } from './util/types';

jest.setTimeout(120_000);

let env: TestEnv;

beforeAll(async () => {
  env = await startEnv({ agent: { readyDelayMs: 200 } });
  await env.agent.addNode({ name: 'edge-a', labels: { role: 'edge' } });
  await env.agent.addNode({ name: 'edge-b', labels: { role: 'edge' }, taints: [{ key: 'dedicated', value: 'camera', effect: 'NoSchedule' }] });
  await env.agent.addNode({ name: 'cloud-c' });
  await env.agent.addNode({ name: 'edge-d', labels: { role: 'edge' } });
  // A cordoned node still runs daemon pods (they tolerate node.kubernetes.io/unschedulable).
  const nodes = env.client.resource<Node>(REFS.nodes);
  await nodes.patch('edge-d', { spec: { unschedulable: true } }, { type: 'merge' });
});

afterAll(async () => {
  await env?.stop();
});

const manifest = (image: string): string =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
      template: {
        metadata: { labels: { app: 'agent' } },
        spec: { nodeSelector: { role: 'edge' }, containers: [{ name: 'main', image }] },
      },
    },
  });

const pods = async (): Promise<Pod[]> => (await env.client.resource<Pod>(REFS.pods).list({ namespace: 'default', labelSelector: 'app=agent' })).items;
const live = (p: Pod): boolean => !p.metadata?.deletionTimestamp;
const ready = (p: Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const nodesOf = async (): Promise<string[]> => (await pods()).filter(live).map((p) => p.spec.nodeName ?? '?').sort();
const daemonSet = (): Promise<DaemonSet> => env.client.resource<DaemonSet>(REFS.daemonSets).get('agent', { namespace: 'default' });

describe('DaemonSet', () => {
  it('runs one pod on every eligible node, follows node changes, and rolls an update out with maxUnavailable', async () => {
    expect(await env.kubectlApply(manifest('agent:1'))).toMatchObject({ code: 0 });
    await waitFor('pods on edge-a and edge-d', async () => {
      const list = (await pods()).filter(live);
      return list.length === 2 && list.every(ready) && (await nodesOf()).join() === 'edge-a,edge-d';
    });
    const ds = await waitFor('status', async () => {
      const d = await daemonSet();
      return d.status?.numberAvailable === 2 && d.status.observedGeneration === d.metadata?.generation ? d : undefined;
    });
    expect(ds.status).toMatchObject({
      desiredNumberScheduled: 2,
      currentNumberScheduled: 2,
      numberMisscheduled: 0,
      numberReady: 2,
      updatedNumberScheduled: 2,
      numberAvailable: 2,
      numberUnavailable: 0,
    });
    const pod = (await pods())[0]!;
    const hash = pod.metadata?.labels?.['controller-revision-hash'];
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(pod.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'DaemonSet', name: 'agent', controller: true, blockOwnerDeletion: true });
    expect(pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms).toEqual([
      { matchFields: [{ key: 'metadata.name', operator: 'In', values: [pod.spec.nodeName] }] },
    ]);
    expect(pod.spec.tolerations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' }),
        expect.objectContaining({ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }),
        expect.objectContaining({ key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' }),
        expect.objectContaining({ key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' }),
        expect.objectContaining({ key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' }),
        expect.objectContaining({ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }),
      ]),
    );

    // A node that starts matching gets a pod; one that stops matching loses it.
    const nodes = env.client.resource<Node>(REFS.nodes);
    await nodes.patch('cloud-c', { metadata: { labels: { role: 'edge' } } }, { type: 'merge' });
    await waitFor('a pod on cloud-c', async () => (await nodesOf()).join() === 'cloud-c,edge-a,edge-d');
    await nodes.patch('edge-a', { metadata: { labels: { role: null } } }, { type: 'merge' });
    await waitFor('no pod on edge-a', async () => (await nodesOf()).join() === 'cloud-c,edge-d');
    await waitFor('all ready', async () => (await pods()).every(ready));

    // Rolling update: never more than maxUnavailable=1 of the 2 nodes without an available daemon pod.
    const violations: string[] = [];
    const stop = new AbortController();
    const factory = new InformerFactory({ client: env.client, log: env.log, resyncMs: 0 });
    const informer = factory.forResource<Pod>({ ...REFS.pods, namespace: 'default', labelSelector: 'app=agent' });
    const check = (): void => {
      const available = informer.store.list().filter((p) => live(p) && ready(p)).length;
      if (informer.hasSynced() && available < 1) violations.push(`${available} available`);
    };
    informer.addHandler({ add: check, update: check, delete: check });
    const watching = factory.start(stop.signal);
    await factory.waitForSync(stop.signal);
    expect(await env.kubectlApply(manifest('agent:2'))).toMatchObject({ code: 0 });
    const status = await env.kubectl('rollout', 'status', 'daemonset/agent', '--timeout=60s');
    stop.abort();
    await watching;
    expect(status).toMatchObject({ code: 0 });
    expect(status.stdout).toContain('daemon set "agent" successfully rolled out');
    expect(violations).toEqual([]);
    const after = (await pods()).filter(live);
    expect(after).toHaveLength(2);
    expect(after.every((p) => p.spec.containers[0]?.['image'] === 'agent:2' && p.metadata?.labels?.['controller-revision-hash'] !== hash)).toBe(true);
    await expectQuiet(async () => [await daemonSet(), ...(await pods())]);
  });
});
