/**
 * The edged module (group edged): runs the pods bound to this node through the container runtime and reports them.
 *
 * Start: adopt what the runtime already runs (nothing healthy is restarted), read the desired pods from the local
 * store through metamanager and the static manifests, then follow metamanager's notices. Reports go to the cloud
 * through edgehub: pod statuses (changes only; all again on reconnect), the Node and its Lease, events, and the
 * confirmation that a deleted pod's containers are gone. Nothing here needs the cloud to keep pods running.
 */
import type { Logger } from '../../pkg/log';
import { Operation, readJsonContent, type Message } from '../../pkg/message';
import type { ModuleContext } from '../../pkg/modules';
import { aborted, Backoff, sleep } from '../../pkg/timing';
import type { Pod } from './api';
import { CloudReporter } from './cloud-reporter';
import { CriClient } from './cri';
import { resolveEnv } from './env';
import { EventRecorder } from './event-recorder';
import { MetaClient } from './meta-client';
import { NodeReporter } from './node-reporter';
import { podReferences, type ObjectSource } from './object-source';
import { PodSources, type PodChange } from './pod-sources';
import { PodWorkers, type PodWorkersOptions } from './pods';
import { StatusManager } from './status-manager';
import { VolumeManager } from './volumes';
import { runtimeReady, type NodeDescriber, type RuntimeHealth } from './node-describer';

export interface EdgedSettings {
  nodeName: string;
  registerNodeNamespace: string;
  containerRuntimeEndpoint: string;
  cgroupDriver: 'cgroupfs' | 'systemd';
  rootDirectory: string;
  podLogsDirectory: string;
  clusterDNS: string[];
  clusterDomain: string;
  nodeStatusUpdateFrequencyMs: number;
  /** Longest wait for metamanager (which itself may wait remoteQueryTimeout for the cloud). */
  metaQueryTimeoutMs: number;
}

export interface EdgedOptions {
  settings: EdgedSettings;
  /** Builds the Node, its status and Lease from the host and the runtime's health. */
  describer: NodeDescriber;
  /** Static pods: calls onChange with all the manifests' pods whenever they change, until the signal aborts. */
  staticPods?: (signal: AbortSignal, onChange: (pods: Pod[]) => void) => Promise<void>;
  /** Tests shorten the pod workers' timings. */
  workerTimings?: Partial<PodWorkersOptions>;
}

const LEASE_RENEW_MS = 10_000;

export class Edged {
  private readonly log: Logger;
  private readonly cri: CriClient;
  private readonly meta: MetaClient;
  private readonly reporter: CloudReporter;
  private readonly statuses: StatusManager;
  private readonly events: EventRecorder;
  private readonly volumes: VolumeManager;
  private readonly workers: PodWorkers;
  private readonly node: NodeReporter;
  private readonly sources = new PodSources();
  /** Static pods by uid; they live only here (no mirror pods in the cloud yet). */
  private staticPods = new Map<string, Pod>();
  /** Deleted pods whose containers are gone, until the cloud's delete reaches the store. */
  private readonly deletions = new Map<string, Pod>();
  private connected = false;
  private runtime: RuntimeHealth = { conditions: undefined, problem: 'edged is starting', version: '' };

