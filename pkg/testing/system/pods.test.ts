/**
 * Pods at the edge with real processes: containerd (private, with the local busybox and pause images), cloudcore
 * (embedded API server and controllers), edgecore with edged, and the real kubectl. One node for the whole file; each
 * test uses pods of its own.
 */
import { Buffer } from 'node:buffer';
import { waitFor } from './cluster';
import { SystemTest } from './harness';
import {
  containerStatus,
  deploymentManifest,
  describePods,
  EdgeNodeSetup,
  isRunning,
  isRunningAndReady,
  podManifest,
  POD_START_MS,
  runtimeId,
  type Manifest,
} from './pods';

jest.setTimeout(180_000);

const NODE = 'edge-pods';

let sys: SystemTest;
let node: EdgeNodeSetup;

beforeAll(async () => {
  sys = await SystemTest.create('pods');
  node = await EdgeNodeSetup.start(sys, { node: NODE });
}, 240_000);

afterAll(async () => {
  await sys?.dispose();
});

afterEach(() => {
  // edgecore must never go down because of what a pod asks for.
  expect(node.edge.process.alive).toBe(true);
});

test('the edge node registers Ready, labelled as an edge node, with KubeEdge-style version info and host capacity', async () => {
  const nodeObject = await node.node();
  expect(nodeObject.metadata.labels).toMatchObject({ 'node-role.kubernetes.io/edge': '', 'kubernetes.io/hostname': NODE, 'kubernetes.io/os': 'linux' });
  expect(nodeObject.status.nodeInfo.kubeletVersion).toMatch(/kubeedge/);
  expect(nodeObject.status.nodeInfo.containerRuntimeVersion).toMatch(/^containerd:\/\//);
  expect(Number(nodeObject.status.capacity.pods)).toBeGreaterThan(0);
  expect(Number(nodeObject.status.capacity.cpu)).toBeGreaterThan(0);
  const lease = await node.cloud.kubectlJson(['get', 'lease', NODE, '-n', 'kube-node-lease']);
  expect(lease.spec.holderIdentity).toBe(NODE);
});

test('a 3-replica Deployment on the edge node becomes Running and Ready', async () => {
  await node.apply(deploymentManifest('web', NODE, 3));
  const pods = await node.waitForPods({ app: 'web' }, (list) => list.length === 3 && list.every(isRunningAndReady), POD_START_MS, '3 web pods Running and Ready');
  for (const pod of pods) {
    expect(pod.spec.nodeName).toBe(NODE);
    const status = containerStatus(pod)!;
    expect(status).toMatchObject({ ready: true, started: true, restartCount: 0, image: expect.stringContaining('busybox') });
    expect(status.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    expect(status.imageID).not.toBe('');
    expect(pod.status.podIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(pod.status.hostIP).toBeDefined();
    expect(pod.status.startTime).toBeDefined();
    // The container the API names is the one running on the node.
    const running = (await node.containers(pod.metadata.uid)).filter((c) => c.state === 'running');
    expect(running.map((c) => c.id)).toEqual([runtimeId(status.containerID)]);
  }
  await waitFor(
    async () => (await node.cloud.kubectlJson(['get', 'deployment', 'web', '-n', 'default'])).status?.readyReplicas === 3,
    30_000,
    'deployment web readyReplicas 3',
  );
});

test('env and volumes from a configmap and a secret are visible inside the container', async () => {
  await node.apply(
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config', namespace: 'default' }, data: { greeting: 'hello from a configmap', mode: 'edge' } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'app-secret', namespace: 'default' }, data: { password: Buffer.from('s3cret!').toString('base64') } },
    podManifest(
      'inputs',
      NODE,
      {
        command: ['sh', '-c', 'echo "GREETING=$GREETING"; echo "PASSWORD=$PASSWORD"; echo "MODE=$mode"; echo "POD=$POD_NAME"; echo "FILE=$(cat /etc/config/greeting)"; echo "SECRET=$(cat /etc/secret/password)"; sleep 3600'],
        env: [
          { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'greeting' } } },
          { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'app-secret', key: 'password' } } },
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        ],
        envFrom: [{ configMapRef: { name: 'app-config' } }],
        volumeMounts: [
          { name: 'config', mountPath: '/etc/config' },
          { name: 'secret', mountPath: '/etc/secret', readOnly: true },
        ],
      },
      { volumes: [{ name: 'config', configMap: { name: 'app-config' } }, { name: 'secret', secret: { secretName: 'app-secret' } }] },
    ),
  );
  const pod = await node.waitForPod('inputs', isRunning, POD_START_MS, 'Running');
  let lines: string[] = [];
  await waitFor(async () => (lines = await node.containerLog(pod)).length >= 6, 15_000, 'six lines in the CRI log file', () => lines.join('\n'));
  expect(lines).toEqual([
    'GREETING=hello from a configmap',
    'PASSWORD=s3cret!',
    'MODE=edge',
    'POD=inputs',
    'FILE=hello from a configmap',
    'SECRET=s3cret!',
  ]);
});

