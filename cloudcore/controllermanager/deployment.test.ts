/**
 * Deployments end to end: the real embedded API server, the controller manager, the real kubectl, and the node-agent
 * stand-in playing the kubelet.
 */
import { InformerFactory } from '../../pkg/kube';
import { REFS } from './context';
import { deploymentManifest, expectQuiet, startEnv, waitFor, type TestEnv } from './testing/env';
import type { Deployment, Pod, ReplicaSet } from './util/types';

jest.setTimeout(120_000);

let env: TestEnv;

beforeAll(async () => {
  env = await startEnv({ agent: { readyDelayMs: 300 } });
  for (const name of ['node-1', 'node-2', 'node-3']) await env.agent.addNode({ name, cpu: '8', memory: '16Gi' });
});

afterAll(async () => {
  await env?.stop();
});

const pods = (selector: string): Promise<Pod[]> =>
  env.client.resource<Pod>(REFS.pods).list({ namespace: 'default', labelSelector: selector }).then((l) => l.items);
const replicaSets = (selector: string): Promise<ReplicaSet[]> =>
  env.client.resource<ReplicaSet>(REFS.replicaSets).list({ namespace: 'default', labelSelector: selector }).then((l) => l.items);
const ready = (p: Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const live = (p: Pod): boolean => !p.metadata?.deletionTimestamp;

async function readyPods(selector: string, n: number): Promise<Pod[]> {
  return waitFor(`${n} ready pods for ${selector}`, async () => {
    const list = (await pods(selector)).filter(live);
    return list.length === n && list.every((p) => ready(p) && p.spec.nodeName) ? list : undefined;
  });
}

describe('Deployment', () => {
  it('gets a ReplicaSet and 3 scheduled pods, and follows kubectl scale to 5 and back to 2', async () => {
    const created = await env.kubectl('create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=3');
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const first = await readyPods('app=web', 3);
    const rsList = await replicaSets('app=web');
    expect(rsList).toHaveLength(1);
    const rs = rsList[0]!;
    const hash = rs.metadata?.labels?.['pod-template-hash'];
    expect(rs.metadata?.name).toBe(`web-${hash}`);
    expect(rs.metadata?.annotations).toMatchObject({
      'deployment.kubernetes.io/revision': '1',
      'deployment.kubernetes.io/desired-replicas': '3',
      'deployment.kubernetes.io/max-replicas': '4',
    });
    expect(rs.metadata?.ownerReferences).toEqual([expect.objectContaining({ kind: 'Deployment', name: 'web', controller: true, blockOwnerDeletion: true })]);
    for (const pod of first) {
      expect(pod.metadata?.generateName).toBe(`${rs.metadata?.name}-`);
      expect(pod.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicaSet', name: rs.metadata?.name, controller: true });
    }

    expect(await env.kubectl('scale', 'deployment/web', '--replicas=5')).toMatchObject({ code: 0 });
    await readyPods('app=web', 5);
    expect(await env.kubectl('scale', 'deployment/web', '--replicas=2')).toMatchObject({ code: 0 });
    await readyPods('app=web', 2);
    await waitFor('status of 2', async () => {
      const d = await env.client.resource<Deployment>(REFS.deployments).get('web', { namespace: 'default' });
      const s = d.status;
      return s?.replicas === 2 && s.availableReplicas === 2 && s.updatedReplicas === 2 && s.observedGeneration === d.metadata?.generation;
    });
  });

  it('rolls a template change out within maxSurge and maxUnavailable at every step; kubectl rollout status finishes', async () => {
    const strategy = { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '50%', maxUnavailable: '25%' } } };
    expect(await env.kubectlApply(deploymentManifest('roll', 4, 'nginx:1.25', strategy))).toMatchObject({ code: 0 });
    await readyPods('app=roll', 4);
    expect(await env.kubectl('rollout', 'status', 'deployment/roll', '--timeout=60s')).toMatchObject({ code: 0 });

    // Watch every pod and ReplicaSet change during the rollout. 4 replicas: surge 50% -> 2 (up), unavailable 25% -> 1 (down).
    const violations: string[] = [];
    const stop = new AbortController();
    const factory = new InformerFactory({ client: env.client, log: env.log, resyncMs: 0 });
    const podInformer = factory.forResource<Pod>({ ...REFS.pods, namespace: 'default', labelSelector: 'app=roll' });
    const rsInformer = factory.forResource<ReplicaSet>({ ...REFS.replicaSets, namespace: 'default', labelSelector: 'app=roll' });
    let steps = 0;
    const check = (): void => {
      steps++;
      const livePods = podInformer.store.list().filter(live);
      const readyCount = livePods.filter(ready).length;
      const specTotal = rsInformer.store.list().reduce((n, rs) => n + (rs.spec.replicas ?? 0), 0);
      if (livePods.length > 6) violations.push(`${livePods.length} pods > 4 + maxSurge 2`);
      if (specTotal > 6) violations.push(`ReplicaSets want ${specTotal} > 6: ${rsInformer.store.list().map((rs) => `${rs.metadata?.name}=${rs.spec.replicas}@${rs.metadata?.resourceVersion}`).join(' ')}`);
      if (podInformer.hasSynced() && readyCount < 3) violations.push(`${readyCount} ready < 4 - maxUnavailable 1`);
    };
    podInformer.addHandler({ add: check, update: check, delete: check });
    rsInformer.addHandler({ add: check, update: check, delete: check });
    const watching = factory.start(stop.signal);
    await factory.waitForSync(stop.signal);

    expect(await env.kubectl('set', 'image', 'deployment/roll', 'main=nginx:1.26')).toMatchObject({ code: 0 });
    const status = await env.kubectl('rollout', 'status', 'deployment/roll', '--timeout=60s');
    expect(status).toMatchObject({ code: 0 });
    expect(status.stdout).toContain('deployment "roll" successfully rolled out');
    stop.abort();
    await watching;
    expect(violations).toEqual([]);
    expect(steps).toBeGreaterThan(10);

    const rsList = await replicaSets('app=roll');
    expect(rsList).toHaveLength(2);
    const byRevision = Object.fromEntries(rsList.map((rs) => [rs.metadata?.annotations?.['deployment.kubernetes.io/revision'], rs]));
    expect(byRevision['1']?.spec.replicas).toBe(0);
    expect(byRevision['2']?.spec.replicas).toBe(4);
    expect(byRevision['2']?.spec.template.spec.containers[0]?.['image']).toBe('nginx:1.26');
    const livePods = (await pods('app=roll')).filter(live);
    expect(livePods.every((p) => p.metadata?.labels?.['pod-template-hash'] === byRevision['2']?.metadata?.labels?.['pod-template-hash'])).toBe(true);

    const d = await env.client.resource<Deployment>(REFS.deployments).get('roll', { namespace: 'default' });
    expect(d.status).toMatchObject({ replicas: 4, updatedReplicas: 4, readyReplicas: 4, availableReplicas: 4, observedGeneration: d.metadata?.generation });
    const conditions = Object.fromEntries((d.status?.conditions ?? []).map((c) => [c.type, c]));
    expect(conditions['Available']).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' });
    expect(conditions['Progressing']).toMatchObject({
      status: 'True',
      reason: 'NewReplicaSetAvailable',
      message: `ReplicaSet "${byRevision['2']?.metadata?.name}" has successfully progressed.`,
    });

    const events = await env.kubectl('get', 'events', '--field-selector', 'involvedObject.name=roll', '-o', 'json');
    const reasons = (JSON.parse(events.stdout) as { items: { reason: string; message: string; source: { component: string } }[] }).items;
    // Settled: nothing keeps rewriting the Deployment, its ReplicaSets or pods.
    await expectQuiet(async () => [
      await env.client.resource<Deployment>(REFS.deployments).get('roll', { namespace: 'default' }),
      ...(await replicaSets('app=roll')),
      ...(await pods('app=roll')),
    ]);
    expect(reasons.filter((e) => e.reason === 'ScalingReplicaSet' && e.source.component === 'deployment-controller').map((e) => e.message)).toEqual(
      expect.arrayContaining([
        `Scaled up replica set ${byRevision['1']?.metadata?.name} from 0 to 4`,
        `Scaled up replica set ${byRevision['2']?.metadata?.name} from 0 to 2`,
        `Scaled down replica set ${byRevision['1']?.metadata?.name} from 4 to 3`,
      ]),
    );
  });

  it('Recreate stops every old pod before starting new ones', async () => {
    expect(await env.kubectlApply(deploymentManifest('rec', 2, 'nginx:1.25', { strategy: { type: 'Recreate' } }))).toMatchObject({ code: 0 });
    const old = await readyPods('app=rec', 2);
    expect(await env.kubectl('set', 'image', 'deployment/rec', 'main=nginx:1.26')).toMatchObject({ code: 0 });
    const oldUids = new Set(old.map((p) => p.metadata?.uid));
    let overlap = false;
    await waitFor('the new pods', async () => {
      const all = await pods('app=rec');
      const fresh = all.filter((p) => !oldUids.has(p.metadata?.uid));
      if (fresh.length > 0 && all.some((p) => oldUids.has(p.metadata?.uid))) overlap = true;
      return fresh.length === 2 && fresh.every(ready) && all.length === 2;
    }, 30_000, 20);
    expect(overlap).toBe(false);
    expect(await env.kubectl('rollout', 'status', 'deployment/rec', '--timeout=60s')).toMatchObject({ code: 0 });
  });

  it('kubectl delete cascades in the background, in the foreground, or orphans', async () => {
    for (const name of ['bg', 'fg', 'orph']) expect(await env.kubectlApply(deploymentManifest(name, 2, 'nginx:1.25'))).toMatchObject({ code: 0 });
    for (const name of ['bg', 'fg', 'orph']) await readyPods(`app=${name}`, 2);

    expect(await env.kubectl('delete', 'deployment', 'bg')).toMatchObject({ code: 0 });
    await waitFor('bg ReplicaSets and pods gone', async () => (await replicaSets('app=bg')).length === 0 && (await pods('app=bg')).length === 0);

    expect(await env.kubectl('delete', 'deployment', 'fg', '--cascade=foreground', '--timeout=60s')).toMatchObject({ code: 0 });
    // The Deployment is gone only after its ReplicaSet, which is gone only after its pods.
    expect(await replicaSets('app=fg')).toEqual([]);
    expect(await pods('app=fg')).toEqual([]);

    const orphanPods = await pods('app=orph');
    expect(await env.kubectl('delete', 'deployment', 'orph', '--cascade=orphan', '--timeout=60s')).toMatchObject({ code: 0 });
    const rsLeft = await replicaSets('app=orph');
    expect(rsLeft).toHaveLength(1);
    expect(rsLeft[0]?.metadata?.ownerReferences ?? []).toEqual([]);
    const podsLeft = await pods('app=orph');
    expect(podsLeft.map((p) => p.metadata?.uid).sort()).toEqual(orphanPods.map((p) => p.metadata?.uid).sort());
    expect(podsLeft.every((p) => p.metadata?.ownerReferences?.[0]?.name === rsLeft[0]?.metadata?.name)).toBe(true);
  });

  it('adopts and releases: a ReplicaSet lets go of a relabelled pod, a re-created Deployment adopts the orphaned ReplicaSet', async () => {
    const [rs] = await replicaSets('app=orph');
    expect(rs?.metadata?.ownerReferences ?? []).toEqual([]);
    const [victim] = (await pods('app=orph')).filter(live);
    await env.client.resource<Pod>(REFS.pods).patch(victim!.metadata!.name!, { metadata: { labels: { app: 'elsewhere' } } }, { type: 'merge', namespace: 'default' });
    await waitFor('released and replaced', async () => {
      const released = await env.client.resource<Pod>(REFS.pods).get(victim!.metadata!.name!, { namespace: 'default' });
      return (released.metadata?.ownerReferences ?? []).length === 0 && (await pods('app=orph')).filter(live).length === 2;
    });

    expect(await env.kubectlApply(deploymentManifest('orph', 2, 'nginx:1.25'))).toMatchObject({ code: 0 });
    const adopted = await waitFor('ReplicaSet adopted', async () => {
      const list = await replicaSets('app=orph');
      return list.length === 1 && list[0]?.metadata?.ownerReferences?.[0]?.kind === 'Deployment' ? list[0] : undefined;
    });
    expect(adopted.metadata?.uid).toBe(rs?.metadata?.uid);
    expect(await env.kubectl('rollout', 'status', 'deployment/orph', '--timeout=60s')).toMatchObject({ code: 0 });
  });

  it('keeps revisionHistoryLimit old ReplicaSets', async () => {
    expect(await env.kubectlApply(deploymentManifest('hist', 1, 'nginx:1', { revisionHistoryLimit: 1 }))).toMatchObject({ code: 0 });
    for (const tag of ['2', '3', '4']) {
      expect(await env.kubectl('set', 'image', 'deployment/hist', `main=nginx:${tag}`)).toMatchObject({ code: 0 });
      expect(await env.kubectl('rollout', 'status', 'deployment/hist', '--timeout=60s')).toMatchObject({ code: 0 });
    }
    const list = await waitFor('history trimmed to 1 old ReplicaSet', async () => {
      const all = await replicaSets('app=hist');
      return all.length === 2 ? all : undefined;
    });
    expect(list.map((r) => r.metadata?.annotations?.['deployment.kubernetes.io/revision']).sort()).toEqual(['3', '4']);
  });
});
