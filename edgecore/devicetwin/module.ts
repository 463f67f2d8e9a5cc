/**
 * The devicetwin module's life: open its tables, load what it stored, read metamanager's devices and models and
 * reconcile, start the DMI server, then handle messages one at a time until stopped. Every handler works in memory
 * and returns at once (writes, MQTT publishes, cloud messages and mapper calls happen behind it), so one loop keeps
 * up with thousands of reports a second and never waits on a slow neighbour.
 */
import type { DaemonModule } from '../../pkg/cli';
import type { Device, DeviceModel } from '../../pkg/devices/api';
import type { Logger } from '../../pkg/log';
import { isKnownOperation, newErrorResponse, Operation, operationName, parseEdgeResource, parseResourceVersion, readJsonContent, type Message } from '../../pkg/message';
import type { HealthCheck } from '../../pkg/metrics';
import type { ModuleContext } from '../../pkg/modules';
import { Backoff, sleep } from '../../pkg/timing';
import { DeviceChanges } from './device-changes';
import type { DmiSide } from './dmi-side';
import type { Effects } from './effects';
import { listFromMeta, type MetaObjects } from './meta-source';
import type { TwinMetrics } from './metrics';
import { MqttHandler } from './mqtt';
import type { DeviceTwinSettings } from './options';
import { CloudSync } from './outputs/cloud-sync';
import { DmiCallQueue, type DmiCalls } from './outputs/dmi-calls';
import { Publisher } from './outputs/publisher';
import { TwinState } from './state/twin-state';
import { loadStoredState } from './store/load';
import { openTwinDatabase } from './store/open';
import { TwinStoreWriter } from './store/writer';
import { TwinRequests } from './twin-requests';

export const DEVICETWIN = 'devicetwin';
export const DEVICETWIN_GROUP = 'twin';

/** The DMI side as devicetwin drives it: started with the module, told of membership changes. */
export interface DmiServer extends DmiCalls {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface DeviceTwinDeps {
  readonly settings: DeviceTwinSettings;
  readonly log: Logger;
  readonly metrics: TwinMetrics;
  readonly dmi: DmiServer;
  readonly side: DmiSide;
  readonly now?: () => number;
}

interface Running {
  readonly state: TwinState;
  readonly changes: DeviceChanges;
  readonly mqtt: MqttHandler;
  readonly cloud: CloudSync;
}

export class DeviceTwinModule implements DaemonModule {
  readonly name = DEVICETWIN;
  readonly group = DEVICETWIN_GROUP;
  readonly healthCheck: HealthCheck;
  private writer: TwinStoreWriter | undefined;
  /** Kept across runs: after a crash the link may still be up, and edgehub announces only changes. */
  private cloudConnected = false;

  constructor(private readonly deps: DeviceTwinDeps) {
    this.healthCheck = {
      name: DEVICETWIN,
      check: () => {
        const failure = this.writer?.failure;
        if (failure !== undefined) throw new Error(`writing device twins to the local store fails: ${(failure as Error).message}`);
      },
    };
  }

  async run(ctx: ModuleContext): Promise<void> {
    const { settings, log, metrics } = this.deps;
    const knex = await openTwinDatabase(settings.dataSource, log);
    let writer: TwinStoreWriter | undefined;
    let cloud: CloudSync | undefined;
    let dmiStarted = false;
    try {
      const stored = await loadStoredState(knex);
      const state = new TwinState(stored.devices, stored.models);
      writer = new TwinStoreWriter(knex, state, { flushDelayMs: settings.flushDelayMs, log, metrics });
      this.writer = writer;
      const now = this.deps.now ?? Date.now;
      cloud = new CloudSync({
        source: DEVICETWIN,
        view: state,
        writer,
        send: ctx.send,
        stateRefreshMs: settings.stateRefreshMs,
        resendWindowMs: settings.resendWindowMs,
        messagesPerSecond: settings.cloudMessageQPS,
        messageBurst: settings.cloudMessageBurst,
        now,
        log,
        metrics,
        signal: ctx.signal,
      });
      let dmiReady: () => void = () => {};
      const effects: Effects = {
        nodeName: settings.nodeName,
        publisher: new Publisher(ctx.send, { source: DEVICETWIN, maxPending: settings.maxPendingPublishes, log, metrics }),
        cloud,
        writer,
        dmi: new DmiCallQueue(this.deps.dmi, log, new Promise<void>((resolve) => (dmiReady = resolve))),
        metrics,
        log,
        now,
      };
      const requests = new TwinRequests(state, effects);
      const running: Running = {
        state,
        changes: new DeviceChanges(state, effects),
        mqtt: new MqttHandler(state, requests, effects, settings.maxPayloadBytes),
        cloud,
      };
      for (const device of state.devices()) cloud.restored(device);
      cloud.connection(this.cloudConnected);
      const meta = await this.listWithRetry(ctx);
      if (meta) running.changes.reconcile(meta.devices, meta.models);
      else log.warn('metamanager is not running; devicetwin serves the devices it stored and learns of no changes');
      log.info({ devices: state.devicesById.size, models: state.modelsById.size }, 'device twins loaded');
      metrics.observe(() => ({ devices: state.devicesById.size, unsyncedDevices: cloud!.unsyncedDevices, pendingRows: writer!.pending }));
      this.deps.side.current = { requests, effects };
      await this.deps.dmi.start();
      dmiStarted = true;
      dmiReady();
      for await (const message of ctx.receive()) this.dispatch(ctx, running, message);
    } finally {
      this.deps.side.current = undefined;
      cloud?.stop();
      if (dmiStarted) await this.deps.dmi.stop().catch((error: unknown) => log.error({ err: error }, 'the DMI server did not stop cleanly'));
      await writer?.close();
      await knex.destroy();
    }
  }

