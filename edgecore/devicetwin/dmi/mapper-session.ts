/**
 * One registered mapper (one per protocol): its connection, what it has been sent, and a level-triggered worker that
 * brings the mapper in line with the desired devices and models. Changes only mark keys dirty; the worker rereads the
 * desired state for each key and makes the one call that closes the gap (Register/Update/RemoveDevice,
 * Create/Update/RemoveDeviceModel), so a burst of changes to one device ends in one call, a device whose spec did not
 * change is never re-sent, and nothing depends on the order changes arrived in. Keys are handled one at a time, in the
 * order they were first marked, so a model is created before the devices that were marked after it.
 *
 * Failed calls are retried with back-off (callAttempts in all, KubeEdge's 5), then given up (logged) and tried again
 * after failedRetryMs. While the mapper is dead, keys wait; when it is reachable again everything is re-sent, since a
 * mapper that restarted has lost its devices.
 */
import type { Device, DeviceModel } from '../../../pkg/devices/api';
import type { Logger } from '../../../pkg/log';
import { Backoff, sleep } from '../../../pkg/timing';
import { deviceFingerprint, deviceModelId, deviceProtocol, modelFingerprint, objectId, toDmiDevice, toDmiModel } from '../../../pkg/dmi/convert';
import { MapperConnection, type MapperCalls, type MapperHealth, type MapperMethod } from './mapper-connection';
import type { DmiMetrics } from './metrics';
import type { MapperRecord } from './reports';
import type { DmiTimings } from './types';

/** `device:<ns>/<name>` or `model:<ns>/<name>`. */
export type SyncKey = `device:${string}` | `model:${string}`;

export const deviceKey = (id: string): SyncKey => `device:${id}`;
export const modelKey = (id: string): SyncKey => `model:${id}`;

/** What the mapper should have: read by the worker for every key it handles. */
export interface DesiredState {
  device(id: string): Device | undefined;
  model(id: string): DeviceModel | undefined;
  /** Keys of every device and model this protocol's mapper should have. */
  keysFor(protocol: string): SyncKey[];
  /** Whether some device of `protocol` refers to the model. */
  modelUsedBy(modelId: string, protocol: string): boolean;
}

export interface MapperSessionOptions {
  record: MapperRecord;
  desired: DesiredState;
  log: Logger;
  timings: DmiTimings;
  metrics: DmiMetrics;
  /** The mapper has been unreachable for mapperDeadAfterMs. */
  onDead(session: MapperSession): void;
  /** Any health change (for the mappers gauge). */
  onHealth(): void;
}

