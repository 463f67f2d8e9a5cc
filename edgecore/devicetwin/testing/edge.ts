/**
 * A small edge for devicetwin's tests: a real ModuleRuntime with a real metamanager (on a temp SQLite file) and
 * devicetwin, plus collectors standing in for eventbus (what is published on MQTT) and edgehub (what goes to the
 * cloud). Devices reach devicetwin as the cloud sends them: through metamanager.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { defaultConfig } from '../../../pkg/config';
import type { Device, DeviceModel } from '../../../pkg/devices/api';
import { jsonContent, newMessage, Operation, readErrorContent, type Message, type OperationName } from '../../../pkg/message';
import { ModuleRuntime, type Module } from '../../../pkg/modules';
import { edgeCoreConfigSpec, type EdgeCoreConfig } from '../../config';
import { createMetaManager } from '../../metamanager';
import type { DmiTwinSide } from '../dmi';
import { createDeviceTwin, type DeviceTwinSettings } from '../index';
import type { DmiServer } from '../module';

export const silentLog = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
export const NODE = 'edge-1';
export const T0 = Date.UTC(2026, 0, 2, 3, 4, 5);

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'devicetwin-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function edgeConfig(dataSource: string, dmiSockPath: string): EdgeCoreConfig {
  const config = defaultConfig(edgeCoreConfigSpec());
  return {
    ...config,
    database: { ...config.database, dataSource },
    modules: { ...config.modules, deviceTwin: { ...config.modules.deviceTwin, enable: true, dmiSockPath } },
  };
}

export type DmiCallRecord = { call: string; id: string; object: Device | DeviceModel };

/** A DMI side that records what devicetwin tells it; `twin` is the side devicetwin handed it. */
export class RecordingDmi implements DmiServer {
  readonly calls: DmiCallRecord[] = [];
  started = 0;
  stopped = 0;
  constructor(readonly twin: DmiTwinSide) {}
  async start(): Promise<void> {
    this.started++;
  }
  async stop(): Promise<void> {
    this.stopped++;
  }
  private record(call: string, object: Device | DeviceModel): Promise<void> {
    this.calls.push({ call, id: `${object.metadata?.namespace}/${object.metadata?.name}`, object });
    return Promise.resolve();
  }
  deviceAdded = (device: Device): Promise<void> => this.record('deviceAdded', device);
  deviceUpdated = (device: Device): Promise<void> => this.record('deviceUpdated', device);
  deviceRemoved = (device: Device): Promise<void> => this.record('deviceRemoved', device);
  modelAdded = (model: DeviceModel): Promise<void> => this.record('modelAdded', model);
  modelUpdated = (model: DeviceModel): Promise<void> => this.record('modelUpdated', model);
  modelRemoved = (model: DeviceModel): Promise<void> => this.record('modelRemoved', model);
  /** The calls as "call id", for compact assertions. */
  summary(): string[] {
    return this.calls.map((c) => `${c.call} ${c.id}`);
  }
}

export interface TwinEdgeOptions {
  readonly dataSource: string;
  readonly dmiDir: string;
  readonly settings?: Partial<DeviceTwinSettings>;
  /** The clock devicetwin reads; default a fixed T0 that tests move. */
  readonly clock?: { ms: number };
  /** edgehub's stand-in: how long it takes to accept each message (a slow link). */
  readonly hubDelayMs?: number;
  /** Use the real DMI server (./dmi) instead of the recording one. */
  readonly realDmi?: boolean;
  /** Called as edgehub's stand-in takes each message (benchmarks time them). */
  readonly onHubMessage?: (message: Message) => void;
  /** Keep every message in `bus` and `hub` (default); benchmarks turn it off so that only devicetwin holds memory. */
  readonly keepMessages?: boolean;
}

export interface Published {
  topic: string;
  payload: unknown;
}

export interface TwinEdge {
  readonly runtime: ModuleRuntime;
  readonly registry: Registry;
  readonly dmi: RecordingDmi | undefined;
  readonly clock: { ms: number };
  /** Everything published on MQTT through eventbus, in order. */
  readonly bus: Message[];
  /** Everything sent to the cloud through edgehub, in order. */
  readonly hub: Message[];
  /** Applies a change as the cloud would (through metamanager); resolves with metamanager's answer. */
  cloud(operation: OperationName, object: Device | DeviceModel): Promise<Message>;
  /** A message from an MQTT client, as eventbus delivers it. */
  mqtt(topic: string, payload: unknown): Promise<void>;
  connect(state: 'cloud_connected' | 'cloud_disconnected'): Promise<void>;
  published(topic: string): unknown[];
  /** Waits for the next publish on `topic` after the ones already seen, and returns its payload. */
  nextPublish(topic: string, seen?: number): Promise<unknown>;
  toCloud(resource: string): unknown[];
  counter(name: string, labels?: Record<string, string>): Promise<number>;
  stop(): Promise<void>;
}

