/** The scheduler end to end: real API server, pods that fit nowhere, then a node that fits. */
import { RESOURCES } from '../../pkg/kube';
import { REFS } from './context';
import { startEnv, waitFor, type TestEnv } from './testing/env';
import type { Node, Obj, Pod } from './util/types';

jest.setTimeout(60_000);

let env: TestEnv;

beforeAll(async () => {
  env = await startEnv({ manager: { schedulerBackoffMs: { initial: 200, max: 1000 }, nodeMonitorGracePeriodMs: 1500 }, agent: { leaseRenewMs: 300 } });
  await env.agent.addNode({ name: 'small-1', cpu: '1' });
  await env.agent.addNode({ name: 'small-2', cpu: '1' });
  // A big node whose link is down: the node lifecycle controller taints it unreachable.
  await env.agent.addNode({ name: 'far', cpu: '8' });
  env.agent.disconnect('far');
  await waitFor('far unreachable', async () => {
    const node = await env.client.resource<Node>(REFS.nodes).get('far');
    return node.spec?.taints?.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoSchedule');
  });
});

afterAll(async () => {
  await env?.stop();
});

const podClient = () => env.client.resource<Pod>(REFS.pods);
const newPod = (name: string, cpu: string, extra: Partial<Pod['spec']> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'main', image: 'nginx', resources: { requests: { cpu } } }], ...extra },
});
interface CoreEvent extends Obj {
  reason: string;
  message: string;
  type: string;
  count: number;
  source: { component: string };
}
const eventsFor = async (name: string): Promise<CoreEvent[]> =>
  (await env.client.resource<CoreEvent>(RESOURCES.events).list({ namespace: 'default', fieldSelector: `involvedObject.name=${name}` })).items;

describe('scheduler', () => {
  it('reports why a pod fits nowhere, retries with back-off, and binds it when a node that fits appears', async () => {
    await podClient().create(newPod('big', '1500m'));
    const message = '0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 2 Insufficient cpu.';
    const unschedulable = await waitFor('PodScheduled=False', async () => {
      const pod = await podClient().get('big', { namespace: 'default' });
      return pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
    });
    expect(unschedulable).toMatchObject({ reason: 'Unschedulable', message });
    const failed = await waitFor('FailedScheduling counted twice', async () => {
      const e = (await eventsFor('big')).find((x) => x.reason === 'FailedScheduling');
      return e && e.count >= 2 ? e : undefined;
    });
    expect(failed).toMatchObject({ type: 'Warning', message, source: { component: 'default-scheduler' } });
    expect((await eventsFor('big')).filter((x) => x.reason === 'FailedScheduling')).toHaveLength(1);

    await env.agent.addNode({ name: 'big-node', cpu: '4' });
    const bound = await waitFor('bound', async () => (await podClient().get('big', { namespace: 'default' })).spec.nodeName);
    expect(bound).toBe('big-node');
    const scheduled = await waitFor('Scheduled event', async () => (await eventsFor('big')).find((x) => x.reason === 'Scheduled'));
    expect(scheduled).toMatchObject({ type: 'Normal', message: 'Successfully assigned default/big to big-node' });
    const metrics = await env.registry.metrics();
    expect(metrics).toMatch(/scheduler_schedule_attempts_total\{result="unschedulable"\} [1-9]/);
    expect(metrics).toMatch(/scheduler_schedule_attempts_total\{result="scheduled"\} [1-9]/);
    expect(metrics).toMatch(/controller_reconcile_total\{controller="scheduler",result="requeue_after"\} [1-9]/);
    expect(metrics).toMatch(/controller_events_total\{component="default-scheduler",type="Warning"\} [1-9]/);
  });

  it('counts what is already bound, and honours node selectors', async () => {
    await podClient().create(newPod('half-1', '600m', { nodeSelector: { 'kubernetes.io/hostname': 'small-1' } }));
    await waitFor('half-1 bound', async () => (await podClient().get('half-1', { namespace: 'default' })).spec.nodeName === 'small-1');
    await podClient().create(newPod('half-2', '600m', { nodeSelector: { 'kubernetes.io/hostname': 'small-1' } }));
    const condition = await waitFor('half-2 unschedulable', async () => {
      const pod = await podClient().get('half-2', { namespace: 'default' });
      return pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
    });
    expect(condition?.message).toBe(
      "0/4 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 2 node(s) didn't match Pod's node affinity/selector.",
    );
    // Freeing the node lets it in.
    await podClient().delete('half-1', { namespace: 'default' });
    await waitFor('half-2 bound', async () => (await podClient().get('half-2', { namespace: 'default' })).spec.nodeName === 'small-1', 20_000);
  });
});
