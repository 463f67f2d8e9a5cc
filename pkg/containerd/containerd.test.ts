/**
 * The real thing: a private containerd in a temp dir, the local images imported, a pod sandbox on the CNI bridge and
 * a busybox container run through the CRI, its CRI log read back, then everything stopped with no shim left.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContainerState, type PodSandboxConfig } from '../../gen/runtime/v1/api';
import {
  checkContainerdInstalled,
  connectCri,
  criCall,
  ensureTestImages,
  startContainerd,
  TEST_IMAGES,
  type CriConnection,
  type RunningContainerd,
} from './index';

jest.setTimeout(60_000);

let dir: string;
let containerd: RunningContainerd | undefined;
let cri: CriConnection;

/** Processes whose command line names this instance's socket (the shims pass `-address <sock>`). */
function processesUsing(socket: string): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
        return cmdline.includes(socket) ? [`${pid} ${cmdline}`] : [];
      } catch {
        return []; // exited meanwhile
      }
    });
}

beforeAll(async () => {
  checkContainerdInstalled(); // fails with "run pkg/containerd/install.sh as root" when packages are missing
  dir = mkdtempSync(join(tmpdir(), 'ke-ctd-')); // short: the socket path must fit a sockaddr_un
  containerd = await startContainerd({ dir });
  cri = connectCri(containerd.endpoint);
});

afterAll(async () => {
  cri?.close();
  await containerd?.stop({ clean: true });
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('start is idempotent and the CRI speaks runtime.v1', async () => {
  const again = await startContainerd({ dir });
  expect(again.pid).toBe(containerd!.pid);
  expect(again.endpoint).toBe(`unix://${dir}/containerd.sock`);
  const version = await criCall(cri.runtime, cri.runtime.version, { version: 'v1' });
  expect(version.runtimeApiVersion).toBe('v1');
  expect(version.runtimeName).toBe('containerd');
});

test('the test images are present through CRI ListImages', async () => {
  await ensureTestImages(containerd!.endpoint);
  const started = Date.now();
  await ensureTestImages(containerd!.endpoint); // cached archives: re-import only
  const secondRunMs = Date.now() - started;
  const { images } = await criCall(cri.image, cri.image.listImages, {});
  const tags = images.flatMap((image) => image.repoTags);
  expect(tags).toEqual(expect.arrayContaining(Object.values(TEST_IMAGES)));
  expect(secondRunMs).toBeLessThan(10_000); // ~0.2 s idle; generous for a loaded 2-core machine
});

test('a pod sandbox on the CNI bridge runs a busybox container that writes a CRI log', async () => {
  const uid = 'c0ffee00-0000-4000-8000-000000000001';
  const logDirectory = join(dir, 'pods', `default_echo_${uid}`);
  const sandboxConfig: PodSandboxConfig = {
    metadata: { name: 'echo', uid, namespace: 'default', attempt: 0 },
    hostname: 'echo',
    logDirectory,
    portMappings: [],
    labels: { 'io.kubernetes.pod.name': 'echo', 'io.kubernetes.pod.namespace': 'default', 'io.kubernetes.pod.uid': uid },
    annotations: {},
  };
  const { podSandboxId } = await criCall(cri.runtime, cri.runtime.runPodSandbox, {
    config: sandboxConfig,
    runtimeHandler: '',
  });
  const sandbox = await criCall(cri.runtime, cri.runtime.podSandboxStatus, { podSandboxId, verbose: false });
  expect(sandbox.status?.network?.ip).toMatch(/^10\.234\.\d+\.\d+$/); // DEFAULT_CNI_SUBNET

  const { containerId } = await criCall(cri.runtime, cri.runtime.createContainer, {
    podSandboxId,
    sandboxConfig,
    config: {
      metadata: { name: 'echo', attempt: 0 },
      image: { image: TEST_IMAGES.busybox, annotations: {}, userSpecifiedImage: '', runtimeHandler: '', imageRef: '' },
      command: ['sh', '-c', 'echo hello from $(hostname); echo oops >&2'],
      args: [],
      workingDir: '',
      envs: [],
      mounts: [],
      devices: [],
      labels: {},
      annotations: {},
      logPath: 'echo/0.log',
      stdin: false,
      stdinOnce: false,
      tty: false,
    },
  });
  await criCall(cri.runtime, cri.runtime.startContainer, { containerId });

  const deadline = Date.now() + 10_000;
  let status = (await criCall(cri.runtime, cri.runtime.containerStatus, { containerId, verbose: false })).status;
  while (status?.state !== ContainerState.CONTAINER_EXITED && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    status = (await criCall(cri.runtime, cri.runtime.containerStatus, { containerId, verbose: false })).status;
  }
  expect(status?.state).toBe(ContainerState.CONTAINER_EXITED);
  expect(status?.exitCode).toBe(0);
  expect(status?.logPath).toBe(join(logDirectory, 'echo/0.log'));

  // CRI log format: "<RFC3339Nano> <stream> <F|P> <line>".
  const lines = readFileSync(join(logDirectory, 'echo/0.log'), 'utf8').trimEnd().split('\n');
  const parsed = lines.map((line) => /^(\S+) (stdout|stderr) ([FP]) (.*)$/.exec(line)?.slice(1));
  expect(parsed).toEqual(
    expect.arrayContaining([
      [expect.any(String), 'stdout', 'F', 'hello from echo'],
      [expect.any(String), 'stderr', 'F', 'oops'],
    ]),
  );
  expect(Number.isNaN(Date.parse(parsed[0]![0]!))).toBe(false);
  expect(processesUsing(`${dir}/containerd.sock`).some((line) => line.includes('containerd-shim'))).toBe(true);
});

test('stop removes every sandbox and leaves no containerd or shim of this instance', async () => {
  const socket = `${dir}/containerd.sock`;
  await containerd!.stop({ clean: true });
  cri.close();
  expect(processesUsing(socket)).toEqual([]);
  // Stopped containerd is idempotent to stop again; a restart finds no pods left.
  await containerd!.stop();
  containerd = await startContainerd({ dir });
  cri = connectCri(containerd.endpoint);
  const { items } = await criCall(cri.runtime, cri.runtime.listPodSandbox, {});
  expect(items).toEqual([]);
});
