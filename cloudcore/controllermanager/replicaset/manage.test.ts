import type { Pod } from '../util/types';
import { podsToDelete } from './manage';

const pod = (name: string, o: { node?: string; phase?: 'Pending' | 'Running' | 'Unknown'; ready?: boolean; created?: string; readySince?: string; restarts?: number } = {}): Pod => ({
  metadata: { name, namespace: 'default', creationTimestamp: o.created ?? '2024-01-01T00:00:00Z' },
  spec: { containers: [{ name: 'c' }], ...(o.node ? { nodeName: o.node } : {}) },
  status: {
    phase: o.phase ?? 'Running',
    conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: o.readySince ?? '2024-01-01T00:01:00Z' }],
    containerStatuses: [{ restartCount: o.restarts ?? 0 }],
  },
});
const names = (pods: Pod[]): string[] => pods.map((p) => p.metadata?.name ?? '');

describe('which pods a ReplicaSet deletes first', () => {
  it('unscheduled, then pending, then not ready, then doubled-up, then newest', () => {
    const pods = [
      pod('old-ready', { node: 'a' }),
      pod('new-ready', { node: 'b', created: '2024-01-02T00:00:00Z' }),
      pod('not-ready', { node: 'c', ready: false }),
      pod('pending', { node: 'd', phase: 'Pending', ready: false }),
      pod('unscheduled', { phase: 'Pending', ready: false }),
    ];
    expect(names(podsToDelete(pods, [], 4))).toEqual(['unscheduled', 'pending', 'not-ready', 'new-ready']);
    const crowded = [pod('alone', { node: 'a' }), pod('crowded', { node: 'b' })];
    expect(names(podsToDelete(crowded, [pod('sibling', { node: 'b' })], 1))).toEqual(['crowded']);
    const restarted = [pod('stable', { node: 'a' }), pod('flaky', { node: 'b', restarts: 3 })];
    expect(names(podsToDelete(restarted, [], 1))).toEqual(['flaky']);
    const readyTimes = [pod('long', { node: 'a' }), pod('recent', { node: 'b', readySince: '2024-01-01T00:05:00Z' })];
    expect(names(podsToDelete(readyTimes, [], 1))).toEqual(['recent']);
  });
});
