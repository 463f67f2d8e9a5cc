/** A small edge for module tests: a ModuleRuntime with metamanager, and stand-ins for edgehub, edged and devicetwin. */
import { Registry } from 'prom-client';
import { Operation, readErrorContent, readJsonContent, type Message } from '../../../pkg/message';
import { ModuleRuntime, type ModuleContext } from '../../../pkg/modules';
import { createMetaManager, type MetaManager, type MetaManagerOptions } from '../index';
import { collector, fakeEdgeHub, silentLog } from './fixtures';

export interface TestEdgeOptions {
  readonly dataSource: string;
  /** edgehub's behaviour for each forwarded query; no edgehub module when absent. */
  readonly hub?: (ctx: ModuleContext, query: Message) => void;
  /** Register an edged stand-in (default true). */
  readonly edged?: boolean;
  readonly queryTimeoutMs?: number;
  readonly manager?: Partial<MetaManagerOptions>;
}

export interface TestEdge {
  readonly runtime: ModuleRuntime;
  readonly manager: MetaManager;
  readonly registry: Registry;
  /** What edged was told. */
  readonly edged: Message[];
  /** What devicetwin was told. */
  readonly devicetwin: Message[];
  /** What metamanager sent to edgehub. */
  readonly hub: Message[];
  /** Sends as edgehub does (sendSync) and returns metamanager's answer. */
  send(message: Message): Promise<Message>;
  counter(name: string, labels?: Record<string, string>): Promise<number>;
  stop(): Promise<void>;
}

export async function startTestEdge(options: TestEdgeOptions): Promise<TestEdge> {
  const registry = new Registry();
  const manager = await createMetaManager({
    dataSource: options.dataSource,
    queryTimeoutMs: options.queryTimeoutMs ?? 2000,
    log: silentLog,
    registry,
    ...options.manager,
  });
  const runtime = new ModuleRuntime({ log: silentLog, restart: { enabled: false, initialDelayMs: 10, maxDelayMs: 10 } });
  const edged: Message[] = [];
  const hub: Message[] = [];
  const devicetwin: Message[] = [];
  runtime.register(manager);
  if (options.hub) runtime.register(fakeEdgeHub(hub, options.hub));
  if (options.edged ?? true) runtime.register(collector('edged', 'edged', edged));
  runtime.register(collector('devicetwin', 'twin', devicetwin));
  runtime.start();
  return {
    runtime,
    manager,
    registry,
    edged,
    devicetwin,
    hub,
    send: (message) => runtime.sendSync('metamanager', message, 10_000),
    async counter(name, labels = {}) {
      const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
      const values = (metric?.values ?? []) as { value: number; labels: Record<string, string | number> }[];
      const match = values.find((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value));
      return match?.value ?? 0;
    },
    async stop() {
      await runtime.stop(5000);
    },
  };
}

/** The answer's operation and content, for assertions. */
export function describeAnswer(answer: Message): { operation: string; content: unknown } {
  if (answer.route?.operation === Operation.OPERATION_ERROR) return { operation: 'error', content: readErrorContent(answer) };
  return { operation: Operation[answer.route!.operation] ?? 'unknown', content: readJsonContent(answer) };
}
