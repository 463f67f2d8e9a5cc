import type { Node, Taint } from '../util/types';
import { reconcileTaints, unknownConditions, wantedTaints } from './node-state';

const now = Date.parse('2024-01-01T00:10:00Z');
const node = (ready: 'True' | 'False' | 'Unknown' | undefined, taints: Taint[] = []): Node => ({
  metadata: { name: 'n', creationTimestamp: '2024-01-01T00:00:00Z' },
  spec: { taints },
  status: { conditions: ready ? [{ type: 'Ready', status: ready, reason: 'KubeletReady', lastHeartbeatTime: '2024-01-01T00:09:00Z' }] : [] },
});

describe('node lifecycle state', () => {
  it('turns reported conditions Unknown, keeping heartbeats; never-reported ones say so', () => {
    const conditions = unknownConditions(node('True'), now)!;
    expect(conditions.find((c) => c.type === 'Ready')).toEqual({
      type: 'Ready',
      status: 'Unknown',
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
      lastHeartbeatTime: '2024-01-01T00:09:00Z',
      lastTransitionTime: '2024-01-01T00:10:00Z',
    });
    expect(conditions.find((c) => c.type === 'MemoryPressure')).toMatchObject({ status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.' });
    expect(unknownConditions({ ...node('True'), status: { conditions } }, now)).toBeUndefined();
  });

  it('adds unreachable NoSchedule and NoExecute (stamped) for Unknown, removes them when Ready, leaves other taints', () => {
    const custom = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' as const };
    const unknown = node('Unknown', [custom]);
    const taints = reconcileTaints(unknown, wantedTaints(unknown), now)!;
    expect(taints).toEqual([
      custom,
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: '2024-01-01T00:10:00Z' },
    ]);
    const back = node('True', taints);
    expect(reconcileTaints(back, wantedTaints(back), now)).toEqual([custom]);
    expect(reconcileTaints(node('True', [custom]), [], now)).toBeUndefined();
    const cordoned: Node = { ...node('True'), spec: { unschedulable: true } };
    expect(wantedTaints(cordoned)).toEqual([{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]);
  });
});
