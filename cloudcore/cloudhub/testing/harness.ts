/**
 * Runs the CloudHub module in a real ModuleRuntime on 127.0.0.1:0, next to recording stand-ins for the cloud modules
 * it talks to, and connects test edges to it over real mutual TLS.
 */
import pino from 'pino';
import { Registry } from 'prom-client';
import type { HostPort } from '../../../pkg/config';
import type { Message } from '../../../pkg/message';
import { ModuleRuntime, type Module, type ModuleContext } from '../../../pkg/modules';
import type { KeyPairPem } from '../../../pkg/pki';
import { createCloudHub, type CloudHubModule, type CloudHubOptions, type CloudHubSettings } from '..';
import { TestEdge } from './edge';
import type { TestPki } from './pki';
import { eventually } from './wait';

export const TEST_SETTINGS: CloudHubSettings = {
  nodeLimit: 100,
  keepaliveIntervalMs: 30_000,
  writeTimeoutMs: 30_000,
  tunnel: { address: '127.0.0.1', port: 0 },
  maxMessageSizeBytes: 64 * 1024,
};

/** A stand-in cloud module that keeps what it receives; `reply` may answer sync requests. */
export class RecordingModule implements Module {
  readonly messages: Message[] = [];
  ctx: ModuleContext | undefined;

  constructor(
    readonly name: string,
    readonly group = name,
  ) {}

  async run(ctx: ModuleContext): Promise<void> {
    this.ctx = ctx;
    for await (const message of ctx.receive()) this.messages.push(message);
  }

  async next(matches: (message: Message) => boolean, timeoutMs = 3000): Promise<Message> {
    let found: Message | undefined;
    await eventually(() => (found = this.messages.find(matches)) !== undefined, timeoutMs, `${this.name} got no matching message`);
    return found!;
  }
}

export interface HarnessOptions extends Partial<Omit<CloudHubOptions, 'config' | 'tls' | 'log' | 'registry'>> {
  settings?: Partial<CloudHubSettings>;
  /** Stand-in modules to run; default edgecontroller and synccontroller. */
  modules?: string[];
}

export class Harness {
  readonly registry = new Registry();
  readonly modules = new Map<string, RecordingModule>();
  readonly edges: TestEdge[] = [];
  /** Every log line at info or above, parsed. */
  readonly logs: Record<string, unknown>[] = [];
  readonly cloudhub: CloudHubModule;
  address!: HostPort;
  private readonly runtime: ModuleRuntime;

  private constructor(
    readonly pki: TestPki,
    options: HarnessOptions,
  ) {
    const show = process.env['CLOUDHUB_TEST_LOG'] !== undefined;
    const log = pino(
      { level: process.env['CLOUDHUB_TEST_LOG'] ?? 'info' },
      {
        write: (line: string) => {
          this.logs.push(JSON.parse(line) as Record<string, unknown>);
          if (show) process.stderr.write(line);
        },
      },
    );
    this.runtime = new ModuleRuntime({ log, restart: { enabled: false, initialDelayMs: 1000, maxDelayMs: 1000 } });
    const { settings, modules, ...rest } = options;
    this.cloudhub = createCloudHub({
      holderId: 'cloudcore-test',
      ...rest,
      config: { ...TEST_SETTINGS, ...settings },
      tls: pki.tls,
      log,
      registry: this.registry,
    });
    this.runtime.register(this.cloudhub);
    for (const name of modules ?? ['edgecontroller', 'synccontroller']) {
      const module = new RecordingModule(name);
      this.modules.set(name, module);
      this.runtime.register(module);
    }
  }

  static async start(pki: TestPki, options: HarnessOptions = {}): Promise<Harness> {
    const harness = new Harness(pki, options);
    harness.runtime.start();
    try {
      harness.address = await harness.cloudhub.listening;
    } catch (error) {
      await harness.runtime.stop(1000);
      throw error;
    }
    return harness;
  }

  module(name: string): RecordingModule {
    const module = this.modules.get(name);
    if (!module) throw new Error(`no stand-in module ${name}`);
    return module;
  }

  /** What a cloud module would do: send a message to cloudhub. */
  sendDown(message: Message): Promise<void> {
    return this.runtime.send('cloudhub', message);
  }

  /** Connects a test edge; with a certificate for `node` from the test CA unless one is given. */
  async edge(node: string, certificate?: KeyPairPem): Promise<TestEdge> {
    const edge = new TestEdge(this.address, this.pki.ca.certPem, certificate ?? (await this.pki.node(node)));
    this.edges.push(edge);
    return edge;
  }

  /** Connects and waits until cloudhub has the session. */
  async connected(node: string, certificate?: KeyPairPem): Promise<TestEdge> {
    const edge = await this.edge(node, certificate);
    edge.keepalive();
    await eventually(() => this.cloudhub.connectedNodes().includes(node), 3000, `node ${node} did not connect`);
    await eventually(() => edge.frames.some((f) => f.frame?.$case === 'keepalive'), 3000, 'no keepalive answer');
    return edge;
  }

  /** The value of a metric, summed over series whose labels include `labels`. */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    const metric = this.registry.getSingleMetric(name);
    if (!metric) throw new Error(`no metric ${name}`);
    const { values } = await metric.get();
    return values
      .filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want))
      .reduce((sum, v) => sum + v.value, 0);
  }

  async stop(): Promise<void> {
    for (const edge of this.edges) edge.close();
    await this.runtime.stop(5000);
  }
}
