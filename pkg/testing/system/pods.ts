/**
 * Pods on a real edge node, for system tests and the pod benchmark: one containerd, one cloudcore, one edgecore with
 * edged, the real kubectl, and ways to look at the node's containers from outside edged (the CRI, `ctr`, the CRI log
 * files).
 *
 *   const node = await EdgeNodeSetup.start(sys, { node: 'edge-pods' });
 *   await node.apply(deployment('web', node.name, 3, { command: ['sleep', '3600'] }));
 *   await node.waitForPods({ app: 'web' }, (pods) => pods.length === 3 && pods.every(isRunningAndReady), 60_000, '...');
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connectCri, criCall, type RunningContainerd } from '../../containerd';
import { ContainerState } from '../../../gen/runtime/v1/api';
import { waitFor } from './cluster';
import { KubectlError } from './kubectl';
import { SystemTest, type Cloudcore, type CloudcoreOptions, type Edgecore, type EdgecoreOptions, type KubectlObject } from './harness';

export const BUSYBOX = 'docker.io/library/busybox:1.35';
export const POD_UID_LABEL = 'io.kubernetes.pod.uid';

/** How long a first pod may take on a loaded 2-core machine (edged, containerd and the control plane share it). */
export const POD_START_MS = 60_000;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Manifest = Record<string, any>;

/** The spec fields a test varies; everything else is filled in by `podSpec`. */
export interface ContainerSpec {
  command?: string[];
  image?: string;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  env?: Manifest[];
  envFrom?: Manifest[];
  volumeMounts?: Manifest[];
  livenessProbe?: Manifest;
  readinessProbe?: Manifest;
  resources?: Manifest;
}

export interface PodSpecExtras {
  volumes?: Manifest[];
  restartPolicy?: 'Always' | 'OnFailure' | 'Never';
  terminationGracePeriodSeconds?: number;
}

/**
 * A pod spec that can only land on `node`: a nodeSelector on the hostname label edged puts on its Node, and a
 * toleration of every taint (a node that was Unknown a moment ago still carries unreachable taints).
 */
export function podSpec(node: string, container: ContainerSpec, extras: PodSpecExtras = {}): Manifest {
  return {
    nodeSelector: { 'kubernetes.io/hostname': node },
    tolerations: [{ operator: 'Exists' }],
    // busybox's sh as PID 1 ignores SIGTERM: without this, every deletion waits out the default 30 s grace.
    terminationGracePeriodSeconds: extras.terminationGracePeriodSeconds ?? 1,
    restartPolicy: extras.restartPolicy ?? 'Always',
    containers: [{ name: 'app', image: BUSYBOX, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'], ...container }],
    ...(extras.volumes ? { volumes: extras.volumes } : {}),
  };
}

export function podManifest(name: string, node: string, container: ContainerSpec = {}, extras: PodSpecExtras = {}, labels: Record<string, string> = {}): Manifest {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { test: name, ...labels } }, spec: podSpec(node, container, extras) };
}

export function deploymentManifest(name: string, node: string, replicas: number, container: ContainerSpec = {}, extras: PodSpecExtras = {}): Manifest {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: podSpec(node, container, extras) },
    },
  };
}

export function podCondition(pod: Manifest, type: string): string | undefined {
  return (pod.status?.conditions as Manifest[] | undefined)?.find((c) => c.type === type)?.status;
}

export function isRunning(pod: Manifest): boolean {
  return pod.status?.phase === 'Running';
}

export function isRunningAndReady(pod: Manifest): boolean {
  return isRunning(pod) && podCondition(pod, 'Ready') === 'True';
}

/** The first container's status. */
export function containerStatus(pod: Manifest, name = 'app'): Manifest | undefined {
  return (pod.status?.containerStatuses as Manifest[] | undefined)?.find((c) => c.name === name);
}

