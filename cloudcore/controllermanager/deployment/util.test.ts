import { computeHash, semanticEqual } from '../util/hash';
import { IntOrPercentError, scaledValue } from '../util/intstr';
import type { Deployment, ReplicaSet } from '../util/types';
import { calculateStatus, rolloutStatus } from './status';
import { equalIgnoreHash, findActiveOrLatest, maxSurge, maxUnavailable, newRSNewReplicas, proportion, resolveFenceposts, setNewReplicaSetAnnotations } from './util';

const deployment = (replicas: number, maxSurgeValue?: number | string, maxUnavailableValue?: number | string): Deployment => ({
  metadata: { name: 'web', namespace: 'default', uid: 'd1', generation: 1 },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: maxSurgeValue, maxUnavailable: maxUnavailableValue } },
  },
});
const rs = (name: string, replicas: number, available = replicas, annotations: Record<string, string> = {}): ReplicaSet => ({
  metadata: { name, uid: name, creationTimestamp: `2024-01-01T00:00:0${name.length % 10}Z`, annotations },
  spec: { replicas, selector: {}, template: { spec: { containers: [] } } },
  status: { replicas, availableReplicas: available, readyReplicas: available },
});

describe('deployment arithmetic', () => {
  it('rounds surge up and unavailable down, and never lets both be 0', () => {
    expect(resolveFenceposts(deployment(10, '25%', '25%'))).toEqual({ surge: 3, unavailable: 2 });
    expect(resolveFenceposts(deployment(3))).toEqual({ surge: 1, unavailable: 0 }); // defaults 25% / 25%
    expect(resolveFenceposts(deployment(3, 0, '10%'))).toEqual({ surge: 0, unavailable: 1 });
    expect(maxUnavailable(deployment(2, 0, 5))).toBe(2);
    expect(maxSurge({ ...deployment(3), spec: { ...deployment(3).spec, strategy: { type: 'Recreate' } } })).toBe(0);
    expect(() => scaledValue('25', 4, true)).toThrow(IntOrPercentError);
  });

  it('grows the new ReplicaSet only within maxSurge', () => {
    const d = deployment(4, 1, 1);
    const old = rs('old', 4);
    const fresh = rs('new', 0);
    expect(newRSNewReplicas(d, [old, fresh], fresh)).toBe(1);
    expect(newRSNewReplicas(d, [rs('old', 3), rs('new', 1)], rs('new', 1))).toBe(2);
    expect(newRSNewReplicas(d, [rs('old', 4), rs('new', 1)], rs('new', 1))).toBe(1);
  });

  it('scales proportionally by the max-replicas annotation', () => {
    const d = deployment(20, 3, 0); // was 10 + 3 surge: 13 max replicas
    const a = rs('a', 8, 8, { 'deployment.kubernetes.io/max-replicas': '13' });
    expect(proportion(a, d, 10, 0)).toBe(Math.round((8 * 23) / 13) - 8);
    expect(findActiveOrLatest(undefined, [rs('a', 0), rs('bb', 3)])?.metadata?.name).toBe('bb');
    expect(findActiveOrLatest(rs('new', 2), [rs('a', 1)])).toBeUndefined();
  });

  it('hashes templates deterministically, whatever the key order, with safe characters', () => {
    const a = { metadata: { labels: { app: 'x', tier: 'y' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
    const b = { spec: { containers: [{ image: 'i', name: 'c' }] }, metadata: { labels: { tier: 'y', app: 'x' } } };
    expect(computeHash(a)).toBe(computeHash(b));
    expect(computeHash(a)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(computeHash(a, 1)).not.toBe(computeHash(a));
    expect(semanticEqual({ a: [], b: null }, {})).toBe(true);
    const withHash = { ...a, metadata: { labels: { ...a.metadata.labels, 'pod-template-hash': 'abc' } } };
    expect(equalIgnoreHash(withHash as never, b as never)).toBe(true);
  });

  it('keeps revision history when an old ReplicaSet becomes new again', () => {
    const old = rs('old', 0, 0, { 'deployment.kubernetes.io/revision': '1' });
    expect(setNewReplicaSetAnnotations(deployment(2), old, 3, true)).toBe(true);
    expect(old.metadata?.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1' });
  });
});

describe('deployment status', () => {
  const now = Date.parse('2024-01-01T00:10:00Z');

  it('reports availability with the real reasons', () => {
    const d = deployment(3, 1, 0);
    const status = calculateStatus([rs('old', 1, 1), rs('new', 2, 1)], rs('new', 2, 1), d, now);
    expect(status).toMatchObject({ replicas: 3, updatedReplicas: 2, availableReplicas: 2, unavailableReplicas: 1, observedGeneration: 1 });
    expect(status.conditions?.[0]).toMatchObject({ type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' });
  });

  it('moves Progressing from ReplicaSetUpdated to NewReplicaSetAvailable, and times out after the deadline', () => {
    const d = deployment(2);
    const fresh = rs('web-abc', 2, 1);
    const progressing = rolloutStatus([fresh], fresh, d, now);
    expect(progressing.status.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ reason: 'ReplicaSetUpdated', message: 'ReplicaSet "web-abc" is progressing.' });
    const done = rolloutStatus([rs('web-abc', 2, 2)], rs('web-abc', 2, 2), { ...d, status: progressing.status }, now);
    expect(done.status.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ reason: 'NewReplicaSetAvailable', message: 'ReplicaSet "web-abc" has successfully progressed.' });
    const stuck = rolloutStatus([fresh], fresh, { ...d, status: progressing.status }, now + 601_000);
    expect(stuck.status.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "web-abc" has timed out progressing.' });
    const waiting = rolloutStatus([fresh], fresh, { ...d, status: progressing.status }, now + 1000);
    expect(waiting).toMatchObject({ changed: false, requeueAfterMs: 599_000 });
  });
});
