/** The per-node pass called directly, with small doubles for the records, kinds, objects and cloudhub. */
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../pkg/kube';
import { testLogger } from '../../pkg/kube/testing/control-plane';
import { Operation, readJsonContent, type Message } from '../../pkg/message';
import { objectSyncName, type ObjectSyncRecord } from '../../pkg/reliablesync';
import type { ResolvedKind } from './kinds';
import { noSyncMetrics, type SyncErrorReason } from './metrics';
import { NodeReconciler } from './reconcile';

const CONFIGMAPS: ResolvedKind = { apiVersion: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true };
const NODES: ResolvedKind = { apiVersion: 'v1', plural: 'nodes', kind: 'Node', namespaced: false };

/** namespace '' makes a cluster-scoped record or object. */
const record = (node: string, uid: string, name: string, recorded: string | undefined, kind = 'ConfigMap', namespace = 'default'): ObjectSyncRecord => ({
  kind: namespace ? 'ObjectSync' : 'ClusterObjectSync',
  metadata: { name: objectSyncName(node, uid), ...(namespace ? { namespace } : {}) },
  spec: { objectAPIVersion: 'v1', objectKind: kind, objectName: name },
  ...(recorded ? { status: { objectResourceVersion: recorded } } : {}),
});
const object = (name: string, uid: string, resourceVersion: string, namespace = 'default'): KubeObject => ({
  metadata: { name, uid, resourceVersion, ...(namespace ? { namespace } : {}) },
});

function harness(records: ObjectSyncRecord[], cache: KubeObject[], live: KubeObject[] = cache, maxSendsPerPass = 100) {
  const sent: Message[] = [];
  const errors: SyncErrorReason[] = [];
  const find = (list: KubeObject[], namespace: string | undefined, name: string) =>
    list.find((o) => o.metadata?.name === name && (o.metadata?.namespace || undefined) === namespace);
  const reconciler = new NodeReconciler({
    records: { recordsOf: (node) => records.filter((r) => r.metadata!.name!.startsWith(`${node}.`)) },
    kinds: { resolve: async (_apiVersion, kind) => ({ ConfigMap: CONFIGMAPS, Node: NODES })[kind] },
    objects: { cached: async (_k, ns, name) => find(cache, ns, name), live: async (_k, ns, name) => find(live, ns, name) },
    send: async (message) => void sent.push(message),
    log: testLogger(),
    metrics: { ...noSyncMetrics, error: (reason) => void errors.push(reason) },
    maxSendsPerPass,
  });
  return { reconciler, sent, errors };
}

const signal = new AbortController().signal;
const ops = (sent: Message[]) => sent.map((m) => [m.route!.operation, m.route!.resource, m.header!.resourceVersion]);

