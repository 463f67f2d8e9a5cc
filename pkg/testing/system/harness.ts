/**
 * System-test harness: cloudcore and edgecore as real processes, each with a YAML config written into one temp
 * folder, every listener on 127.0.0.1 and every file (data dirs, TLS files, edgecore.db) inside that folder.
 *
 *   const sys = await SystemTest.create('join');      // the temp folder
 *   const cloud = await sys.startCloudcore({ name: 'cloud' });
 *   const token = await cloud.token();                // keadm gettoken, as a process
 *   const edge = await sys.startEdgecore({ name: 'edge', node: 'edge-a', cloud, token });
 *   ...
 *   await sys.dispose();                              // stops every process (by PID) and removes the folder
 */
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { existsSync } from 'node:fs';
import { stopStreams } from './cluster';
import { prepareAuditedStore } from './edge-store';
import { ENTRY, ManagedProcess, runToEnd, stopAll, type LogLine } from './process';
import { metricValue, scrape, type Sample } from './metrics';
import { kubectl, kubectlJson, type KubectlOptions } from './kubectl';
import { checkContainerdInstalled, ensureTestImages, startContainerd, type RunningContainerd } from '../../containerd';

/** Timings short enough for tests, long enough for a loaded 2-core machine. */
export const TIMING = {
  /** cloudHub.keepaliveInterval: the cloud ends a session silent this long. */
  cloudKeepalive: '3s',
  /** edgeHub.heartbeat: the edge sends a keepalive this often and gives up on a cloud silent for twice as long. */
  edgeHeartbeat: '1s',
  /** syncController.period. */
  syncPeriod: '1s',
  /** Longest wait for a process to log that it is up. */
  startMs: 60_000,
} as const;

/** A free TCP port on 127.0.0.1 (for listeners that must keep their port across a restart). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface CloudcoreOptions {
  /** Names its folder, config and log. */
  name: string;
  /** Use this cluster instead of starting the embedded API server. */
  kubeconfig?: string;
  /** false: no cloudHub, syncController nor edgeController (an API-server-only cloudcore). Default true. */
  hub?: boolean;
  /** Fixed ports, so that a restart keeps them; picked free when absent. */
  tunnelPort?: number;
  httpsPort?: number;
  apiserverPort?: number;
  keepaliveInterval?: string;
  /**
   * controllerManager.nodeMonitorGracePeriod: a node silent this long turns Unknown. Default '1h' (nodes without edged
   * never renew a Lease); tests with edged that want to see Unknown set a few seconds.
   */
  nodeMonitorGracePeriod?: string;
  /** Runs deviceController (devices and models to the edge, twins back into DeviceStatus). Default false. */
  devices?: boolean;
  logLevel?: string;
}

export interface EdgecoreOptions {
  name: string;
  /** modules.edged.hostnameOverride: the node name. */
  node: string;
  /** edgeHub.servers; default: the cloudcore's tunnel. */
  servers?: string[];
  /** edgeHub.httpServer is this cloudcore's bootstrap server. */
  cloud: Cloudcore;
  /** edgeHub.token; '' (default) for an edge that must do without. */
  token?: string;
  heartbeat?: string;
  rotateCertificates?: boolean;
  logLevel?: string;
  /** Runs once the config is written and before edgecore starts: e.g. put credentials in its files. */
  beforeStart?: (files: EdgeFiles) => Promise<void>;
  /** Enables modules.edged against this containerd (see EdgedOptions); absent: edged stays disabled. */
  edged?: EdgedOptions;
  /** Enables eventBus and deviceTwin (see DevicesOptions); absent: both stay disabled. */
  devices?: DevicesOptions;
  /** Create the store with the test's write audit (edge-store.ts) before the first start. Default true. */
  auditStore?: boolean;
  /** false: start() returns once the process is spawned (for an edgecore expected to exit at once). Default true. */
  waitForStart?: boolean;
}