export async function startTwinEdge(options: TwinEdgeOptions): Promise<TwinEdge> {
  const registry = new Registry();
  const clock = options.clock ?? { ms: T0 };
  const manager = await createMetaManager({ dataSource: options.dataSource, queryTimeoutMs: 2000, log: silentLog, registry });
  const runtime = new ModuleRuntime({ log: silentLog, restart: { enabled: false, initialDelayMs: 10, maxDelayMs: 10 } });
  const bus: Message[] = [];
  const hub: Message[] = [];
  let dmi: RecordingDmi | undefined;
  runtime.register(manager);
  const keep = options.keepMessages ?? true;
  runtime.register(collector('edgehub', 'hub', keep ? hub : undefined, options.hubDelayMs ?? 0, options.onHubMessage));
  runtime.register(collector('eventbus', 'bus', keep ? bus : undefined, 0));
  const twin = createDeviceTwin({
    config: edgeConfig(options.dataSource, options.dmiDir),
    nodeName: NODE,
    log: silentLog,
    registry,
    ...(options.realDmi ? {} : { dmi: (side: DmiTwinSide) => (dmi = new RecordingDmi(side)) }),
    settings: { flushDelayMs: 5, ...options.settings },
    now: () => clock.ms,
  });
  runtime.register(twin);
  runtime.start();
  const edge: TwinEdge = {
    runtime,
    registry,
    get dmi() {
      return dmi;
    },
    clock,
    bus,
    hub,
    async cloud(operation, object) {
      const type = object.kind === 'DeviceModel' ? 'devicemodel' : 'device';
      const resource = `${object.metadata?.namespace}/${type}/${object.metadata?.name}`;
      const message = newMessage({
        source: 'edgehub',
        group: 'resource',
        operation,
        resource,
        resourceVersion: object.metadata?.resourceVersion ?? '',
        ...jsonContent(object),
      });
      const answer = await runtime.sendSync('metamanager', message, 10_000);
      if (answer.route?.operation === Operation.OPERATION_ERROR) throw new Error(readErrorContent(answer).message);
      return answer;
    },
    mqtt(topic, payload) {
      const content = Buffer.isBuffer(payload) ? payload : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
      return runtime.send('devicetwin', newMessage({ source: 'eventbus', group: 'twin', operation: 'message', resource: topic, content }));
    },
    connect(state) {
      return runtime.send(
        'devicetwin',
        newMessage({ source: 'edgehub', group: 'twin', operation: 'connect', resource: 'node/connection', ...jsonContent(state) }),
      );
    },
    published: (topic) => bus.filter((m) => m.route?.resource === topic).map((m) => JSON.parse(m.content.toString('utf8')) as unknown),
    async nextPublish(topic, seen = edge.published(topic).length) {
      await eventually(() => edge.published(topic).length > seen, 3000, `a publish on ${topic}`);
      return edge.published(topic)[seen];
    },
    toCloud: (resource) => hub.filter((m) => m.route?.resource === resource).map((m) => JSON.parse(m.content.toString('utf8')) as unknown),
    async counter(name, labels = {}) {
      const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
      const values = (metric?.values ?? []) as { value: number; labels: Record<string, string | number> }[];
      return values.filter((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value)).reduce((sum, v) => sum + v.value, 0);
    },
    async stop() {
      await runtime.stop(5000);
    },
  };
  // Ready once the DMI side is started (after the store and metamanager's lists are read).
  if (!options.realDmi) await eventually(() => (dmi?.started ?? 0) > 0, 5000, 'devicetwin to start');
  return edge;
}

function collector(name: string, group: string, into: Message[] | undefined, delayMs: number, onMessage?: (m: Message) => void): Module {
  return {
    name,
    group,
    async run(ctx) {
      for await (const message of ctx.receive()) {
        if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
        onMessage?.(message);
        into?.push(message);
      }
    },
  };
}

export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Lets devicetwin handle what is in its inbox (and its setImmediate work) before a negative assertion. */
export async function settle(ms = 50): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Changes the cloud makes while devicetwin is not running: metamanager alone takes them into the store. */
export async function whileTwinIsDown(dataSource: string, changes: [OperationName, Device | DeviceModel][]): Promise<void> {
  const manager = await createMetaManager({ dataSource, queryTimeoutMs: 2000, log: silentLog });
  const runtime = new ModuleRuntime({ log: silentLog, restart: { enabled: false, initialDelayMs: 10, maxDelayMs: 10 } });
  runtime.register(manager);
  runtime.start();
  try {
    for (const [operation, object] of changes) {
      const type = object.kind === 'DeviceModel' ? 'devicemodel' : 'device';
      const message = newMessage({
        source: 'edgehub',
        group: 'resource',
        operation,
        resource: `${object.metadata?.namespace}/${type}/${object.metadata?.name}`,
        resourceVersion: object.metadata?.resourceVersion ?? '',
        ...jsonContent(object),
      });
      const answer = await runtime.sendSync('metamanager', message, 10_000);
      if (answer.route?.operation === Operation.OPERATION_ERROR) throw new Error(readErrorContent(answer).message);
    }
  } finally {
    await runtime.stop(5000);
  }
}