  constructor(
    private readonly ctx: ModuleContext,
    private readonly options: EdgedOptions,
  ) {
    const { settings } = options;
    this.log = ctx.log;
    this.cri = new CriClient({ endpoint: settings.containerRuntimeEndpoint });
    this.meta = new MetaClient(ctx, settings.metaQueryTimeoutMs);
    this.reporter = new CloudReporter(ctx, settings.nodeName, settings.registerNodeNamespace);
    this.statuses = new StatusManager(this.reporter, this.log);
    this.events = new EventRecorder(this.reporter, settings.nodeName, this.log);
    const objects: ObjectSource = this.meta;
    this.volumes = new VolumeManager({ rootDirectory: settings.rootDirectory, objects, log: this.log });
    this.workers = new PodWorkers(
      {
        cri: this.cri,
        log: this.log,
        volumes: this.volumes,
        resolveEnv: (pod, container, env) => resolveEnv(pod, container, { ...env, objects }),
        onStatus: (pod, status) => {
          if (!this.staticPods.has(pod.metadata.uid ?? '')) this.statuses.set(pod, status);
        },
        onTerminated: (pod) => this.confirmDeleted(pod),
        recordEvent: (pod, type, reason, message) => {
          if (this.staticPods.has(pod.metadata.uid ?? '')) return;
          const { namespace, name = '', uid } = pod.metadata;
          this.events.record({ kind: 'Pod', namespace, name, uid }, type, reason, message);
        },
      },
      {
        nodeName: settings.nodeName,
        hostIP: options.describer.internalIP,
        podLogsDirectory: settings.podLogsDirectory,
        cgroupDriver: settings.cgroupDriver,
        clusterDNS: settings.clusterDNS,
        clusterDomain: settings.clusterDomain,
        ...options.workerTimings,
      },
    );
    this.node = new NodeReporter({
      registerNode: async (node) => {
        const registered = await this.reporter.registerNode(node);
        options.describer.noteRegistered(registered);
        return registered;
      },
      nodeStatus: (status) => this.reporter.nodeStatus(status),
      lease: (lease) => this.reporter.lease(lease),
      node: () => options.describer.node(),
      status: async () => options.describer.status(this.runtime),
      buildLease: (nowMs) => options.describer.lease(nowMs),
      statusPeriodMs: settings.nodeStatusUpdateFrequencyMs,
      leaseRenewMs: LEASE_RENEW_MS,
      log: this.log,
    });
  }

  async run(): Promise<void> {
    const { signal } = this.ctx;
    // The inbox is read from the start: connection changes must reach the node reporter while the runtime is awaited.
    const pending: Message[] = [];
    let started = false;
    const inbox = (async () => {
      for await (const message of this.ctx.receive()) {
        if (isConnect(message)) this.onConnection(message);
        else if (started) await this.onNotice(message);
        else pending.push(message);
      }
    })();
    const nodeLoop = this.node.run(signal);
    try {
      await this.waitForRuntime(signal);
      if (signal.aborted) return;
      const adopted = await this.workers.adopt();
      if (adopted.length > 0) this.log.info({ pods: adopted.length }, 'found pods the runtime still runs; adopting them');
      for (const pod of await this.meta.pods()) this.apply(this.sources.upsert(pod));
      this.workers.markSourcesReady();
      started = true;
      for (const message of pending.splice(0)) await this.onNotice(message);
      this.log.info({ pods: this.sources.all().length }, 'edged started');
      const staticLoop = this.options.staticPods?.(signal, (pods) => this.onStaticPods(pods));
      const healthLoop = this.watchRuntime(signal);
      await Promise.all([this.workers.start(signal), staticLoop, healthLoop, aborted(signal)]);
    } finally {
      await Promise.all([inbox, nodeLoop]);
      this.cri.close();
    }
  }

  /** Until the runtime answers and its cgroup driver matches, the node reports NotReady with the reason. */
  private async waitForRuntime(signal: AbortSignal): Promise<void> {
    const backoff = new Backoff({ initialMs: 500, maxMs: 10_000 });
    while (!signal.aborted) {
      this.runtime = await this.checkRuntime();
      if (runtimeReady(this.runtime)) return;
      this.log.error({ endpoint: this.options.settings.containerRuntimeEndpoint }, describeHealth(this.runtime));
      await sleep(backoff.next(), signal).catch(() => undefined);
    }
  }

