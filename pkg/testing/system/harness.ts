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
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { existsSync } from 'node:fs';
import { stopStreams } from './cluster';
import { prepareAuditedStore } from './edge-store';
import { ENTRY, ManagedProcess, runToEnd, stopAll, type LogLine } from './process';
import { metricValue, scrape, type Sample } from './metrics';

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
}

/** Where an edgecore keeps its store and credentials (all inside the test's folder). */
export interface EdgeFiles {
  db: string;
  ca: string;
  cert: string;
  key: string;
}

/** One test file's temp folder and everything started in it. */
export class SystemTest {
  private readonly started: ManagedProcess[] = [];

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
      controllerManager: { nodeMonitorGracePeriod: '1h' },
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
        deviceController: { enable: false },
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
    };
    const config = {
      apiVersion: 'edgecore.config.kubeedge.io/v1alpha2',
      kind: 'EdgeCore',
      database: { dataSource: files.db },
      monitorServer: { bindAddress: '127.0.0.1:0' },
      modules: {
        // Not implemented yet: disabled. edged only lends its hostnameOverride (the node name).
        edged: { enable: false, hostnameOverride: options.node },
        eventBus: { enable: false },
        deviceTwin: { enable: false },
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
    if (!existsSync(files.db)) await prepareAuditedStore(files.db);
    await options.beforeStart?.(files);
    const edge = new Edgecore(this, options, configFile, files);
    await edge.start();
    return edge;
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
}

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
  ) {}

  get node(): string {
    return this.options.node;
  }

  /** Starts (or starts again on the same files) and waits for its monitor server; connecting is up to the caller. */
  async start(): Promise<void> {
    const args = ['--config', this.configFile, '--log-level', this.options.logLevel ?? 'info'];
    this.process = this.sys.spawn(`${this.options.name}#${++this.starts}`, ENTRY.edgecore, args);
    this.runs.push(this.process);
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