/** modules.edged of a test edgecore: every folder inside the test's folder, timings short enough for tests. */
export interface EdgedOptions {
  /** A containerd's CRI endpoint (SystemTest.startContainerd or pkg/containerd's startContainerd). */
  containerRuntimeEndpoint: string;
  /** Default '2s' (KubeEdge: 10s). */
  nodeStatusUpdateFrequency?: string;
  nodeLabels?: Record<string, string>;
  /** Any other modules.edged field, as the YAML writes it (e.g. { maxPods: 20 }). */
  extra?: Record<string, unknown>;
}

/** eventBus and deviceTwin of a test edgecore: the DMI socket in the test's folder, the broker on a free port. */
export interface DevicesOptions {
  /** Default 'internal' (the embedded broker on a free port, or mqttPort). */
  mqttMode?: 'internal' | 'external' | 'both';
  /** The internal broker's port, kept across restarts; picked free when absent. */
  mqttPort?: number;
  /** modules.eventBus.mqttServerExternal, for 'external' and 'both'. */
  mqttServerExternal?: string;
}

/** edged's test timings. */
export const EDGED_TIMING = {
  nodeStatusUpdateFrequency: '2s',
} as const;

/** Where an edgecore keeps its store and credentials (all inside the test's folder). */
export interface EdgeFiles {
  db: string;
  ca: string;
  cert: string;
  key: string;
  /** modules.edged.rootDirectory (pod volumes). */
  rootDirectory: string;
  /** modules.edged.podLogsDirectory: `<ns>_<pod>_<uid>/<container>/<attempt>.log`. */
  podLogsDirectory: string;
  /** modules.edged.staticPodPath. */
  staticPodPath: string;
  /** modules.deviceTwin.dmiSockPath: the folder of dmi.sock. */
  dmiSockDir: string;
}

/** One test file's temp folder and everything started in it. */
export class SystemTest {
  private readonly started: ManagedProcess[] = [];
  private readonly containerds: RunningContainerd[] = [];

  private constructor(readonly dir: string) {}

  static async create(prefix: string): Promise<SystemTest> {
    return new SystemTest(await mkdtemp(join(tmpdir(), `kubeedge-system-${prefix}-`)));
  }

  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  async startCloudcore(options: CloudcoreOptions): Promise<Cloudcore> {
    const folder = this.path(options.name);
    await mkdir(folder, { recursive: true });
    const hub = options.hub ?? true;
    const ports = {
      tunnel: options.tunnelPort ?? (await freePort()),
      https: options.httpsPort ?? (await freePort()),
      apiserver: options.apiserverPort ?? (await freePort()),
    };
    const config = {
      apiVersion: 'cloudcore.config.kubeedge.io/v1alpha1',
      kind: 'CloudCore',
      kubeAPIConfig: { kubeConfig: options.kubeconfig ?? '' },
      embeddedAPIServer: { dataDir: join(folder, 'data'), bindAddress: '127.0.0.1', port: ports.apiserver },
      // Nodes here have no kubelet and no Lease: keep the node lifecycle controller from tainting them mid-test.
      controllerManager: { nodeMonitorGracePeriod: options.nodeMonitorGracePeriod ?? '1h' },
      monitorServer: { bindAddress: '127.0.0.1:0' },
      modules: {
        cloudHub: {
          enable: hub,
          advertiseAddress: ['127.0.0.1'],
          keepaliveInterval: options.keepaliveInterval ?? TIMING.cloudKeepalive,
          tunnel: { address: '127.0.0.1', port: ports.tunnel },
          https: { address: '127.0.0.1', port: ports.https },
          // Paths inside the temp folder that do not exist: the CA and certificate come from (or go to) Secrets.
          tlsCAFile: join(folder, 'pki/rootCA.crt'),
          tlsCAKeyFile: join(folder, 'pki/rootCA.key'),
          tlsCertFile: join(folder, 'pki/server.crt'),
          tlsPrivateKeyFile: join(folder, 'pki/server.key'),
        },
        edgeController: { enable: hub },
        syncController: { enable: hub, period: TIMING.syncPeriod },
        deviceController: { enable: options.devices ?? false },
      },
    };
    const configFile = join(folder, 'cloudcore.yaml');
    await writeFile(configFile, stringify(config));
    const cloud = new Cloudcore(this, options, configFile, folder, ports, hub);
    await cloud.start();
    return cloud;
  }

