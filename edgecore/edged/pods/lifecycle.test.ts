/**
 * Probes, adoption after an edged restart and garbage collection, against a real containerd. Probes are H3's
 * ContainerProbes with a short "second" so the test runs in a few seconds.
 */
import { ContainerProbes } from '../probes/worker';
import { BUSYBOX, makePod, PodWorkers, Recorder, startRuntime, waitFor, workerOptions, type Runtime } from './harness';
import type { StartProbes } from './types';

jest.setTimeout(90_000);

let rt: Runtime;
const stoppers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  rt = await startRuntime();
});

afterAll(async () => {
  for (const stop of stoppers) await stop();
  await rt?.stop();
});

const fastProbes: StartProbes = (spec) => {
  const probes = new ContainerProbes({
    container: spec.container,
    target: spec.target,
    startedAtMs: spec.startedAtMs,
    msPerSecond: 200,
    onResult: spec.onResult,
    onAttempt: (kind, outcome) => spec.onAttempt(kind, outcome.result === 'success', outcome.message),
  });
  probes.start();
  return probes;
};

function startWorkers(rec: Recorder, probes = true): { workers: PodWorkers; stop(): Promise<void> } {
  const workers = new PodWorkers(rec.deps(rt.cri, probes ? { startProbes: fastProbes } : {}), workerOptions(rt.dir));
  const abort = new AbortController();
  const loops = workers.start(abort.signal);
  const stop = async (): Promise<void> => {
    abort.abort();
    await loops;
  };
  stoppers.push(stop);
  return { workers, stop };
}