test('a killed container is restarted and its restartCount rises', async () => {
  await node.apply(podManifest('victim', NODE));
  const before = await node.waitForPod('victim', isRunningAndReady, POD_START_MS, 'Running and Ready');
  const firstId = runtimeId(containerStatus(before)!.containerID)!;
  process.kill(await node.taskPid(firstId), 'SIGKILL');
  const after = await node.waitForPod(
    'victim',
    (pod) => isRunningAndReady(pod) && containerStatus(pod)!.restartCount >= 1,
    60_000,
    'Running again with restartCount >= 1',
  );
  const status = containerStatus(after)!;
  expect(runtimeId(status.containerID)).not.toBe(firstId);
  expect(status.lastState.terminated).toMatchObject({ exitCode: 137, reason: 'Error', containerID: `containerd://${firstId}` });
  const running = (await node.containers(after.metadata.uid)).filter((c) => c.state === 'running');
  expect(running).toEqual([expect.objectContaining({ id: runtimeId(status.containerID), attempt: status.restartCount })]);
});

test('a failing liveness probe restarts the container, with an Unhealthy event', async () => {
  // Healthy for ~4 s, then the probe's file goes away.
  await node.apply(
    podManifest('unhealthy', NODE, {
      command: ['sh', '-c', 'touch /tmp/healthy; sleep 4; rm /tmp/healthy; sleep 3600'],
      livenessProbe: { exec: { command: ['cat', '/tmp/healthy'] }, periodSeconds: 1, failureThreshold: 2, timeoutSeconds: 1 },
    }),
  );
  await node.waitForPod('unhealthy', isRunning, POD_START_MS, 'Running');
  await node.waitForPod('unhealthy', (pod) => containerStatus(pod)!.restartCount >= 1, 60_000, 'restarted by its liveness probe');
  const unhealthy = await node.waitForEvent('unhealthy', 'Unhealthy', 15_000);
  expect(unhealthy.type).toBe('Warning');
  expect(unhealthy.message).toMatch(/Liveness probe failed/);
});

test('deleting a pod removes its containers from the node and the pod from the API', async () => {
  await node.apply(podManifest('doomed', NODE));
  const pod = await node.waitForPod('doomed', isRunningAndReady, POD_START_MS, 'Running and Ready');
  expect((await node.containers(pod.metadata.uid)).length).toBeGreaterThan(0);
  await node.cloud.kubectl(['delete', 'pod', 'doomed', '-n', 'default', '--wait=false']);
  // The graceful deletion ends when edged confirms that the containers are gone.
  await node.waitForPodGone('doomed', 30_000);
  await waitFor(async () => (await node.containers(pod.metadata.uid)).length === 0, 30_000, 'no container of the deleted pod left on the node', async () =>
    JSON.stringify(await node.containers(pod.metadata.uid)),
  );
});