  async startEdgecore(options: EdgecoreOptions): Promise<Edgecore> {
    const folder = this.path(options.name);
    await mkdir(folder, { recursive: true });
    const files: EdgeFiles = {
      db: join(folder, 'edgecore.db'),
      ca: join(folder, 'pki/rootCA.crt'),
      cert: join(folder, 'pki/node.crt'),
      key: join(folder, 'pki/node.key'),
      rootDirectory: join(folder, 'kubelet'),
      podLogsDirectory: join(folder, 'pod-logs'),
      staticPodPath: join(folder, 'manifests'),
      dmiSockDir: join(folder, 'dmi'),
    };
    const mqttUrl = options.devices ? `tcp://127.0.0.1:${options.devices.mqttPort ?? (await freePort())}` : '';
    const edged = options.edged;
    if (edged) {
      for (const dir of [files.rootDirectory, files.podLogsDirectory, files.staticPodPath]) await mkdir(dir, { recursive: true });
    }
    const config = {
      apiVersion: 'edgecore.config.kubeedge.io/v1alpha2',
      kind: 'EdgeCore',
      database: { dataSource: files.db },
      monitorServer: { bindAddress: '127.0.0.1:0' },
      modules: {
        // Without options.edged, edged only lends its hostnameOverride (the node name).
        edged: edged
          ? {
              enable: true,
              hostnameOverride: options.node,
              containerRuntimeEndpoint: edged.containerRuntimeEndpoint,
              cgroupDriver: 'cgroupfs',
              rootDirectory: files.rootDirectory,
              podLogsDirectory: files.podLogsDirectory,
              staticPodPath: files.staticPodPath,
              nodeStatusUpdateFrequency: edged.nodeStatusUpdateFrequency ?? EDGED_TIMING.nodeStatusUpdateFrequency,
              nodeLabels: edged.nodeLabels ?? {},
              ...edged.extra,
            }
          : { enable: false, hostnameOverride: options.node },
        ...devicesModules(options.devices, files, mqttUrl),
        metaManager: { enable: true },
        edgeHub: {
          enable: true,
          heartbeat: options.heartbeat ?? TIMING.edgeHeartbeat,
          servers: options.servers ?? [options.cloud.tunnelAddress],
          httpServer: options.cloud.httpServer,
          token: options.token ?? '',
          tlsCaFile: files.ca,
          tlsCertFile: files.cert,
          tlsPrivateKeyFile: files.key,
          rotateCertificates: options.rotateCertificates ?? true,
        },
      },
    };
    const configFile = join(folder, 'edgecore.yaml');
    await writeFile(configFile, stringify(config));
    // The store with the test's audit of every write (see edge-store.ts), made before edgecore first opens it.
    if ((options.auditStore ?? true) && !existsSync(files.db)) await prepareAuditedStore(files.db);
    await options.beforeStart?.(files);
    const edge = new Edgecore(this, options, configFile, files, mqttUrl);
    await edge.start();
    return edge;
  }

  /**
   * A private containerd in `<folder>/ctd` with the test images imported; dispose() removes its pods and stops it.
   * Throws "containerd is not installed: run pkg/containerd/install.sh as root" where it cannot run.
   */
  async startContainerd(): Promise<RunningContainerd> {
    checkContainerdInstalled();
    const containerd = await startContainerd({ dir: this.path('ctd') });
    this.containerds.push(containerd);
    await ensureTestImages(containerd.endpoint);
    return containerd;
  }

  /** Starts a process and remembers it for dispose(). */
  spawn(name: string, entry: string, args: string[]): ManagedProcess {
    const child = new ManagedProcess(name, entry, args);
    this.started.push(child);
    return child;
  }

