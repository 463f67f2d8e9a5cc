/**
 * TEST STAND-IN for the node agent (edgecore's edged), allowed until issue #5 replaces it with the real edged: it does
 * through the API exactly what a kubelet does for the controllers to see — registers Nodes with capacity, allocatable
 * and a Ready condition, renews their Leases in kube-node-lease, reports pods bound to its nodes as Running and Ready,
 * and confirms graceful deletions (gracePeriodSeconds=0). It runs no containers. A node can be "disconnected": its
 * lease goes stale and its pods are left as they are, as with an edge node whose link is down.
 */
import type { Logger } from 'pino';
import {
  InformerFactory,
  isConflict,
  isNotFound,
  objectKey,
  runController,
  WorkQueue,
  type Client,
  type ResourceClient,
} from '../../../pkg/kube';
import { REFS } from '../context';
import { NODE_LEASE_NAMESPACE } from '../nodelifecycle/nodelifecycle';
import { microTime, rfc3339 } from '../../../pkg/timing/kube-time';
import type { Condition, Lease, Node, Pod, Taint } from '../util/types';

export interface NodeSpec {
  name: string;
  cpu?: string;
  memory?: string;
  pods?: number;
  labels?: Record<string, string>;
  taints?: Taint[];
  /** Default true. */
  ready?: boolean;
}

export interface NodeAgentOptions {
  client: Client;
  log: Logger;
  /** Lease renewal period. A kubelet renews every 10 s; tests go faster. Default 500 ms. */
  leaseRenewMs?: number;
  /** Time between a pod starting and it reporting Ready. Default 0. */
  readyDelayMs?: number;
}

export class NodeAgent {
  private readonly nodes: ResourceClient<Node>;
  private readonly leases: ResourceClient<Lease>;
  private readonly pods: ResourceClient<Pod>;
  private readonly connected = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly queue: WorkQueue<string>;
  private readonly factory: InformerFactory;
  private readonly informer;

  constructor(private readonly options: NodeAgentOptions) {
    const { client } = options;
    this.nodes = client.resource<Node>(REFS.nodes);
    this.leases = client.resource<Lease>(REFS.leases);
    this.pods = client.resource<Pod>(REFS.pods);
    this.queue = new WorkQueue<string>({ name: 'test-node-agent' });
    this.factory = new InformerFactory({ client, log: options.log, resyncMs: 0 });
    this.informer = this.factory.forResource<Pod>(REFS.pods);
    const enqueue = (pod: Pod): void => {
      if (pod.spec?.nodeName && this.connected.has(pod.spec.nodeName)) this.queue.add(objectKey(pod));
    };
    this.informer.addHandler({ add: enqueue, update: (_old, pod) => enqueue(pod) });
  }

  async start(signal: AbortSignal): Promise<void> {
    const informers = this.factory.start(signal);
    await this.informer.waitForSync(signal).catch(() => undefined);
    await runController({ name: 'test-node-agent', queue: this.queue, workers: 4, reconcile: (key, s) => this.syncPod(key, s), log: this.options.log, signal });
    for (const timer of this.timers.values()) clearInterval(timer);
    await informers;
  }