test('readiness gates Ready; a failing liveness probe restarts the container', async () => {
  const rec = new Recorder();
  const { workers, stop } = startWorkers(rec);
  // Healthy while /tmp/alive exists; it is removed after ~1.5 s, so liveness fails and the container restarts.
  const pod = makePod('probed', [
    {
      name: 'c',
      image: BUSYBOX,
      command: ['sh', '-c', 'touch /tmp/alive; sleep 1.5; rm /tmp/alive; exec sleep 3600'],
      readinessProbe: { exec: { command: ['cat', '/tmp/alive'] }, periodSeconds: 1, failureThreshold: 1 },
      livenessProbe: { exec: { command: ['cat', '/tmp/alive'] }, periodSeconds: 1, failureThreshold: 2 },
    },
  ], { hostNetwork: true });
  const uid = pod.metadata.uid!;
  workers.update(pod);
  // Running but not Ready until the readiness probe passes.
  const first = await waitFor('Running', () => rec.history.find((h) => h.uid === uid && h.status.phase === 'Running')?.status);
  expect(first.containerStatuses![0]!.ready).toBe(false);
  await waitFor('Ready', () => rec.statuses.get(uid)?.conditions?.find((c) => c.type === 'Ready')?.status === 'True');
  await waitFor('restarted after liveness failure', () => (rec.statuses.get(uid)?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 20_000);
  expect(rec.eventsOf(uid, 'Killing').map((e) => e.message)).toContain('Container c failed liveness probe, will be restarted');
  expect(rec.eventsOf(uid, 'Unhealthy')[0]!.message).toMatch(/^(Liveness|Readiness) probe failed: /);
  const s = await waitFor('running again', () => rec.statuses.get(uid)?.containerStatuses?.[0]?.state.running && rec.statuses.get(uid));
  // busybox sleep ends on SIGTERM: 143, as a kubelet would report it.
  expect(s.containerStatuses![0]!.lastState.terminated).toMatchObject({ exitCode: 143, reason: 'Error' });
  await workers.remove(uid);
  await stop();
});

test('an invalid probe is a CreateContainerConfigError', async () => {
  const rec = new Recorder();
  const { workers, stop } = startWorkers(rec);
  const pod = makePod('badprobe', [{ name: 'c', image: BUSYBOX, command: ['sleep', '3600'], livenessProbe: { periodSeconds: 1 } }], { hostNetwork: true });
  workers.update(pod);
  const s = await waitFor('error', () => rec.statuses.get(pod.metadata.uid!)?.containerStatuses?.[0]?.state.waiting?.reason === 'CreateContainerConfigError' && rec.statuses.get(pod.metadata.uid!));
  expect(s.containerStatuses![0]!.state.waiting!.message).toContain('invalid probe for container "c"');
  await workers.remove(pod.metadata.uid!);
  await stop();
});

test('a restarted edged adopts running pods without restarting them; GC removes orphans and dead containers', async () => {
  const recA = new Recorder();
  const a = startWorkers(recA, false);
  const keep = makePod('keep', [{ name: 'c', image: BUSYBOX, command: ['sleep', '3600'] }]);
  const orphan = makePod('orphan', [{ name: 'c', image: BUSYBOX, command: ['sleep', '3600'] }], { hostNetwork: true });
  const crash = makePod('crashgc', [{ name: 'c', image: BUSYBOX, command: ['sh', '-c', 'exit 1'] }], { hostNetwork: true });
  for (const p of [keep, orphan, crash]) a.workers.update(p);
  const before = await waitFor('keep running', () => recA.statuses.get(keep.metadata.uid!)?.phase === 'Running' && recA.statuses.get(keep.metadata.uid!));
  await waitFor('orphan running', () => recA.statuses.get(orphan.metadata.uid!)?.phase === 'Running');
  await waitFor('3 restarts', () => (recA.statuses.get(crash.metadata.uid!)?.containerStatuses?.[0]?.restartCount ?? 0) >= 3);
  await a.stop(); // edged stops: containers keep running

  const recB = new Recorder();
  const b = startWorkers(recB, false);
  const adopted = await b.workers.adopt();
  expect(adopted.map((p) => p.uid)).toEqual(expect.arrayContaining([keep, orphan, crash].map((p) => p.metadata.uid!)));
  expect(adopted.find((p) => p.uid === keep.metadata.uid)!.runningContainers).toHaveLength(1);
  b.workers.update({ ...keep, status: before });
  b.workers.update(crash);
  const after = await waitFor('keep status', () => recB.statuses.get(keep.metadata.uid!)?.phase === 'Running' && recB.statuses.get(keep.metadata.uid!));
  expect(after.containerStatuses![0]!.containerID).toBe(before.containerStatuses![0]!.containerID);
  expect(after.containerStatuses![0]!.restartCount).toBe(0);
  expect(after.podIP).toBe(before.podIP);
  expect(after.startTime).toBe(before.startTime);
  expect(recB.eventsOf(keep.metadata.uid!, 'Created')).toEqual([]);

  // Before the sources are ready GC keeps unknown pods; after, it removes them; dead containers beyond one go.
  let gc = await b.workers.gc();
  expect(gc.removedPods).toEqual([]);
  let removedContainers = gc.removedContainers;
  b.workers.markSourcesReady();
  gc = await b.workers.gc();
  removedContainers += gc.removedContainers;
  expect(gc.removedPods).toEqual([orphan.metadata.uid]);
  expect(await rt.cri.listPodSandbox({ labelSelector: { 'io.kubernetes.pod.uid': orphan.metadata.uid! } })).toEqual([]);
  const crashContainers = await rt.cri.listContainers({ labelSelector: { 'io.kubernetes.pod.uid': crash.metadata.uid! } });
  expect(removedContainers).toBeGreaterThanOrEqual(1);
  // One dead instance kept (lastState); the pod keeps crashing meanwhile, so allow the one that died since.
  expect(crashContainers.filter((c) => c.state === 2 /* EXITED */).length).toBeLessThanOrEqual(2);
  // Still restarting, counting on from the attempts it found.
  const count = recB.statuses.get(crash.metadata.uid!)?.containerStatuses?.[0]?.restartCount ?? 0;
  expect(count).toBeGreaterThanOrEqual(3);

  await Promise.all([b.workers.remove(keep.metadata.uid!), b.workers.remove(crash.metadata.uid!)]);
  await b.stop();
});
