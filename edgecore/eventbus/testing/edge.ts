/**
 * Test harness: eventbus inside a real ModuleRuntime, with collectors named devicetwin and edgehub standing in for
 * those modules, on a real SQLite file; apps are real mqtt.js clients; logs are captured as JSON lines.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import pino from 'pino';
import { Registry } from 'prom-client';
import { defaultConfig } from '../../../pkg/config';
import type { Logger } from '../../../pkg/log';
import { newMessage, type Message, type OperationName } from '../../../pkg/message';
import { ModuleRuntime, type Module } from '../../../pkg/modules';
import { edgeCoreConfigSpec } from '../../config';
import { createEventBus, type EventBus, type EventBusConfig, type EventBusTuning } from '..';

export const silentLog: Logger = pino({ level: 'silent' });

/** A fresh temp folder; `cleanup` removes it. */
export function tempDir(prefix = 'eventbus-test-'): { dir: string; file: (name?: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let count = 0;
  return {
    dir,
    file: (name = `edgecore-${++count}.db`) => join(dir, name),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The eventBus section with its defaults, then `overrides`. */
export function eventBusConfig(overrides: Partial<EventBusConfig> = {}): EventBusConfig {
  return { ...defaultConfig(edgeCoreConfigSpec()).modules.eventBus, ...overrides };
}

/** Log lines as objects (level as a number: 40 warn, 50 error). */
export interface CapturedLog {
  readonly log: Logger;
  readonly lines: Record<string, unknown>[];
  /** Lines at warn or above whose msg contains `text`. */
  warnings(text?: string): Record<string, unknown>[];
}

export function captureLog(level: 'debug' | 'info' = 'info'): CapturedLog {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return {
    log,
    lines,
    warnings: (text = '') => lines.filter((line) => (line.level as number) >= 40 && String(line.msg).includes(text)),
  };
}

export function collector(name: string, group: string, into: Message[]): Module {
  return {
    name,
    group,
    async run(ctx) {
      for await (const message of ctx.receive()) into.push(message);
    },
  };
}

export interface TestEdgeOptions {
  dataSource: string;
  config?: Partial<EventBusConfig>;
  tuning?: Partial<EventBusTuning>;
  nodeName?: string;
  log?: Logger;
  /** Register a devicetwin collector. Default true. */
  devicetwin?: boolean;
}

export interface TestEdge {
  readonly bus: EventBus;
  readonly runtime: ModuleRuntime;
  readonly registry: Registry;
  /** What devicetwin's and edgehub's stand-ins received. */
  readonly devicetwin: Message[];
  readonly edgehub: Message[];
  /** tcp://127.0.0.1:<port> of the internal broker, once it listens. */
  internalUrl(): Promise<string>;
  /** Sends to eventbus as `source` would (the cloud's requests come through edgehub with group user). */
  send(message: Message): Promise<void>;
  sendSync(message: Message): Promise<Message>;
  /** A counter's value for the given labels (0 when never incremented). */
  counter(name: string, labels?: Record<string, string>): Promise<number>;
  stop(): Promise<void>;
}

export async function startTestEdge(options: TestEdgeOptions): Promise<TestEdge> {
  const registry = new Registry();
  const log = options.log ?? silentLog;
  const bus = createEventBus({
    config: eventBusConfig({ mqttServerInternal: 'tcp://127.0.0.1:0', ...options.config }),
    nodeName: options.nodeName ?? 'edge-test',
    dataSource: options.dataSource,
    log,
    registry,
    tuning: { reconnectInitialMs: 50, reconnectMaxMs: 500, connectTimeoutMs: 2_000, ...options.tuning },
  });
  // Restarts off: a crash must fail the test, not be retried quietly.
  const runtime = new ModuleRuntime({ log: silentLog, restart: { enabled: false, initialDelayMs: 1, maxDelayMs: 1 } });
  const devicetwin: Message[] = [];
  const edgehub: Message[] = [];
  runtime.register(bus);
  if (options.devicetwin ?? true) runtime.register(collector('devicetwin', 'twin', devicetwin));
  runtime.register(collector('edgehub', 'hub', edgehub));
  // A stand-in for whoever sends to eventbus (edgehub for the cloud, devicetwin for its publishes).
  let sender: { send: (to: string, m: Message) => Promise<void>; sendSync: (to: string, m: Message) => Promise<Message> } | undefined;
  runtime.register({
    name: 'sender',
    group: 'sender',
    async run(ctx) {
      sender = { send: ctx.send, sendSync: (to, m) => ctx.sendSync(to, m, 5_000) };
      for await (const message of ctx.receive()) ctx.log.debug({ message }, 'sender got a message');
    },
  });
  runtime.start();
  // A crash of eventbus fails whatever the test waits for, with its cause, instead of a timeout.
  let crash: Error | undefined;
  runtime.failed.catch((error: Error) => (crash = (error.cause as Error | undefined) ?? error));
  let stopped = false;
  const edge: TestEdge = {
    bus,
    runtime,
    registry,
    devicetwin,
    edgehub,
    async internalUrl() {
      await eventually(
        () => {
          if (crash) throw crash;
          return bus.internalBrokerUrl !== undefined;
        },
        5_000,
        'the internal broker to listen',
      );
      return bus.internalBrokerUrl!;
    },
    async send(message) {
      await eventually(() => sender !== undefined);
      await sender!.send('eventbus', message);
    },
    async sendSync(message) {
      await eventually(() => sender !== undefined);
      return sender!.sendSync('eventbus', message);
    },
    async counter(name, labels = {}) {
      const metric = await registry.getSingleMetric(name)?.get();
      const value = metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
      return value?.value ?? 0;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await runtime.stop(10_000);
    },
  };
  return edge;
}

/** A request to eventbus as the cloud sends it through edgehub (group user) or a module sends it (group bus). */
export function busRequest(
  operation: OperationName,
  resource: string,
  content: Uint8Array | string = Buffer.alloc(0),
  init: { group?: string; source?: string; contentType?: string } = {},
): Message {
  return newMessage({
    source: init.source ?? 'edgehub',
    group: init.group ?? 'user',
    operation,
    resource,
    content: typeof content === 'string' ? Buffer.from(content) : content,
    ...(init.contentType ? { contentType: init.contentType } : {}),
  });
}

/** An app: a real mqtt.js client, connected. */
export async function connectApp(url: string, options: IClientOptions = {}): Promise<MqttClient> {
  const client = mqtt.connect(url, { reconnectPeriod: 100, connectTimeout: 2_000, ...options });
  client.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`app could not connect to ${url}`)), 5_000);
    client.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return client;
}