test('a missing image gives ErrImageNeverPull (policy Never) and ErrImagePull or ImagePullBackOff (IfNotPresent), with events', async () => {
  await node.apply(
    podManifest('never-pull', NODE, { image: 'docker.io/library/not-here:1.0', imagePullPolicy: 'Never' }),
    podManifest('pull-fails', NODE, { image: 'docker.io/library/not-here:1.0', imagePullPolicy: 'IfNotPresent' }),
  );
  const never = await node.waitForPod('never-pull', (pod) => containerStatus(pod)?.state?.waiting?.reason === 'ErrImageNeverPull', 60_000, 'waiting ErrImageNeverPull');
  expect(never.status.phase).toBe('Pending');
  expect(containerStatus(never)!.state.waiting.message).toMatch(/not-here:1\.0/);
  await node.waitForPod('pull-fails', (pod) => ['ErrImagePull', 'ImagePullBackOff'].includes(containerStatus(pod)?.state?.waiting?.reason), 60_000, 'waiting ErrImagePull');
  await node.waitForEvent('never-pull', 'ErrImageNeverPull', 15_000);
  // Two Failed events come: "Failed to pull image ..." and "Error: ErrImagePull", in either order.
  const failed = await node.waitForEvent('pull-fails', 'Failed', 15_000, /not-here/);
  expect(failed.message).toMatch(/not-here/);
});

describe('bad input: a clear reason and an event, and edgecore keeps running', () => {
  test('a hostPath volume of type Directory that does not exist: ContainerCreating and a FailedMount event naming the volume', async () => {
    await node.apply(
      podManifest('bad-volume', NODE, { volumeMounts: [{ name: 'data', mountPath: '/data' }] }, { volumes: [{ name: 'data', hostPath: { path: '/nonexistent/kubeedge-test', type: 'Directory' } }] }),
    );
    const event = await node.waitForEvent('bad-volume', 'FailedMount', 60_000);
    expect(event.type).toBe('Warning');
    expect(event.message).toMatch(/"data"/);
    expect(event.message).toMatch(/\/nonexistent\/kubeedge-test/);
    const pod = (await node.pod('bad-volume'))!;
    expect(pod.status.phase).toBe('Pending');
    expect(containerStatus(pod)?.state?.waiting?.reason ?? 'ContainerCreating').toBe('ContainerCreating');
  });

  test('env from a configmap key that does not exist: CreateContainerConfigError and a Failed event', async () => {
    await node.apply(
      podManifest('bad-env', NODE, { env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'no-such-config', key: 'x' } } }] }),
    );
    const pod = await node.waitForPod('bad-env', (p) => containerStatus(p)?.state?.waiting?.reason === 'CreateContainerConfigError', 60_000, 'waiting CreateContainerConfigError');
    expect(containerStatus(pod)!.state.waiting.message).toMatch(/no-such-config/);
    const failed = await node.waitForEvent('bad-env', 'Failed', 15_000);
    expect(failed.message).toMatch(/no-such-config/);
  });

  test('a negative memory limit: a clear waiting reason, edgecore keeps running', async () => {
    try {
      await node.apply(podManifest('bad-limits', NODE, { resources: { limits: { memory: '-1Mi' } } }));
    } catch (error) {
      // The API server's validation refusing it is a clear answer too.
      expect(String(error)).toMatch(/memory|quantity|negative|non-negative/i);
      return;
    }
    const pod = await node.waitForPod('bad-limits', (p) => ['CreateContainerConfigError', 'CreateContainerError'].includes(containerStatus(p)?.state?.waiting?.reason), 60_000, 'a config error');
    expect(containerStatus(pod)!.state.waiting.message).toMatch(/memory/i);
  });

  test('all the bad pods together did not restart edgecore and the good pods are untouched', async () => {
    expect(node.edge.runs).toHaveLength(1);
    const pods = await node.pods({ app: 'web' });
    expect(pods.every((pod: Manifest) => isRunningAndReady(pod) && containerStatus(pod)!.restartCount === 0)).toBe(true);
    expect(describePods(pods)).not.toMatch(/deleting/);
  });
});