  /** Registers the node (Ready unless told otherwise), creates its lease and keeps renewing it. */
  async addNode(spec: NodeSpec): Promise<Node> {
    const now = Date.now();
    const ready = spec.ready ?? true;
    const resources = { cpu: spec.cpu ?? '4', memory: spec.memory ?? '8Gi', pods: String(spec.pods ?? 110) };
    const node = await this.nodes.create({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: spec.name, labels: { 'kubernetes.io/hostname': spec.name, ...(spec.labels ?? {}) } },
      spec: spec.taints ? { taints: spec.taints } : {},
    });
    const status = await this.nodes.updateStatus({ ...node, status: { capacity: resources, allocatable: resources, conditions: this.conditions(ready, now) } });
    await this.leases.create({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: spec.name,
        namespace: NODE_LEASE_NAMESPACE,
        ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: spec.name, uid: node.metadata?.uid ?? '' }],
      },
      spec: { holderIdentity: spec.name, leaseDurationSeconds: 40, renewTime: microTime(now) },
    });
    this.connect(spec.name);
    return status;
  }

  /** The link is down: no lease renewals, pods left as they are. */
  disconnect(name: string): void {
    this.connected.delete(name);
    clearInterval(this.timers.get(name));
    this.timers.delete(name);
  }

  /** The link is back: renewals resume and, like a kubelet seeing its Ready condition overwritten, it posts Ready again. */
  async reconnect(name: string): Promise<void> {
    await this.renew(name);
    for (;;) {
      const node = await this.nodes.get(name);
      try {
        await this.nodes.updateStatus({ ...node, status: { ...(node.status ?? {}), conditions: this.conditions(true, Date.now()) } });
        break;
      } catch (error) {
        if (!isConflict(error)) throw error;
      }
    }
    this.connect(name);
    for (const pod of this.informer.store.list()) if (pod.spec?.nodeName === name) this.queue.add(objectKey(pod));
  }

  private connect(name: string): void {
    this.connected.add(name);
    const timer = setInterval(() => void this.renew(name).catch((err: unknown) => this.options.log.warn({ err, node: name }, 'lease renewal failed')), this.options.leaseRenewMs ?? 500);
    timer.unref();
    this.timers.set(name, timer);
  }

  private async renew(name: string): Promise<void> {
    await this.leases.patch(name, { spec: { renewTime: microTime(Date.now()) } }, { type: 'merge', namespace: NODE_LEASE_NAMESPACE });
  }

  private conditions(ready: boolean, now: number): Condition[] {
    const at = rfc3339(now);
    const condition = (type: string, status: Condition['status'], reason: string, message: string): Condition => ({ type, status, lastHeartbeatTime: at, lastTransitionTime: at, reason, message });
    return [
      condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
      condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
      condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
      ready
        ? condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status')
        : condition('Ready', 'False', 'KubeletNotReady', 'container runtime network not ready'),
    ];
  }

  /** What a kubelet does for one pod: confirm its deletion, or run it and report it Running and Ready. */
  private async syncPod(key: string, signal: AbortSignal): Promise<{ requeueAfterMs?: number } | void> {
    const pod = this.informer.store.get(key);
    if (!pod?.spec?.nodeName || !this.connected.has(pod.spec.nodeName)) return;
    const { name = '', namespace, uid } = pod.metadata ?? {};
    try {
      if (pod.metadata?.deletionTimestamp) {
        await this.pods.delete(name, { namespace, gracePeriodSeconds: 0, preconditions: { uid }, signal });
        return;
      }
      if (pod.status?.phase === 'Running') return;
      const delay = this.options.readyDelayMs ?? 0;
      if (delay > 0 && !pod.status?.startTime) {
        await this.patchStatus(pod, { phase: 'Pending', startTime: rfc3339(Date.now()) }, signal);
        return { requeueAfterMs: delay };
      }
      const at = rfc3339(Date.now());
      const condition = (type: string): unknown => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: at });
      await this.patchStatus(pod, {
        phase: 'Running',
        hostIP: '10.0.0.1',
        podIP: `10.244.0.${1 + Math.floor(Math.random() * 250)}`,
        startTime: pod.status?.startTime ?? at,
        conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(condition),
        containerStatuses: (pod.spec.containers ?? []).map((c) => ({
          name: c.name,
          image: c['image'],
          imageID: '',
          ready: true,
          started: true,
          restartCount: 0,
          state: { running: { startedAt: at } },
        })),
      }, signal);
    } catch (error) {
      if (isNotFound(error) || isConflict(error)) return;
      throw error;
    }
  }

  private async patchStatus(pod: Pod, status: Record<string, unknown>, signal: AbortSignal): Promise<void> {
    await this.pods.patch(pod.metadata?.name ?? '', { status }, { type: 'strategic', subresource: 'status', namespace: pod.metadata?.namespace, signal });
  }
}
