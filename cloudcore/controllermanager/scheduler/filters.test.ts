import { amountsOf, podRequests } from '../util/resources';
import type { Node, Pod } from '../util/types';
import { effectiveTaints, emptyUsage, filterNode, fitErrorMessage, leastRequestedScore } from './filters';

const node = (name: string, extra: Partial<Node> = {}, cpu = '2', memory = '4Gi'): Node => ({
  metadata: { name, labels: { 'kubernetes.io/hostname': name } },
  spec: {},
  status: { allocatable: { cpu, memory, pods: '3' }, conditions: [{ type: 'Ready', status: 'True' }] },
  ...extra,
});
const pod = (requests: Record<string, string> = {}, extra: Partial<Pod['spec']> = {}): Pod => ({
  metadata: { name: 'p', namespace: 'default' },
  spec: { containers: [{ name: 'c', resources: { requests } }], ...extra },
});
const fit = (p: Pod, n: Node, used: Pod[] = []): string[] => {
  const usage = emptyUsage();
  for (const u of used) {
    for (const [k, v] of podRequests(u)) usage.requested.set(k, (usage.requested.get(k) ?? 0n) + v);
    usage.pods++;
  }
  return filterNode(p, podRequests(p), n, usage, amountsOf(n.status?.allocatable));
};

describe('scheduler filters', () => {
  it('parses quantities exactly: 100m + 900m fills a 1-cpu node, 1Gi is 1024Mi', () => {
    const n = node('a', {}, '1', '1Gi');
    expect(fit(pod({ cpu: '900m' }), n, [pod({ cpu: '100m' })])).toEqual([]);
    expect(fit(pod({ cpu: '901m' }), n, [pod({ cpu: '100m' })])).toEqual(['Insufficient cpu']);
    expect(fit(pod({ memory: '1024Mi' }), n)).toEqual([]);
    expect(fit(pod({ memory: '1025Mi' }), n)).toEqual(['Insufficient memory']);
    expect(fit(pod({ cpu: '2', memory: '2Gi' }), n)).toEqual(['Insufficient cpu', 'Insufficient memory']);
    expect(fit(pod({ 'example.com/gpu': '1' }), n)).toEqual(['Insufficient example.com/gpu']);
  });

  it('counts pods against allocatable pods, and init containers at their peak', () => {
    expect(fit(pod(), node('a'), [pod(), pod(), pod()])).toEqual(['Too many pods']);
    const withInit: Pod = { ...pod({ cpu: '500m' }), spec: { ...pod({ cpu: '500m' }).spec, initContainers: [{ name: 'i', resources: { requests: { cpu: '1500m' } } }] } };
    expect(podRequests(withInit).get('cpu')).toBe(1500n);
  });

  it('checks cordons, taints, affinity and host ports, first failure wins', () => {
    expect(fit(pod(), node('a', { spec: { unschedulable: true } }))).toEqual(['node(s) were unschedulable']);
    const tolerating = pod({}, { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] });
    expect(fit(tolerating, node('a', { spec: { unschedulable: true } }))).toEqual([]);
    const tainted = node('a', { spec: { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] } });
    expect(fit(pod(), tainted)).toEqual(['node(s) had untolerated taint {dedicated: gpu}']);
    expect(fit(pod({}, { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu' }] }), tainted)).toEqual([]);
    expect(fit(pod({}, { nodeSelector: { zone: 'x' } }), node('a'))).toEqual(["node(s) didn't match Pod's node affinity/selector"]);
    const pinned = pod({}, {
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['b'] }] }] } } },
    });
    expect(fit(pinned, node('a'))).toEqual(["node(s) didn't match Pod's node affinity/selector"]);
    expect(fit(pinned, node('b'))).toEqual([]);
  });

  it('treats a node that is not Ready as tainted not-ready or unreachable', () => {
    const unknown = node('a', { status: { allocatable: { cpu: '1' }, conditions: [{ type: 'Ready', status: 'Unknown' }] } });
    expect(effectiveTaints(unknown)).toEqual([{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }]);
    expect(fit(pod(), unknown)).toEqual(['node(s) had untolerated taint {node.kubernetes.io/unreachable: }']);
    const notReady = node('a', { status: { conditions: [{ type: 'Ready', status: 'False' }] } });
    expect(fit(pod(), notReady)).toEqual(['node(s) had untolerated taint {node.kubernetes.io/not-ready: }']);
  });

  it('formats FitError as the real scheduler: counts, sorted as strings', () => {
    expect(fitErrorMessage(3, [['node(s) had untolerated taint {node.kubernetes.io/unreachable: }'], ['Insufficient cpu'], ['Insufficient cpu']])).toBe(
      '0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 2 Insufficient cpu.',
    );
    expect(fitErrorMessage(0, [])).toBe('no nodes available to schedule pods');
  });

  it('scores the emptier node higher', () => {
    const n = node('a', {}, '4', '8Gi');
    const busy = emptyUsage();
    busy.nonZeroCpu = 3000n;
    expect(leastRequestedScore(pod({ cpu: '100m' }), emptyUsage(), amountsOf(n.status?.allocatable))).toBeGreaterThan(
      leastRequestedScore(pod({ cpu: '100m' }), busy, amountsOf(n.status?.allocatable)),
    );
  });
});