export class MapperSession {
  readonly record: MapperRecord;
  private readonly connection: MapperConnection;
  private readonly log: Logger;
  /** Fingerprints of what the mapper was sent and acknowledged. */
  private readonly sentDevices = new Map<string, string>();
  private readonly sentModels = new Map<string, string>();
  private readonly dirty = new Set<SyncKey>();
  /** Devices whose model is unknown here; logged once each. */
  private readonly waitingForModel = new Set<string>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly stopping = new AbortController();
  private running: Promise<void> | undefined;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: MapperSessionOptions) {
    this.record = options.record;
    this.log = options.log.child({ protocol: options.record.protocol, mapper: options.record.name });
    this.connection = new MapperConnection({
      protocol: options.record.protocol,
      mapperName: options.record.name,
      address: options.record.address,
      log: options.log,
      timings: options.timings,
      onHealth: (health, previous) => this.healthChanged(health, previous),
    });
  }

  get protocol(): string {
    return this.record.protocol;
  }

  get health(): MapperHealth {
    return this.connection.state;
  }

  /** Records what the mapper got in its MapperRegisterResponse, so it is not sent again. */
  markSent(devices: Device[], models: DeviceModel[]): void {
    for (const device of devices) this.sentDevices.set(objectId(device), deviceFingerprint(toDmiDevice(device)));
    for (const model of models) this.sentModels.set(objectId(model), modelFingerprint(toDmiModel(model)));
  }

  enqueue(keys: Iterable<SyncKey>): void {
    for (const key of keys) this.dirty.add(key);
    this.kick();
  }

  /** Resolves once nothing is being sent and nothing waits to be (keys parked while the mapper is dead excepted). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops the worker and closes the connection; calls in flight finish on their own. */
  close(): void {
    this.stopping.abort(new Error(`mapper ${this.record.name} closed`));
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    this.dirty.clear();
    this.connection.close();
    this.notifyIdle();
  }

  private get closed(): boolean {
    return this.stopping.signal.aborted;
  }

  private isIdle(): boolean {
    return this.running === undefined && (this.dirty.size === 0 || this.closed || this.health === 'dead');
  }

  private notifyIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private healthChanged(health: MapperHealth, previous: MapperHealth): void {
    this.options.onHealth();
    if (health === 'dead') {
      this.notifyIdle();
      this.options.onDead(this);
    } else if (health === 'ready' && previous === 'dead') {
      // The mapper came back without registering: it restarted and lost its devices, so send them all again.
      this.sentDevices.clear();
      this.sentModels.clear();
      this.enqueue(this.options.desired.keysFor(this.protocol));
    }
  }

  private kick(): void {
    if (this.running !== undefined || this.closed || this.health === 'dead' || this.dirty.size === 0) {
      this.notifyIdle();
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
      this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (!this.closed && this.health !== 'dead') {
      const key = this.dirty.values().next().value;
      if (key === undefined) return;
      this.dirty.delete(key);
      await this.syncWithRetries(key);
    }
  }

  private async syncWithRetries(key: SyncKey): Promise<void> {
    const { timings } = this.options;
    const backoff = new Backoff({ initialMs: timings.retryDelayMs, maxMs: timings.retryDelayMs * 4, jitter: 0.2 });
    for (let attempt = 1; ; attempt++) {
      try {
        await this.sync(key);
        return;
      } catch (error) {
        if (this.closed) return;
        const fields = { ...subject(key), attempt, attempts: timings.callAttempts, err: (error as Error).message };
        if (this.health === 'dead') {
          // Parked: sent when the mapper is reachable again or registers anew.
          this.dirty.add(key);
          this.log.info(fields, 'mapper is unreachable; the change waits for it');
          return;
        }
        if (attempt >= timings.callAttempts) {
          this.log.warn({ ...fields, retryInMs: timings.failedRetryMs }, 'call to mapper failed; giving up for now');
          this.retryLater(key);
          return;
        }
        this.log.info(fields, 'call to mapper failed; retrying');
        try {
          await sleep(backoff.next(), this.stopping.signal);
        } catch {
          return;
        }
      }
    }
  }

  private retryLater(key: SyncKey): void {
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      this.enqueue([key]);
    }, this.options.timings.failedRetryMs);
    timer.unref();
    this.retryTimers.add(timer);
  }

  private async sync(key: SyncKey): Promise<void> {
    const id = key.slice(key.indexOf(':') + 1);
    if (key.startsWith('device:')) await this.syncDevice(id);
    else await this.syncModel(id);
  }

  private async syncDevice(id: string): Promise<void> {
    const device = this.options.desired.device(id);
    const wanted = device !== undefined && deviceProtocol(device) === this.protocol;
    const sent = this.sentDevices.get(id);
    if (!wanted) {
      this.waitingForModel.delete(id);
      if (sent === undefined) return;
      const [namespace, name] = splitId(id);
      await this.call('removeDevice', { deviceName: name, deviceNamespace: namespace });
      this.sentDevices.delete(id);
      this.log.info({ device: id }, 'device removed from mapper');
      return;
    }
    const modelId = deviceModelId(device);
    if (modelId === undefined || this.options.desired.model(modelId) === undefined) {
      if (!this.waitingForModel.has(id)) {
        this.waitingForModel.add(id);
        this.log.info(
          { device: id, model: modelId ?? '(none)' },
          modelId === undefined
            ? 'device names no model (spec.deviceModelRef.name); it is sent to the mapper when it does'
            : 'device waits for its DeviceModel; it is sent to the mapper when the model reaches this node',
        );
      }
      return;
    }
    this.waitingForModel.delete(id);
    // The mapper needs the model before the device (KubeEdge's mappers look the model up in RegisterDevice).
    if (!this.sentModels.has(modelId)) await this.syncModel(modelId);
    const converted = toDmiDevice(device);
    const fingerprint = deviceFingerprint(converted);
    if (sent === fingerprint) return;
    if (sent === undefined) await this.call('registerDevice', { device: converted });
    else await this.call('updateDevice', { device: converted });
    this.sentDevices.set(id, fingerprint);
    this.log.info({ device: id }, sent === undefined ? 'device registered with mapper' : 'device updated on mapper');
  }

  private async syncModel(id: string): Promise<void> {
    const { desired } = this.options;
    const model = desired.model(id);
    const wanted = model !== undefined && (model.spec?.protocol === this.protocol || desired.modelUsedBy(id, this.protocol));
    const sent = this.sentModels.get(id);
    if (!wanted) {
      if (sent === undefined) return;
      const [namespace, name] = splitId(id);
      await this.call('removeDeviceModel', { modelName: name, modelNamespace: namespace });
      this.sentModels.delete(id);
      this.log.info({ model: id }, 'device model removed from mapper');
      return;
    }
    const converted = toDmiModel(model);
    const fingerprint = modelFingerprint(converted);
    if (sent === fingerprint) return;
    if (sent === undefined) await this.call('createDeviceModel', { model: converted });
    else await this.call('updateDeviceModel', { model: converted });
    this.sentModels.set(id, fingerprint);
    this.log.info({ model: id }, sent === undefined ? 'device model created on mapper' : 'device model updated on mapper');
  }

  private async call<M extends MapperMethod>(method: M, request: MapperCalls[M][0]): Promise<void> {
    try {
      await this.connection.call(method, request);
      this.options.metrics.mapperCall(this.protocol, method, true);
    } catch (error) {
      this.options.metrics.mapperCall(this.protocol, method, false);
      throw error;
    }
  }
}

function subject(key: SyncKey): { device: string } | { model: string } {
  const id = key.slice(key.indexOf(':') + 1);
  return key.startsWith('device:') ? { device: id } : { model: id };
}

function splitId(id: string): [string, string] {
  const slash = id.indexOf('/');
  return [id.slice(0, slash), id.slice(slash + 1)];
}