/** Collects what an app receives on `filter`. */
export async function subscribeApp(app: MqttClient, filter: string, qos: 0 | 1 = 1): Promise<{ topic: string; payload: Buffer; retain: boolean }[]> {
  const received: { topic: string; payload: Buffer; retain: boolean }[] = [];
  app.on('message', (topic, payload, packet) => received.push({ topic, payload, retain: packet.retain }));
  await app.subscribeAsync(filter, { qos });
  return received;
}

/**
 * Waits until eventbus takes messages from `app`'s broker (its subscriptions are in place): publishes a probe on an
 * upload topic until edgehub's stand-in gets one, then forgets the probes.
 */
export async function untilSubscribed(app: MqttClient, edge: TestEdge, timeoutMs = 10_000): Promise<void> {
  const probe = `$hw/events/upload/probe-${Math.random().toString(36).slice(2)}`;
  await eventually(
    async () => {
      await app.publishAsync(probe, 'probe', { qos: 0 });
      await sleep(20);
      return edge.edgehub.some((m) => m.route?.resource === probe);
    },
    timeoutMs,
    "eventbus's subscriptions",
  );
  await sleep(50);
  for (let i = edge.edgehub.length - 1; i >= 0; i--) if (edge.edgehub[i]!.route?.resource === probe) edge.edgehub.splice(i, 1);
}

export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
