/**
 * Runs edgehub the way edgecore does (inside a ModuleRuntime) with two small test modules: `metamanager`, whose
 * answer to each delivered message the test chooses, and `probe`, through which the test sends upstream messages and
 * which collects whatever edgehub sends back to it.
 */
import { pino } from 'pino';
import type { Registry } from 'prom-client';
import { parseHostPort, type HostPort } from '../../../pkg/config/address';
import type { Logger } from '../../../pkg/log';
import { jsonContent, newErrorResponse, newMessage, newResponse, type Message } from '../../../pkg/message';
import { createMetricsRegistry } from '../../../pkg/metrics';
import { ModuleRuntime, type Module, type ModuleContext } from '../../../pkg/modules';
import { createEdgeHub, type EdgeHub, type EdgeHubOptions, type EdgeHubTuning } from '..';
import { waitUntil } from './fake-cloud';
import type { TlsFixture } from './tls-fixture';

export interface LogLine {
  level: string;
  msg: string;
  at: number;
  [field: string]: unknown;
}

/** What the test metamanager does with a delivered message. */
export type MetaAnswer = 'ok' | 'error' | 'ignore';

export interface TestModule {
  readonly received: { message: Message; at: number }[];
  /** When each answer was given, by message id. */
  readonly answeredAt: Map<string, number>;
  ctx(): ModuleContext;
}

export interface EdgeHarness {
  hub: EdgeHub;
  runtime: ModuleRuntime;
  registry: Registry;
  logs: LogLine[];
  meta: TestModule & { answer: (message: Message) => MetaAnswer; delayMs: number };
  probe: TestModule;
  /** Sends `message` to group 'hub' as an edge module would. */
  sendUp(message: Message): Promise<void>;
  /** Sends a sync request to edgehub and waits for its answer. */
  query(message: Message, timeoutMs?: number): Promise<Message>;
  waitForState(state: EdgeHub['state'], timeoutMs?: number): Promise<void>;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  tls: TlsFixture;
  servers: string[];
  node?: string;
  heartbeatMs?: number;
  messageQPS?: number;
  messageBurst?: number;
  maxMessageSizeBytes?: number;
  tuning?: Partial<EdgeHubTuning>;
  ensureCertificates?: EdgeHubOptions['ensureCertificates'];
  /** Register the test metamanager (default true). */
  withMeta?: boolean;
}

export async function startEdge(options: HarnessOptions): Promise<EdgeHarness> {
  const logs: LogLine[] = [];
  const log = captureLogger(logs);
  const registry = createMetricsRegistry();
  const hub = createEdgeHub({
    config: {
      heartbeatMs: options.heartbeatMs ?? 500,
      messageQPS: options.messageQPS ?? 1000,
      messageBurst: options.messageBurst ?? 1000,
      servers: options.servers.map(toHostPort),
      ...options.tls.files,
      maxMessageSizeBytes: options.maxMessageSizeBytes ?? 1024 * 1024,
    },
    nodeName: options.node ?? 'edge-1',
    log,
    registry,
    ...(options.tuning ? { tuning: options.tuning } : {}),
    ...(options.ensureCertificates ? { ensureCertificates: options.ensureCertificates } : {}),
  });
  const meta = testMetaManager();
  const probe = collector('probe', 'probe');
  const runtime = new ModuleRuntime({ log, restart: { enabled: false, initialDelayMs: 100, maxDelayMs: 100 } });
  if (options.withMeta ?? true) runtime.register(meta.module);
  runtime.register(probe.module);
  runtime.register(hub);
  runtime.start();
  await waitUntil(() => probe.started(), 2000, 'the probe module to start');

  return {
    hub,
    runtime,
    registry,
    logs,
    meta,
    probe,
    sendUp: (message) => probe.ctx().sendToGroup('hub', message),
    query: (message, timeoutMs = 3000) => probe.ctx().sendSync('edgehub', message, timeoutMs),
    waitForState: (state, timeoutMs = 5000) => waitUntil(() => hub.state === state, timeoutMs, `edgehub ${state}`),
    metric: (name, labels) => metricValue(registry, name, labels),
    async stop() {
      await runtime.stop(5000);
    },
  };
}