describe('NodeReconciler', () => {
  it('sends an update for a newer object, a delete for a gone or replaced one, and nothing when in sync', async () => {
    const [changed, steady, gone, replaced, node] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const { reconciler, sent } = harness(
      [
        record('edge-1', changed, 'changed', '9'),
        record('edge-1', steady, 'steady', '12'),
        record('edge-1', gone, 'gone', '5'),
        record('edge-1', replaced, 'replaced', '6'),
        record('edge-1', node, 'edge-1', '3', 'Node', ''),
        record('edge-2', randomUUID(), 'other-node', '1'),
      ],
      [object('changed', changed, '10'), object('steady', steady, '12'), object('replaced', randomUUID(), '20'), object('edge-1', node, '4', '')],
    );
    await reconciler.reconcile('edge-1', signal);
    expect(ops(sent).sort()).toEqual(
      [
        [Operation.OPERATION_UPDATE, 'node/edge-1/default/configmap/changed', '10'],
        [Operation.OPERATION_DELETE, 'node/edge-1/default/configmap/gone', '5'],
        [Operation.OPERATION_DELETE, 'node/edge-1/default/configmap/replaced', '6'],
        [Operation.OPERATION_UPDATE, 'node/edge-1/null/node/edge-1', '4'],
      ].sort(),
    );
    const replacedDelete = sent.find((m) => m.route!.resource.endsWith('/replaced'))!;
    expect(readJsonContent(replacedDelete)).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'replaced', namespace: 'default', uid: replaced, resourceVersion: '6' },
    });
    const update = sent.find((m) => m.route!.resource.endsWith('/changed'))!;
    expect(readJsonContent(update)).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { uid: changed, resourceVersion: '10' } });
    expect(update.route).toMatchObject({ source: 'synccontroller', group: 'resource' });
  });

  it('compares resourceVersions as numbers ("9" is older than "10")', async () => {
    const uid = randomUUID();
    const { reconciler, sent } = harness([record('edge-1', uid, 'cm', '10')], [object('cm', uid, '9')]);
    await reconciler.reconcile('edge-1', signal);
    expect(sent).toEqual([]);
  });

  it('does not delete on the edge when only the cache has not seen the object yet', async () => {
    const uid = randomUUID();
    const { reconciler, sent } = harness([record('edge-1', uid, 'new', '4')], [], [object('new', uid, '4')]);
    await reconciler.reconcile('edge-1', signal);
    expect(sent).toEqual([]);
  });

  it('skips and counts records it cannot judge: unknown kind, missing spec, bad resourceVersion', async () => {
    const uid = randomUUID();
    const broken: ObjectSyncRecord = { metadata: { name: objectSyncName('edge-1', randomUUID()), namespace: 'default' }, spec: {} };
    const { reconciler, sent, errors } = harness(
      [record('edge-1', randomUUID(), 'w', '1', 'Widget'), broken, record('edge-1', uid, 'odd', '1')],
      [object('odd', uid, 'not-a-number')],
    );
    await reconciler.reconcile('edge-1', signal);
    expect(sent).toEqual([]);
    expect(errors.sort()).toEqual(['invalid_record', 'invalid_resource_version', 'unknown_kind']);
  });

  it('leaves a record alone while the recorder is still writing its status, and judges it once that is overdue', async () => {
    const uid = randomUUID();
    const halfWritten = (age: number): ObjectSyncRecord => ({
      ...record('edge-1', uid, 'young', undefined),
      metadata: { ...record('edge-1', uid, 'young', undefined).metadata, creationTimestamp: new Date(Date.now() - age).toISOString() },
    });
    const young = harness([halfWritten(1000)], [object('young', uid, '2')]);
    await young.reconciler.reconcile('edge-1', signal);
    expect(young.sent).toEqual([]);
    const old = harness([halfWritten(60_000)], [object('young', uid, '2')]);
    await old.reconciler.reconcile('edge-1', signal);
    expect(ops(old.sent)).toEqual([[Operation.OPERATION_UPDATE, 'node/edge-1/default/configmap/young', '2']]);
  });

  it('caps the messages of one pass and resumes where it stopped, visiting each record once per round', async () => {
    const uids = Array.from({ length: 5 }, () => randomUUID());
    const records = uids.map((uid, i) => record('edge-1', uid, `cm-${i}`, '1'));
    const { reconciler, sent } = harness(records, uids.map((uid, i) => object(`cm-${i}`, uid, '2')), undefined, 2);
    expect(await reconciler.reconcile('edge-1', signal)).toEqual({ requeueAfterMs: 0 });
    expect(await reconciler.reconcile('edge-1', signal)).toEqual({ requeueAfterMs: 0 });
    expect(await reconciler.reconcile('edge-1', signal)).toBeUndefined();
    const names = sent.map((m) => m.route!.resource.split('/').pop());
    expect(names).toHaveLength(5);
    expect(new Set(names).size).toBe(5);
    // The next round starts again from the first record.
    await reconciler.reconcile('edge-1', signal);
    expect(sent).toHaveLength(7);
  });
});