  /**
   * Stops every process started here (SIGTERM, then SIGKILL), then removes the folder. With SYSTEM_TEST_KEEP=1 the
   * folder stays, with each process's output in <name>.log, for a look after a failure.
   */
  async dispose(): Promise<void> {
    await stopStreams();
    await Promise.all(this.started.map((child) => child.stop(5000)));
    await stopAll();
    // After edgecore: it must not start pods again while the sandboxes go. clean: no shim outlives the test.
    await Promise.all(this.containerds.map((containerd) => containerd.stop({ clean: true })));
    // edged keeps secret volumes on tmpfs under its rootDirectory; a killed edgecore leaves them mounted.
    await unmountUnder(this.dir);
    if (process.env.SYSTEM_TEST_KEEP === '1') {
      for (const child of this.started) {
        const text = [...child.lines.map((line) => JSON.stringify(line)), ...child.other].join('\n');
        await writeFile(this.path(`${child.name.replace(/[^\w.-]/g, '_')}.log`), text);
      }
      process.stderr.write(`system test folder kept: ${this.dir}\n`);
      return;
    }
    await rm(this.dir, { recursive: true, force: true });
  }

  /** The logs of every process started here, for a failing test's message. */
  tails(lines = 25): string {
    return this.started.map((child) => child.tail(lines)).join('\n');
  }
}

/** modules.eventBus and modules.deviceTwin of a test edgecore. */
function devicesModules(devices: DevicesOptions | undefined, files: EdgeFiles, mqttInternal: string): Record<string, unknown> {
  if (!devices) return { eventBus: { enable: false }, deviceTwin: { enable: false } };
  return {
    eventBus: {
      enable: true,
      mqttMode: devices.mqttMode ?? 'internal',
      mqttServerInternal: mqttInternal,
      ...(devices.mqttServerExternal ? { mqttServerExternal: devices.mqttServerExternal } : {}),
    },
    deviceTwin: { enable: true, dmiSockPath: files.dmiSockDir },
  };
}

/** Unmounts every mount point at or under `dir`, deepest first (lazily when busy), so the folder can be removed. */
async function unmountUnder(dir: string): Promise<void> {
  let mountinfo: string;
  try {
    mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  } catch {
    return;
  }
  // Field 5 is the mount point, with spaces and the like escaped as \ooo.
  const points = mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => point !== undefined)
    .map((point) => point.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))))
    .filter((point) => point === dir || point.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  const run = promisify(execFile);
  for (const point of points) {
    await run('umount', [point]).catch(() => run('umount', ['-l', point]).catch(() => undefined));
  }
}

/** A monitor server address from the "monitor server listening" line. */
function monitorAddress(line: LogLine): string {
  return String(line.address);
}

export class Cloudcore {
  process!: ManagedProcess;
  /** Where /metrics is served (127.0.0.1:port; changes on restart). */
  monitor = '';
  private starts = 0;

  constructor(
    private readonly sys: SystemTest,
    readonly options: CloudcoreOptions,
    readonly configFile: string,
    readonly folder: string,
    readonly ports: { tunnel: number; https: number; apiserver: number },
    readonly hub: boolean,
  ) {}

  get tunnelAddress(): string {
    return `127.0.0.1:${this.ports.tunnel}`;
  }

  get httpServer(): string {
    return `https://127.0.0.1:${this.ports.https}`;
  }

  /** The Node annotation value of this cloudcore: `<advertiseAddress[0]>:<tunnel port>` (cloud-modules.ts). */
  get holderId(): string {
    return `127.0.0.1:${this.ports.tunnel}`;
  }

  /** The kubeconfig to drive the cluster with: the embedded API server's admin.kubeconfig, or the one given. */
  get kubeconfig(): string {
    return this.options.kubeconfig ?? join(this.folder, 'data', 'admin.kubeconfig');
  }