/** A message an edge module would send up. */
export function upstreamMessage(resource: string, content: unknown = { ok: true }): Message {
  return newMessage({ source: 'probe', group: 'resource', operation: 'update', resource, ...jsonContent(content) });
}

/** A message the cloud would send down. */
export function downstreamMessage(fields: {
  group?: string;
  resource?: string;
  resourceVersion?: string;
  operation?: 'insert' | 'update' | 'delete' | 'query';
}): Message {
  return newMessage({
    source: 'edgecontroller',
    group: fields.group ?? 'resource',
    operation: fields.operation ?? 'update',
    resource: fields.resource ?? 'default/configmap/cm1',
    ...(fields.resourceVersion === undefined ? {} : { resourceVersion: fields.resourceVersion }),
    ...jsonContent({ kind: 'ConfigMap', metadata: { name: 'cm1' } }),
  });
}

function toHostPort(text: string): HostPort {
  const parsed = parseHostPort(text);
  if (!parsed.ok) throw new Error(`bad address ${text}`);
  return parsed.value;
}

type Meta = TestModule & { module: Module; answer: (message: Message) => MetaAnswer; delayMs: number };

/** Stands for metamanager: records each message and answers each sync one as `answer` says, after `delayMs`. */
function testMetaManager(): Meta {
  let context: ModuleContext | undefined;
  const meta: Meta = {
    received: [],
    answeredAt: new Map(),
    answer: () => 'ok',
    delayMs: 0,
    ctx: () => context!,
    module: {
      name: 'metamanager',
      group: 'meta',
      async run(ctx) {
        context = ctx;
        for await (const message of ctx.receive()) {
          meta.received.push({ message, at: Date.now() });
          if (message.header?.sync) answerLater(ctx, message);
        }
      },
    },
  };
  const answerLater = (ctx: ModuleContext, message: Message): void => {
    const answer = meta.answer(message);
    if (answer === 'ignore') return;
    setTimeout(() => {
      meta.answeredAt.set(message.header!.id, Date.now());
      ctx.respond(
        answer === 'ok'
          ? newResponse(message, jsonContent('OK'))
          : newErrorResponse(message, new Error('disk full: cannot store the object')),
      );
    }, meta.delayMs);
  };
  return meta;
}

/** Records every message it receives. */
function collector(name: string, group: string): TestModule & { module: Module; started: () => boolean } {
  const received: { message: Message; at: number }[] = [];
  let context: ModuleContext | undefined;
  return {
    received,
    answeredAt: new Map(),
    ctx: () => context!,
    started: () => context !== undefined,
    module: {
      name,
      group,
      async run(ctx) {
        context = ctx;
        for await (const message of ctx.receive()) received.push({ message, at: Date.now() });
      },
    },
  };
}

function captureLogger(lines: LogLine[]): Logger {
  const echo = process.env['EDGEHUB_TEST_LOG'] !== undefined;
  return pino(
    { level: 'debug', base: undefined },
    {
      write(line: string) {
        const parsed = JSON.parse(line) as { level: number; msg: string };
        lines.push({ ...parsed, level: pino.levels.labels[parsed.level] ?? String(parsed.level), at: Date.now() });
        if (echo) process.stderr.write(line);
      },
    },
  );
}

async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  const matching = values.filter(
    (value) =>
      Object.entries(labels).every(([key, wanted]) => String((value.labels as Record<string, unknown>)[key]) === wanted) &&
      // Histograms: count only.
      ((value as { metricName?: string }).metricName === undefined ||
        (value as { metricName?: string }).metricName === `${name}_count`),
  );
  return matching.reduce((sum, value) => sum + value.value, 0);
}