  private async watchRuntime(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await sleep(this.options.settings.nodeStatusUpdateFrequencyMs, signal).catch(() => undefined);
      if (signal.aborted) return;
      const health = await this.checkRuntime();
      const ready = runtimeReady(health);
      if (ready !== runtimeReady(this.runtime)) this.log.warn({ ready }, `container runtime: ${describeHealth(health)}`);
      this.runtime = health;
    }
  }

  private async checkRuntime(): Promise<RuntimeHealth> {
    const { containerRuntimeEndpoint: endpoint, cgroupDriver } = this.options.settings;
    let version = '';
    try {
      const answer = await this.cri.version();
      version = `${answer.runtimeName}://${answer.runtimeVersion}`;
      const conditions = await this.cri.status();
      const driver = await this.cri.cgroupDriver();
      if (driver !== undefined && driver !== cgroupDriver) {
        const problem =
          `cgroup driver mismatch: modules.edged.cgroupDriver is ${cgroupDriver} but ${answer.runtimeName} at ${endpoint} uses ` +
          `${driver}; set modules.edged.cgroupDriver: ${driver} (or change the runtime's SystemdCgroup setting) and restart edgecore`;
        return { conditions, problem, version };
      }
      return { conditions, version };
    } catch (error) {
      const problem =
        `container runtime at ${endpoint} is not answering (${(error as Error).message}); is containerd running? ` +
        'check modules.edged.containerRuntimeEndpoint';
      return { conditions: undefined, problem, version };
    }
  }

  private onConnection(message: Message): void {
    let state: unknown;
    try {
      state = readJsonContent(message);
    } catch {
      state = Buffer.from(message.content).toString('utf8');
    }
    const connected = state === 'cloud_connected';
    if (!connected && state !== 'cloud_disconnected') return;
    this.connected = connected;
    this.statuses.setConnected(connected);
    this.node.setConnected(connected);
    // Confirmations the cloud may have missed.
    if (connected) for (const pod of this.deletions.values()) this.sendDeleted(pod);
  }

  /** metamanager's notices: a pod, configmap or secret the cloud changed (already stored). */
  private async onNotice(message: Message): Promise<void> {
    const [namespace = '', type = '', name = ''] = (message.route?.resource ?? '').split('/');
    const operation = message.route?.operation;
    let object: unknown;
    try {
      object = message.content.length > 0 ? readJsonContent(message) : undefined;
    } catch (error) {
      this.log.warn({ err: error, resource: message.route?.resource }, 'ignored a notice whose content is not JSON');
      return;
    }
    if (type === 'pod') {
      this.log.debug({ pod: `${namespace}/${name}`, operation }, 'trace: pod notice');
      if (operation === Operation.OPERATION_DELETE) {
        this.apply(this.sources.remove(namespace, name, object as Pod | undefined));
      } else if (isPod(object)) {
        this.apply(this.sources.upsert(object));
      }
      return;
    }
    if ((type === 'configmap' || type === 'secret') && operation !== Operation.OPERATION_DELETE) {
      await this.refreshVolumes(namespace, type, name);
    }
  }

  private apply(change: PodChange | undefined): void {
    if (change === undefined) return;
    if (change.kind === 'upsert') {
      if (change.replaced !== undefined) this.removePod(change.replaced);
      this.workers.update(change.pod);
      return;
    }
    this.removePod(change.uid);
  }

  private removePod(uid: string): void {
    this.deletions.delete(uid);
    this.statuses.forget(uid);
    this.workers.remove(uid).catch((error: unknown) => this.log.error({ err: error, uid }, 'could not remove a pod'));
  }

  /** Pods that use the changed configmap or secret in a volume get its new content (env only changes on restart). */
  private async refreshVolumes(namespace: string, type: 'configmap' | 'secret', name: string): Promise<void> {
    for (const pod of this.sources.all()) {
      if (pod.metadata.namespace !== namespace) continue;
      const refs = podReferences(pod);
      if (!(type === 'configmap' ? refs.configMaps : refs.secrets).has(name)) continue;
      try {
        await this.volumes.refresh(pod);
      } catch (error) {
        this.log.warn({ err: error, pod: `${namespace}/${pod.metadata.name}` }, `could not update volumes from ${type} ${name}`);
      }
    }
  }

  private onStaticPods(pods: Pod[]): void {
    const next = new Map(pods.map((pod) => [pod.metadata.uid!, pod]));
    for (const uid of this.staticPods.keys()) if (!next.has(uid)) this.removePod(uid);
    this.staticPods = next;
    for (const pod of pods) this.workers.update(pod);
  }

  private confirmDeleted(pod: Pod): void {
    const uid = pod.metadata.uid ?? '';
    if (!pod.metadata.deletionTimestamp || this.staticPods.has(uid)) return;
    this.deletions.set(uid, pod);
    if (this.connected) this.sendDeleted(pod);
  }

  private sendDeleted(pod: Pod): void {
    this.reporter.podDeleted(pod).catch((error: unknown) => this.log.warn({ err: error }, 'could not confirm a pod deletion'));
  }
}

function describeHealth(health: RuntimeHealth): string {
  if (health.problem !== undefined) return health.problem;
  return runtimeReady(health) ? 'ready' : `not ready: ${JSON.stringify(health.conditions)}`;
}

function isConnect(message: Message): boolean {
  return message.route?.operation === Operation.OPERATION_CONNECT;
}

function isPod(value: unknown): value is Pod {
  const pod = value as Pod | undefined;
  return typeof pod?.metadata?.uid === 'string' && Array.isArray(pod.spec?.containers);
}