  /** metamanager answers from its store, so a failure is a fault worth retrying, not a reason to give up. */
  private async listWithRetry(ctx: ModuleContext): Promise<MetaObjects | undefined> {
    const backoff = new Backoff({ initialMs: 500, maxMs: 10_000 });
    for (;;) {
      try {
        return await listFromMeta(ctx, DEVICETWIN, this.deps.settings.metaQueryTimeoutMs);
      } catch (error) {
        const retryInMs = backoff.next();
        this.deps.log.warn({ err: error, retryInMs }, 'could not read devices and models from metamanager; retrying');
        await sleep(retryInMs, ctx.signal);
      }
    }
  }

  private dispatch(ctx: ModuleContext, running: Running, message: Message): void {
    const operation = message.route?.operation ?? Operation.OPERATION_UNSPECIFIED;
    try {
      switch (operation) {
        case Operation.OPERATION_MESSAGE:
          return running.mqtt.handle(message.route?.resource ?? '', message.content);
        case Operation.OPERATION_INSERT:
        case Operation.OPERATION_UPDATE:
        case Operation.OPERATION_PATCH:
        case Operation.OPERATION_DELETE:
          return this.resourceChanged(running, message, operation === Operation.OPERATION_DELETE);
        case Operation.OPERATION_CONNECT:
          return this.connection(running, message);
        case Operation.OPERATION_ERROR:
          // edgehub refusing something sent to the cloud (too large, invalid): a bug of ours, said once per message.
          this.deps.log.warn({ resource: message.route?.resource, reason: errorText(message) }, 'edgehub refused a device message for the cloud');
          return;
        case Operation.OPERATION_RESPONSE:
          return;
        default:
          this.refuse(ctx, message, operation);
      }
    } catch (error) {
      this.deps.log.error({ err: error, resource: message.route?.resource, operation }, 'devicetwin failed to handle a message');
    }
  }

  /** Contract 5: `<ns>/device/<name>` or `<ns>/devicemodel/<name>` from metamanager, content = the object. */
  private resourceChanged(running: Running, message: Message, deleted: boolean): void {
    const resource = parseEdgeResource(message.route?.resource ?? '');
    const type = resource?.type;
    if (!resource || resource.name === '' || (type !== 'device' && type !== 'devicemodel')) {
      return this.badNotice(message, 'route.resource: is not <namespace>/device/<name> or <namespace>/devicemodel/<name>');
    }
    let object: (Device & DeviceModel) | undefined;
    if (message.content.length > 0) {
      try {
        // As metamanager reads it: JSON, with or without its content type.
        object = JSON.parse(Buffer.from(message.content).toString('utf8')) as Device & DeviceModel;
      } catch (error) {
        return this.badNotice(message, `content: is not JSON (${(error as Error).message})`);
      }
      if (typeof object !== 'object' || object === null || object.metadata?.name !== resource.name) {
        return this.badNotice(message, `content: is not the ${type} ${resource.name}`);
      }
      // metamanager's resource names the namespace; an object without one is still that namespace's.
      object = { ...object, metadata: { ...object.metadata, namespace: resource.namespace } };
    } else if (!deleted) {
      return this.badNotice(message, 'content: is empty; an insert or update carries the object');
    }
    const version = parseResourceVersion(message.header?.resourceVersion) ?? parseResourceVersion(object?.metadata?.resourceVersion);
    const { namespace, name } = resource;
    if (type === 'device') {
      if (deleted) running.changes.removeDevice(namespace, name, object, version);
      else running.changes.applyDevice(object!, version);
    } else if (deleted) {
      running.changes.removeModel(namespace, name, object, version);
    } else {
      running.changes.applyModel(object!, version);
    }
  }

  private badNotice(message: Message, problem: string): void {
    this.deps.metrics.ignored('invalid_notice');
    this.deps.log.warn({ resource: message.route?.resource }, `ignored a device notice: ${problem}`);
  }

  /** Contract 6: "cloud_connected" / "cloud_disconnected", as a JSON string or the bare text. */
  private connection(running: Running, message: Message): void {
    let value: unknown;
    try {
      value = readJsonContent(message);
    } catch {
      value = Buffer.from(message.content).toString('utf8');
    }
    if (value !== 'cloud_connected' && value !== 'cloud_disconnected') {
      this.deps.log.warn({ content: String(value).slice(0, 64) }, 'ignored a connect message that is neither cloud_connected nor cloud_disconnected');
      return;
    }
    this.cloudConnected = value === 'cloud_connected';
    this.deps.log.info({ cloudConnected: this.cloudConnected }, 'cloud connection changed');
    running.cloud.connection(this.cloudConnected);
  }

  private refuse(ctx: ModuleContext, message: Message, operation: Operation): void {
    const name = isKnownOperation(operation) ? operationName(operation) : String(operation);
    const text = `route.operation: ${name} is not handled by devicetwin; it takes message (MQTT), insert, update, patch, delete (devices and models) and connect`;
    this.deps.log.warn({ msgId: message.header?.id, resource: message.route?.resource }, text);
    if (message.header?.sync) ctx.respond(newErrorResponse(message, new Error(text)));
  }
}

function errorText(message: Message): string {
  try {
    return String((readJsonContent(message) as { message?: unknown }).message ?? '');
  } catch {
    return '';
  }
}
