/**
 * The pod workers against a real containerd (private instance, local images): sandbox + containers + status as a
 * kubelet reports it, restart policies with CrashLoopBackOff, init containers, image policy, graceful deletion,
 * removal, and bad input. No shim is left behind (containerd.stop({ clean: true })).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUSYBOX, makePod, PodWorkers, Recorder, startRuntime, waitFor, workerOptions, type Runtime } from './harness';

jest.setTimeout(90_000);

let rt: Runtime;
let rec: Recorder;
let workers: PodWorkers;
const abort = new AbortController();
let loops: Promise<void>;

beforeAll(async () => {
  rt = await startRuntime();
  rec = new Recorder();
  workers = new PodWorkers(rec.deps(rt.cri), workerOptions(rt.dir));
  loops = workers.start(abort.signal);
});

afterAll(async () => {
  abort.abort();
  await loops;
  await rt?.stop();
});

const status = (uid: string) => rec.statuses.get(uid);

test('a pod runs: sandbox on the CNI bridge, container running, status like a kubelet, CRI log written', async () => {
  const pod = makePod('web', [{ name: 'c', image: BUSYBOX, command: ['sh', '-c', "trap '' TERM; echo hello; exec sleep 3600"] }]);
  const uid = pod.metadata.uid!;
  workers.update(pod);
  const s = await waitFor('Running + Ready', () => {
    const st = status(uid);
    return st?.phase === 'Running' && st.conditions?.find((c) => c.type === 'Ready')?.status === 'True' && st;
  });
  expect(s.podIP).toMatch(/^10\.234\./);
  expect(s.podIPs).toEqual([{ ip: s.podIP }]);
  expect(s.hostIP).toBe('192.0.2.10');
  expect(s.qosClass).toBe('BestEffort');
  expect(s.startTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  expect(s.conditions!.map((c) => `${c.type}=${c.status}`)).toEqual([
    'PodReadyToStartContainers=True',
    'Initialized=True',
    'ContainersReady=True',
    'Ready=True',
    'PodScheduled=True',
  ]);
  const cs = s.containerStatuses![0]!;
  expect(cs).toMatchObject({ name: 'c', ready: true, started: true, restartCount: 0, image: BUSYBOX, lastState: {} });
  expect(cs.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
  expect(cs.imageID).not.toBe('');
  expect(cs.state.running?.startedAt).toBeDefined();
  expect(rec.eventsOf(uid).map((e) => e.reason)).toEqual(['Pulled', 'Created', 'Started']);
  expect(rec.eventsOf(uid, 'Pulled')[0]!.message).toBe(`Container image "${BUSYBOX}" already present on machine`);

  const log = join(rt.dir, 'pods', `default_web_${uid}`, 'c', '0.log');
  await waitFor('log line', () => existsSync(log) && readFileSync(log, 'utf8').includes('stdout F hello'));

  // Graceful deletion: the container ignores SIGTERM, so the grace (1 s) ends in SIGKILL; then onTerminated once.
  const started = Date.now();
  workers.update({ ...pod, metadata: { ...pod.metadata, deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 1 } });
  await waitFor('terminated', () => rec.terminated.includes(uid));
  expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  expect(rec.terminated.filter((u) => u === uid)).toHaveLength(1);
  const final = status(uid)!;
  expect(final.phase).toBe('Failed');
  expect(final.containerStatuses![0]!.state.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
  expect(rec.eventsOf(uid, 'Killing')[0]!.message).toBe('Stopping container c');

  await workers.remove(uid);
  expect(await rt.cri.listPodSandbox({ labelSelector: { 'io.kubernetes.pod.uid': uid } })).toEqual([]);
  expect(await rt.cri.listContainers({ labelSelector: { 'io.kubernetes.pod.uid': uid } })).toEqual([]);
  expect(existsSync(join(rt.dir, 'pods', `default_web_${uid}`))).toBe(false);
  expect(workers.statusOf(uid)).toBeUndefined();
});

test('restartPolicy Always: a crashing container restarts with CrashLoopBackOff and a rising restartCount', async () => {
  const pod = makePod('crash', [{ name: 'c', image: BUSYBOX, command: ['sh', '-c', 'exit 3'] }], { hostNetwork: true });
  const uid = pod.metadata.uid!;
  workers.update(pod);
  const s = await waitFor('CrashLoopBackOff', () => {
    const st = status(uid);
    const cs = st?.containerStatuses?.[0];
    return cs?.state.waiting?.reason === 'CrashLoopBackOff' && cs.restartCount >= 1 && st;
  });
  const cs = s.containerStatuses![0]!;
  expect(cs.state.waiting!.message).toMatch(/^back-off \d+ms restarting failed container=c pod=crash_default\(/);
  expect(cs.lastState.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
  expect(s.phase).toBe('Running');
  expect(s.podIP).toBe('192.0.2.10'); // host network
  expect(s.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [c]' });
  await waitFor('restartCount >= 3', () => (status(uid)?.containerStatuses?.[0]?.restartCount ?? 0) >= 3);
  expect(rec.eventsOf(uid, 'BackOff')[0]!.message).toMatch(/^Back-off restarting failed container c in pod crash_default\(/);
  await workers.remove(uid);
});

test('restartPolicy Never: a failed container makes the pod Failed and its sandbox is stopped', async () => {
  const pod = makePod('never', [{ name: 'c', image: BUSYBOX, command: ['sh', '-c', 'echo bye; exit 2'] }], { restartPolicy: 'Never' });
  const uid = pod.metadata.uid!;
  workers.update(pod);
  const s = await waitFor('Failed', () => status(uid)?.phase === 'Failed' && status(uid));
  expect(s.containerStatuses![0]!.state.terminated).toMatchObject({ exitCode: 2, reason: 'Error' });
  expect(s.containerStatuses![0]!.restartCount).toBe(0);
  expect(s.conditions!.find((c) => c.type === 'PodReadyToStartContainers')?.status).toBe('False');
  for (;;) {
    const sandboxes = await rt.cri.listPodSandbox({ labelSelector: { 'io.kubernetes.pod.uid': uid } });
    expect(sandboxes).toHaveLength(1);
    if (sandboxes[0]!.state === 1) break; // SANDBOX_NOTREADY
    await new Promise((r) => setTimeout(r, 50));
  }
  await workers.remove(uid);
});

test('OnFailure + init containers: init runs first, the pod Succeeds, Ready False PodCompleted', async () => {
  const pod = makePod('job', [{ name: 'main', image: BUSYBOX, command: ['true'] }], {
    restartPolicy: 'OnFailure',
    initContainers: [
      { name: 'init1', image: BUSYBOX, command: ['true'] },
      { name: 'init2', image: BUSYBOX, command: ['true'] },
    ],
  });
  const uid = pod.metadata.uid!;
  workers.update(pod);
  const s = await waitFor('Succeeded', () => status(uid)?.phase === 'Succeeded' && status(uid));
  expect(s.initContainerStatuses!.map((c) => c.state.terminated?.reason)).toEqual(['Completed', 'Completed']);
  expect(s.containerStatuses![0]!.state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
  expect(s.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
  expect(s.conditions!.find((c) => c.type === 'Initialized')).toMatchObject({ status: 'True' });
  // Pending was reported first, with the app container PodInitializing.
  const pending = rec.history.find((h) => h.uid === uid && h.status.phase === 'Pending');
  expect(pending?.status.containerStatuses?.[0]?.state.waiting?.reason).toBe('PodInitializing');
  const created = rec.eventsOf(uid, 'Created').map((e) => e.message);
  expect(created).toEqual(['Created container init1', 'Created container init2', 'Created container main']);
  await workers.remove(uid);
});

test('image policy: Never + absent -> ErrImageNeverPull; absent -> ErrImagePull then ImagePullBackOff', async () => {
  const never = makePod('never-pull', [{ name: 'c', image: 'localhost/absent:1', imagePullPolicy: 'Never' }], { hostNetwork: true });
  const pull = makePod('pull', [{ name: 'c', image: 'localhost:1/absent:1' }], { hostNetwork: true });
  workers.update(never);
  workers.update(pull);
  const n = await waitFor('ErrImageNeverPull', () => status(never.metadata.uid!)?.containerStatuses?.[0]?.state.waiting?.reason === 'ErrImageNeverPull' && status(never.metadata.uid!));
  expect(n.containerStatuses![0]!.state.waiting!.message).toBe('Container image "localhost/absent:1" is not present with pull policy of Never');
  expect(n.phase).toBe('Pending');
  expect(rec.eventsOf(never.metadata.uid!, 'ErrImageNeverPull').length).toBeGreaterThanOrEqual(1); // again at each retry, as kubelet (the recorder aggregates)

  const seen = (reason: string) => rec.history.some((h) => h.uid === pull.metadata.uid && h.status.containerStatuses?.[0]?.state.waiting?.reason === reason);
  await waitFor('ErrImagePull', () => seen('ErrImagePull'));
  await waitFor('ImagePullBackOff', () => seen('ImagePullBackOff'));
  expect(rec.eventsOf(pull.metadata.uid!, 'Failed')[0]!.message).toMatch(/^Failed to pull image "localhost:1\/absent:1": /);
  expect(rec.eventsOf(pull.metadata.uid!, 'BackOff')[0]!.message).toBe('Back-off pulling image "localhost:1/absent:1"');
  await Promise.all([workers.remove(never.metadata.uid!), workers.remove(pull.metadata.uid!)]);
});

test('bad limits give CreateContainerConfigError and an event, never a crash of the worker', async () => {
  const pod = makePod('bad', [{ name: 'c', image: BUSYBOX, command: ['sleep', '3600'], resources: { limits: { memory: '-1Mi' } } }], { hostNetwork: true });
  const uid = pod.metadata.uid!;
  workers.update(pod);
  const s = await waitFor('CreateContainerConfigError', () => status(uid)?.containerStatuses?.[0]?.state.waiting?.reason === 'CreateContainerConfigError' && status(uid));
  expect(s.containerStatuses![0]!.state.waiting!.message).toContain('resources.limits.memory must be non-negative');
  expect(rec.eventsOf(uid, 'Failed')[0]!.message).toMatch(/^Error: container "c": resources.limits.memory/);
  await workers.remove(uid);
});

test('memory and cpu limits reach the container cgroup', async () => {
  const pod = makePod(
    'limits',
    [{ name: 'c', image: BUSYBOX, command: ['sleep', '3600'], resources: { limits: { memory: '64Mi', cpu: '500m' } } }],
    { hostNetwork: true },
  );
  const uid = pod.metadata.uid!;
  workers.update(pod);
  const s = await waitFor('Running', () => status(uid)?.phase === 'Running' && status(uid));
  expect(s.qosClass).toBe('Guaranteed');
  const id = s.containerStatuses![0]!.containerID!.replace('containerd://', '');
  const mem = await rt.cri.execSync(id, ['cat', '/sys/fs/cgroup/memory/memory.limit_in_bytes'], 5);
  expect(mem.stdout.toString().trim()).toBe(String(64 * 1024 * 1024));
  const quota = await rt.cri.execSync(id, ['cat', '/sys/fs/cgroup/cpu/cpu.cfs_quota_us'], 5);
  expect(quota.stdout.toString().trim()).toBe('50000');
  await workers.remove(uid);
});

test("the runtime's cgroup driver is known (containerd 1.6: from its CRI config), so edged can refuse a mismatch", async () => {
  await expect(rt.cri.cgroupDriver()).resolves.toBe('cgroupfs');
});
