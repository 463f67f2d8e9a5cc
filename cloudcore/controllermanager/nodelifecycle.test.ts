/** Node lifecycle end to end: a node whose lease goes stale, and comes back; pods stay unless eviction is asked for. */
import { RESOURCES } from '../../pkg/kube';
import { REFS } from './context';
import { startEnv, waitFor, type TestEnv } from './testing/env';
import type { Node, Obj, Pod } from './util/types';

jest.setTimeout(60_000);

const pod = (name: string, node: string, tolerations: Pod['spec']['tolerations'] = []): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { nodeSelector: { 'kubernetes.io/hostname': node }, tolerations, containers: [{ name: 'main', image: 'nginx' }] },
});
const ready = (p: Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

describe('node lifecycle (default: pods stay on unreachable edge nodes)', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startEnv({ manager: { nodeMonitorGracePeriodMs: 2000 }, agent: { leaseRenewMs: 300 } });
    await env.agent.addNode({ name: 'edge-1' });
  });
  afterAll(async () => {
    await env?.stop();
  });

  it('marks a silent node Unknown and unreachable, leaves its pods alone, and untaints it when it is back', async () => {
    const pods = env.client.resource<Pod>(REFS.pods);
    const nodes = env.client.resource<Node>(REFS.nodes);
    await pods.create(pod('app', 'edge-1'));
    await waitFor('app running', async () => ready(await pods.get('app', { namespace: 'default' })));
    const before = await pods.get('app', { namespace: 'default' });

    env.agent.disconnect('edge-1');
    const unknown = await waitFor('edge-1 unreachable', async () => {
      const node = await nodes.get('edge-1');
      const taints = node.spec?.taints ?? [];
      return taints.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute') ? node : undefined;
    });
    expect(unknown.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'Unknown',
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
    });
    expect(unknown.spec?.taints).toEqual([
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: expect.any(String) },
    ]);
    const events = await env.client.resource<Obj & { reason: string; message: string }>(RESOURCES.events).list({ namespace: 'default', fieldSelector: 'involvedObject.name=edge-1' });
    expect(events.items.map((e) => [e.reason, e.message])).toContainEqual(['NodeNotReady', 'Node edge-1 status is now: NodeNotReady']);

    // Well past the grace period, the pod is still bound, not terminating, and its status untouched.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const during = await pods.get('app', { namespace: 'default' });
    expect(during.metadata?.deletionTimestamp).toBeUndefined();
    expect(during.spec.nodeName).toBe('edge-1');
    expect(during.status).toEqual(before.status);

    await env.agent.reconnect('edge-1');
    const back = await waitFor('edge-1 untainted', async () => {
      const node = await nodes.get('edge-1');
      return (node.spec?.taints ?? []).length === 0 ? node : undefined;
    });
    expect(back.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    // It stays Ready while the lease is renewed.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await nodes.get('edge-1')).status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
  });
});

describe('node lifecycle with evictPodsOnUnreachable (Kubernetes behaviour)', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startEnv({ manager: { nodeMonitorGracePeriodMs: 1500, evictPodsOnUnreachable: true }, agent: { leaseRenewMs: 300 } });
    await env.agent.addNode({ name: 'edge-2' });
  });
  afterAll(async () => {
    await env?.stop();
  });

  it('marks pods NotReady and evicts those whose toleration runs out', async () => {
    const pods = env.client.resource<Pod>(REFS.pods);
    const shortLived = [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists' as const, effect: 'NoExecute' as const, tolerationSeconds: 1 }];
    await pods.create(pod('brief', 'edge-2', shortLived));
    await pods.create(pod('patient', 'edge-2'));
    await waitFor('pods running', async () => (await pods.list({ namespace: 'default' })).items.every(ready));

    env.agent.disconnect('edge-2');
    await waitFor('brief evicted', async () => Boolean((await pods.get('brief', { namespace: 'default' })).metadata?.deletionTimestamp));
    const patient = await waitFor('patient marked NotReady', async () => {
      const p = await pods.get('patient', { namespace: 'default' });
      return ready(p) ? undefined : p;
    });
    // The default 300 s toleration (DefaultTolerationSeconds) keeps it for now.
    expect(patient.metadata?.deletionTimestamp).toBeUndefined();
  });
});