  /** Starts (or starts again, on the same config, data dir and ports) and waits until it serves edge nodes. */
  async start(): Promise<void> {
    const args = ['--config', this.configFile, '--log-level', this.options.logLevel ?? 'info'];
    if (this.options.kubeconfig) args.push('--kubeconfig', this.options.kubeconfig);
    this.process = this.sys.spawn(`${this.options.name}#${++this.starts}`, ENTRY.cloudcore, args);
    const monitor = await this.process.waitForLine((l) => l.msg === 'monitor server listening (/metrics, /healthz)', TIMING.startMs, 'the monitor server');
    this.monitor = monitorAddress(monitor);
    if (this.hub) {
      await this.process.waitForLine((l) => l.msg === 'listening for edge nodes', TIMING.startMs, 'the tunnel listener');
      await this.process.waitForLine((l) => l.msg.startsWith('bootstrap server listening'), TIMING.startMs, 'the bootstrap server');
      // The edge controller must have its caches before it can send anything.
      await this.process.waitForLine((l) => l.msg.startsWith('caches synced; sending pods'), TIMING.startMs, 'edgecontroller caches');
    }
  }

  /**
   * `keadm gettoken --kube-config <admin.kubeconfig>`, run as a process. The token keeper writes (or adopts) the token
   * shortly after start without a log line for adopting, so a missing Secret is asked again for a while.
   */
  async token(): Promise<string> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const result = await runToEnd(ENTRY.keadm, ['gettoken', '--kube-config', this.kubeconfig]);
      if (result.code === 0) return result.stdout.trim();
      if (Date.now() > deadline || !result.stderr.includes('not found')) {
        throw new Error(`keadm gettoken failed (${result.code}): ${result.stderr}${result.stdout}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  async metrics(): Promise<Sample[]> {
    return scrape(this.monitor);
  }

  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    return metricValue(await this.metrics(), name, labels);
  }

  /** The real `kubectl <args>` against this cluster's admin kubeconfig; resolves with stdout, throws on failure. */
  async kubectl(args: readonly string[], options: KubectlOptions = {}): Promise<string> {
    return kubectl(this.kubeconfig, args, options);
  }

  /** `kubectl <args> -o json`, parsed. */
  async kubectlJson<T = KubectlObject>(args: readonly string[], options: KubectlOptions = {}): Promise<T> {
    return kubectlJson<T>(this.kubeconfig, args, options);
  }
}

/** What `kubectl get -o json` returns, loosely typed for assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KubectlObject = Record<string, any>;

export class Edgecore {
  process!: ManagedProcess;
  monitor = '';
  private starts = 0;
  /** Log lines of earlier runs (a restart starts a new process). */
  readonly runs: ManagedProcess[] = [];

  constructor(
    private readonly sys: SystemTest,
    readonly options: EdgecoreOptions,
    readonly configFile: string,
    readonly files: EdgeFiles,
    /** The internal MQTT broker's address (options.devices); '' without devices. */
    readonly mqttUrl: string,
  ) {}

  get node(): string {
    return this.options.node;
  }

  /**
   * Starts (or starts again on the same files) and waits for its monitor server (unless options.waitForStart is
   * false); connecting is up to the caller.
   */
  async start(): Promise<void> {
    const args = ['--config', this.configFile, '--log-level', this.options.logLevel ?? 'info'];
    this.process = this.sys.spawn(`${this.options.name}#${++this.starts}`, ENTRY.edgecore, args);
    this.runs.push(this.process);
    if (this.options.waitForStart === false) return;
    const monitor = await this.process.waitForLine((l) => l.msg === 'monitor server listening (/metrics, /healthz)', TIMING.startMs, 'the monitor server');
    this.monitor = monitorAddress(monitor);
  }

  /** Waits for the edgehub connection to reach `connected` (from log line `from` on). */
  async connected(timeoutMs = 30_000, from = 0): Promise<LogLine> {
    return this.process.waitForLine((l) => l.to === 'connected' && l.module === 'edgehub', timeoutMs, 'the cloud connection', from);
  }

  /** Connection transitions (edgehub's state machine), in order. */
  transitions(): LogLine[] {
    return this.process.lines.filter((l) => l.module === 'edgehub' && typeof l.to === 'string' && typeof l.from === 'string');
  }

  async metrics(): Promise<Sample[]> {
    return scrape(this.monitor);
  }

  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    return metricValue(await this.metrics(), name, labels);
  }
}