/** `containerd://<id>` -> `<id>`. */
export function runtimeId(containerID: string | undefined): string | undefined {
  return containerID?.replace(/^containerd:\/\//, '') || undefined;
}

/** The node's Ready condition status ('True', 'False', 'Unknown') or undefined. */
export function nodeReady(node: Manifest): string | undefined {
  return (node.status?.conditions as Manifest[] | undefined)?.find((c) => c.type === 'Ready')?.status;
}

/** A short description of pods for failure messages. */
export function describePods(pods: Manifest[]): string {
  return pods
    .map((pod) => {
      const statuses = ((pod.status?.containerStatuses as Manifest[] | undefined) ?? [])
        .map((c) => `${c.name}:${Object.keys(c.state ?? {})[0]}${c.state?.waiting?.reason ? `(${c.state.waiting.reason}: ${c.state.waiting.message ?? ''})` : ''} ready=${c.ready} restarts=${c.restartCount}`)
        .join(',');
      return `  ${pod.metadata?.name} node=${pod.spec?.nodeName ?? '-'} phase=${pod.status?.phase} ready=${podCondition(pod, 'Ready')} ${statuses}${pod.metadata?.deletionTimestamp ? ' deleting' : ''}`;
    })
    .join('\n');
}

export interface EdgeNodeOptions {
  node: string;
  cloud?: Partial<CloudcoreOptions>;
  edge?: Partial<EdgecoreOptions>;
  /** Use this containerd instead of starting one. */
  containerd?: RunningContainerd;
}

/** One edge node running real pods, and the cluster it belongs to. */
export class EdgeNodeSetup {
  private constructor(
    readonly sys: SystemTest,
    readonly containerd: RunningContainerd,
    readonly cloud: Cloudcore,
    readonly edge: Edgecore,
  ) {}

  /** Starts containerd (with the test images), cloudcore, then edgecore with edged, and waits for the node to be Ready. */
  static async start(sys: SystemTest, options: EdgeNodeOptions): Promise<EdgeNodeSetup> {
    const containerd = options.containerd ?? (await sys.startContainerd());
    const cloud = await sys.startCloudcore({ name: 'cloud', ...options.cloud });
    const token = await cloud.token();
    const edge = await sys.startEdgecore({
      name: options.node,
      node: options.node,
      cloud,
      token,
      edged: { containerRuntimeEndpoint: containerd.endpoint },
      ...options.edge,
    });
    const setup = new EdgeNodeSetup(sys, containerd, cloud, edge);
    await edge.connected(60_000);
    await setup.waitForNodeReady(60_000);
    return setup;
  }

  get name(): string {
    return this.edge.node;
  }

  /** `kubectl apply -f -` of one manifest or several. */
  async apply(...manifests: Manifest[]): Promise<void> {
    const input = manifests.length === 1 ? manifests[0]! : { apiVersion: 'v1', kind: 'List', items: manifests };
    // --validate=false: the embedded API server serves no OpenAPI document, which kubectl's client-side validation reads.
    await this.cloud.kubectl(['apply', '--validate=false', '-f', '-'], { input });
  }

  async node(): Promise<Manifest> {
    return this.cloud.kubectlJson(['get', 'node', this.name]);
  }

  async waitForNodeReady(timeoutMs: number, want = 'True'): Promise<Manifest> {
    let node: Manifest = {};
    await waitFor(
      async () => nodeReady((node = await this.node())) === want,
      timeoutMs,
      `node ${this.name} Ready=${want}`,
      () => `${JSON.stringify(node.status?.conditions ?? node)}\n${this.sys.tails()}`,
    );
    return node;
  }

  async pod(name: string): Promise<Manifest | undefined> {
    try {
      return await this.cloud.kubectlJson(['get', 'pod', name, '-n', 'default']);
    } catch (error) {
      if (error instanceof KubectlError && error.notFound) return undefined;
      throw error;
    }
  }

  /** Pods with these labels (all pods of the default namespace without). */
  async pods(labels: Record<string, string> = {}): Promise<Manifest[]> {
    const selector = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
    const list = await this.cloud.kubectlJson<KubectlObject>(['get', 'pods', '-n', 'default', ...(selector ? ['-l', selector] : [])]);
    return list.items as Manifest[];
  }

  /** Waits until the pod exists and `check` holds; returns it. */
  async waitForPod(name: string, check: (pod: Manifest) => boolean, timeoutMs: number, what: string): Promise<Manifest> {
    let pod: Manifest | undefined;
    await waitFor(
      async () => (pod = await this.pod(name)) !== undefined && check(pod),
      timeoutMs,
      `pod ${name}: ${what}`,
      () => `${pod ? `${describePods([pod])}\n${JSON.stringify(pod.status)}` : 'pod absent'}\n${this.sys.tails()}`,
    );
    return pod!;
  }

  async waitForPods(labels: Record<string, string>, check: (pods: Manifest[]) => boolean, timeoutMs: number, what: string): Promise<Manifest[]> {
    let pods: Manifest[] = [];
    await waitFor(
      async () => check((pods = await this.pods(labels))),
      timeoutMs,
      what,
      () => `${describePods(pods)}\n${this.sys.tails()}`,
    );
    return pods;
  }

  async waitForPodGone(name: string, timeoutMs: number): Promise<void> {
    let pod: Manifest | undefined;
    await waitFor(async () => (pod = await this.pod(name)) === undefined, timeoutMs, `pod ${name} gone from the API`, () => `${pod ? describePods([pod]) : ''}\n${this.sys.tails()}`);
  }

  /** Events about an object (kubectl get events --field-selector involvedObject.name=<name>). */
  async events(name: string): Promise<Manifest[]> {
    const list = await this.cloud.kubectlJson<KubectlObject>(['get', 'events', '-n', 'default', '--field-selector', `involvedObject.name=${name}`]);
    return list.items as Manifest[];
  }

  /** The first event with this reason (and, when given, a message matching `message`: one reason can have several). */
  async waitForEvent(name: string, reason: string, timeoutMs: number, message?: RegExp): Promise<Manifest> {
    let events: Manifest[] = [];
    const wanted = (e: Manifest): boolean => e.reason === reason && (message === undefined || message.test(String(e.message)));
    await waitFor(
      async () => (events = await this.events(name)).some(wanted),
      timeoutMs,
      `event ${reason} about ${name}`,
      () => events.map((e) => `  ${e.type} ${e.reason}: ${e.message}`).join('\n'),
    );
    return events.find(wanted)!;
  }

  /** The node's containers as the CRI lists them (all states), optionally of one pod uid. */
  async containers(podUid?: string): Promise<CriContainer[]> {
    return listContainers(this.containerd.endpoint, podUid);
  }

  /** The CRI log of a pod's container: `<podLogsDirectory>/<ns>_<name>_<uid>/<container>/<attempt>.log`, lines only. */
  async containerLog(pod: Manifest, container = 'app', attempt = 0): Promise<string[]> {
    return readCriLog(join(this.edge.files.podLogsDirectory, `${pod.metadata.namespace}_${pod.metadata.name}_${pod.metadata.uid}`, container, `${attempt}.log`));
  }

  /** The host PID of a running container's task (`ctr tasks ls`). */
  async taskPid(containerId: string): Promise<number> {
    return taskPid(this.containerd.endpoint, containerId);
  }
}

export interface CriContainer {
  id: string;
  podUid: string | undefined;
  name: string | undefined;
  attempt: number;
  state: 'created' | 'running' | 'exited' | 'unknown';
}

const STATES: Record<number, CriContainer['state']> = {
  [ContainerState.CONTAINER_CREATED]: 'created',
  [ContainerState.CONTAINER_RUNNING]: 'running',
  [ContainerState.CONTAINER_EXITED]: 'exited',
};

/** CRI ListContainers, through pkg/containerd's own client (not edged's). */
export async function listContainers(endpoint: string, podUid?: string): Promise<CriContainer[]> {
  const conn = connectCri(endpoint);
  try {
    const response = await criCall(conn.runtime, conn.runtime.listContainers, {
      filter: { id: '', podSandboxId: '', labelSelector: podUid ? { [POD_UID_LABEL]: podUid } : {} },
    });
    return response.containers.map((c) => ({
      id: c.id,
      podUid: c.labels[POD_UID_LABEL],
      name: c.metadata?.name,
      attempt: c.metadata?.attempt ?? 0,
      state: STATES[c.state] ?? 'unknown',
    }));
  } finally {
    conn.close();
  }
}

/** CRI ListPodSandbox ids (all states), optionally of one pod uid. */
export async function listSandboxes(endpoint: string, podUid?: string): Promise<string[]> {
  const conn = connectCri(endpoint);
  try {
    const response = await criCall(conn.runtime, conn.runtime.listPodSandbox, { filter: { id: '', labelSelector: podUid ? { [POD_UID_LABEL]: podUid } : {} } });
    return response.items.map((s) => s.id);
  } finally {
    conn.close();
  }
}

/** The PID of a container's task from `ctr -a <socket> -n k8s.io tasks ls` (columns TASK PID STATUS). */
export async function taskPid(endpoint: string, containerId: string): Promise<number> {
  const socket = endpoint.replace(/^unix:\/\//, '');
  const { stdout } = await promisify(execFile)('ctr', ['-a', socket, '-n', 'k8s.io', 'tasks', 'ls']);
  for (const line of stdout.split('\n').slice(1)) {
    const [task, pid, status] = line.trim().split(/\s+/);
    if (task === containerId && status === 'RUNNING') return Number(pid);
  }
  throw new Error(`no running task ${containerId} in ctr tasks ls:\n${stdout}`);
}

/** The message lines of a CRI-format log file (`<time> <stream> <F|P> <line>`); [] while it does not exist. */
export async function readCriLog(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split(' ').slice(3).join(' '));
}
