/**
 * The DMI side of devicetwin: serves DeviceManagerService on `<socketDir>/dmi.sock`, keeps the registered mappers (one
 * per protocol, in SQLite) and keeps each mapper in line with the devices and models devicetwin tells it about.
 *
 * Desired state (devices and models) lives here, fed by devicetwin's deviceAdded/... calls and by its answer to
 * devicesForProtocol at each registration; each mapper's session sends what is missing (mapper-session.ts).
 * Registrations (and the restore of saved mappers at start) run one at a time, so two mappers racing for one protocol
 * end with exactly one of them.
 */
import { Server, ServerCredentials, status } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { DeviceManagerServiceService, type MapperRegisterRequest, type MapperRegisterResponse } from '../../../gen/kubeedge/dmi/v1beta1/api';
import type { Device, DeviceModel } from '../../../pkg/devices/api';
import type { Logger } from '../../../pkg/log';
import { TokenBucket } from '../../../pkg/timing';
import { deviceModelId, deviceProtocol, objectId, toDmiDevice, toDmiModel } from '../../../pkg/dmi/convert';
import { DmiRequestError, DmiSocketError } from './errors';
import { MapperSession, deviceKey, modelKey, type DesiredState, type SyncKey } from './mapper-session';
import { MapperStore } from './mapper-store';
import { createDmiMetrics, NOOP_DMI_METRICS, type DmiMetrics } from './metrics';
import { mapperFromRequest, stateReport, twinReport, type MapperRecord } from './reports';
import { managerService } from './server';
import { prepareSocket, restrictSocket } from './socket';
import type { DmiOptions, DmiRateLimit, DmiTimings } from './types';

export const DEFAULT_DMI_TIMINGS: Readonly<DmiTimings> = Object.freeze({
  connectTimeoutMs: 10_000,
  callTimeoutMs: 10_000,
  callAttempts: 5,
  retryDelayMs: 1000,
  failedRetryMs: 30_000,
  mapperDeadAfterMs: 2000,
});

/**
 * A guard against a runaway mapper, for all mappers together. KubeEdge's (one call per second, burst 100) would hold a
 * node to one twin report per second once the burst is spent; a mapper reports each device on its own call, so the
 * limit must cover a full node: 1,000 devices each reporting twins and state every second, with room to spare.
 */
export const DEFAULT_DMI_RATE_LIMIT: Readonly<DmiRateLimit> = Object.freeze({ ratePerSecond: 5_000, burst: 10_000 });

/** Longest wait at stop for calls in flight before the server is closed under them. */
const SHUTDOWN_GRACE_MS = 2000;

export class Dmi {
  private readonly log: Logger;
  private readonly timings: DmiTimings;
  private readonly rateLimit: DmiRateLimit;
  private readonly metrics: DmiMetrics;
  private readonly devices = new Map<string, Device>();
  private readonly models = new Map<string, DeviceModel>();
  private readonly sessions = new Map<string, MapperSession>();
  /** Protocols with devices and no mapper, logged once each until a mapper registers. */
  private readonly announcedMissing = new Set<string>();
  private readonly announcedNoProtocol = new Set<string>();
  private registrations: Promise<unknown> = Promise.resolve();
  private server: Server | undefined;
  private store: MapperStore | undefined;
  private socket: string | undefined;
  private stopping = false;

  constructor(readonly options: DmiOptions) {
    this.log = options.log;
    this.timings = { ...DEFAULT_DMI_TIMINGS, ...options.timings };
    this.rateLimit = { ...DEFAULT_DMI_RATE_LIMIT, ...options.rateLimit };
    for (const [name, value] of Object.entries(this.timings)) {
      if (!(Number.isInteger(value) && value > 0)) throw new RangeError(`DMI timing ${name} must be a positive integer (got ${value})`);
    }
    this.metrics = options.registry !== undefined ? createDmiMetrics(options.registry) : NOOP_DMI_METRICS;
  }

  /** The socket path once started. */
  get socketPath(): string | undefined {
    return this.socket;
  }

  /**
   * Binds the socket (refusing one another process listens on), opens the mapper table and reconnects to the mappers
   * saved there, pushing their devices. Throws DmiSocketError / MapperStoreError with a message naming the setting.
   * May be called again after stop().
   */
  async start(): Promise<void> {
    if (this.server !== undefined) throw new Error('DMI already started');
    // devicetwin builds one Dmi and starts it again after each restart of its module.
    await this.registrations.catch(() => {});
    this.stopping = false;
    const path = await prepareSocket(this.options.socketDir);
    const store = await MapperStore.open(this.options.dataSource, this.log);
    const server = new Server();
    const limiter = new TokenBucket(this.rateLimit);
    server.addService(
      DeviceManagerServiceService,
      managerService({
        handlers: {
          register: (request) => this.register(request),
          reportTwins: async (request) => {
            const report = twinReport(request, Date.now());
            await this.options.twin.reportTwins(report.namespace, report.name, report.update);
          },
          reportStates: async (request) => {
            const report = stateReport(request, Date.now());
            await this.options.twin.reportState(report.namespace, report.name, report.update);
          },
        },
        limiter,
        rateLimit: this.rateLimit,
        log: this.log,
        metrics: this.metrics,
      }),
    );
    let saved: MapperRecord[];
    try {
      saved = await store.list();
      await bind(server, path);
      await restrictSocket(path);
    } catch (error) {
      server.forceShutdown();
      await store.close();
      throw error;
    }
    this.server = server;
    this.store = store;
    this.socket = path;
    for (const record of saved) void this.serialize(() => this.restore(record));
    this.log.info({ socket: path, savedMappers: saved.map((m) => `${m.protocol}:${m.name}`) }, 'DMI server listening');
  }

  /** Closes every mapper connection, stops the server (calls in flight get SHUTDOWN_GRACE_MS) and the store. */
  async stop(): Promise<void> {
    this.stopping = true;
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, SHUTDOWN_GRACE_MS);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    await this.registrations.catch(() => {});
    for (const session of this.sessions.values()) session.close();
    this.sessions.clear();
    await this.store?.close();
    this.store = undefined;
  }

  /** Resolves when every mapper has been sent what it should have (or the change was given up or parked). For tests. */
  async idle(): Promise<void> {
    await this.registrations.catch(() => {});
    await Promise.all([...this.sessions.values()].map((s) => s.idle()));
  }

  /**
   * The calls below record the change and return at once; the mapper of the device's protocol is called in the
   * background. A device whose protocol has no mapper yet is sent when one registers. Errors are logged with the device
   * and the protocol, never thrown.
   */
  async deviceAdded(device: Device, model: DeviceModel | undefined): Promise<void> {
    this.upsertDevice(device, model);
  }

  async deviceUpdated(device: Device, model: DeviceModel | undefined): Promise<void> {
    this.upsertDevice(device, model);
  }

  async deviceRemoved(device: Device): Promise<void> {
    const id = objectId(device);
    const previous = this.devices.get(id);
    this.devices.delete(id);
    this.announcedNoProtocol.delete(id);
    const protocols = new Set([deviceProtocol(device), previous ? deviceProtocol(previous) : '']);
    const modelId = deviceModelId(device);
    for (const protocol of protocols) this.route(protocol, modelId ? [deviceKey(id), modelKey(modelId)] : [deviceKey(id)]);
  }

  async modelAdded(model: DeviceModel): Promise<void> {
    this.upsertModel(model);
  }

  async modelUpdated(model: DeviceModel): Promise<void> {
    this.upsertModel(model);
  }

  async modelRemoved(model: DeviceModel): Promise<void> {
    const id = objectId(model);
    const previous = this.models.get(id);
    this.models.delete(id);
    for (const protocol of this.modelProtocols(id, model, previous)) this.route(protocol, [modelKey(id)]);
  }

  private upsertDevice(device: Device, model: DeviceModel | undefined): void {
    if (!device.metadata?.name || !device.metadata.namespace) {
      this.log.warn({ device: objectId(device) }, 'device without metadata.name or metadata.namespace ignored');
      return;
    }
    // devicetwin hands the model with every device; only a new or changed model is news (upsertModel re-sends every
    // device of the model, which made adding N devices cost N^2 syncs).
    if (model !== undefined && model.metadata?.name && model.metadata.namespace && !this.knowsModel(model)) this.upsertModel(model);
    const id = objectId(device);
    const previous = this.devices.get(id);
    this.devices.set(id, device);
    const protocol = deviceProtocol(device);
    if (protocol === '' && !this.announcedNoProtocol.has(id)) {
      this.announcedNoProtocol.add(id);
      this.log.warn({ device: id }, 'device has no spec.protocol.protocolName: no mapper can serve it');
    }
    const protocols = new Set([protocol, previous ? deviceProtocol(previous) : '']);
    for (const p of protocols) this.route(p, [deviceKey(id)]);
  }

  private knowsModel(model: DeviceModel): boolean {
    const known = this.models.get(objectId(model));
    return known !== undefined && JSON.stringify(known.spec ?? {}) === JSON.stringify(model.spec ?? {});
  }

  private upsertModel(model: DeviceModel): void {
    if (!model.metadata?.name || !model.metadata.namespace) {
      this.log.warn({ model: objectId(model) }, 'device model without metadata.name or metadata.namespace ignored');
      return;
    }
    const id = objectId(model);
    const previous = this.models.get(id);
    this.models.set(id, model);
    for (const protocol of this.modelProtocols(id, model, previous)) {
      // Devices that waited for this model are sent with it.
      const users = [...this.devices.entries()]
        .filter(([, d]) => deviceProtocol(d) === protocol && deviceModelId(d) === id)
        .map(([deviceId]) => deviceKey(deviceId));
      this.route(protocol, [modelKey(id), ...users]);
    }
  }

  /** Every protocol whose mapper may hold the model: its own, its previous one, and those of the devices using it. */
  private modelProtocols(id: string, model: DeviceModel, previous: DeviceModel | undefined): Set<string> {
    const protocols = new Set<string>();
    for (const m of [model, previous]) if (m?.spec?.protocol) protocols.add(m.spec.protocol);
    for (const device of this.devices.values()) if (deviceModelId(device) === id) protocols.add(deviceProtocol(device));
    protocols.delete('');
    return protocols;
  }

  private route(protocol: string, keys: SyncKey[]): void {
    if (protocol === '') return;
    const session = this.sessions.get(protocol);
    if (session !== undefined) {
      session.enqueue(keys);
      return;
    }
    const device = keys.find((k) => k.startsWith('device:') && this.devices.has(k.slice('device:'.length)));
    if (device !== undefined && !this.announcedMissing.has(protocol)) {
      this.announcedMissing.add(protocol);
      this.log.info(
        { protocol, device: device.slice('device:'.length) },
        `no mapper registered for protocol ${protocol} yet; the device is sent when one registers`,
      );
    }
  }

  private readonly desired: DesiredState = {
    device: (id) => this.devices.get(id),
    model: (id) => this.models.get(id),
    keysFor: (protocol) => this.keysFor(protocol),
    modelUsedBy: (modelId, protocol) => {
      for (const device of this.devices.values()) {
        if (deviceProtocol(device) === protocol && deviceModelId(device) === modelId) return true;
      }
      return false;
    },
  };

  /** Models first, so that each is created before the devices that use it. */
  private keysFor(protocol: string): SyncKey[] {
    const devices = [...this.devices.entries()].filter(([, d]) => deviceProtocol(d) === protocol);
    const modelIds = new Set<string>();
    for (const [id, model] of this.models) if (model.spec?.protocol === protocol) modelIds.add(id);
    for (const [, device] of devices) {
      const modelId = deviceModelId(device);
      if (modelId !== undefined && this.models.has(modelId)) modelIds.add(modelId);
    }
    return [...[...modelIds].map(modelKey), ...devices.map(([id]) => deviceKey(id))];
  }

  private serialize<T>(work: () => Promise<T>): Promise<T> {
    const next = this.registrations.catch(() => {}).then(work);
    this.registrations = next;
    return next;
  }

  private register(request: MapperRegisterRequest): Promise<MapperRegisterResponse> {
    const record = mapperFromRequest(request);
    return this.serialize(() => this.registerMapper(record, request.withData));
  }

  private async registerMapper(record: MapperRecord, withData: boolean): Promise<MapperRegisterResponse> {
    const store = this.store;
    if (store === undefined || this.stopping) throw new DmiRequestError(status.UNAVAILABLE, 'edgecore is stopping; register again when it is back');
    const known = await this.options.twin.devicesForProtocol(record.protocol);
    this.absorb(known.devices, known.models);
    await store.save(record, Date.now());
    const previous = this.sessions.get(record.protocol);
    if (previous !== undefined) {
      previous.close();
      this.log.info(
        { protocol: record.protocol, mapper: record.name, previous: previous.record.name, address: record.address, previousAddress: previous.record.address },
        'a new mapper registered for the protocol; it replaces the previous one',
      );
    }
    const session = this.openSession(record);
    const answer = withData ? this.registerAnswer(record.protocol) : { devices: [], models: [] };
    session.markSent(answer.devices, answer.models);
    session.enqueue(this.keysFor(record.protocol));
    this.log.info(
      { protocol: record.protocol, mapper: record.name, version: record.version, address: record.address, devices: answer.devices.length, models: answer.models.length, withData },
      answer.devices.length === 0 && withData
        ? `mapper registered; no device on this node uses protocol ${record.protocol} yet`
        : 'mapper registered',
    );
    return { deviceList: answer.devices.map(toDmiDevice), modelList: answer.models.map(toDmiModel) };
  }

  /** A saved mapper at start: reconnect and push its devices (it may have outlived the previous edgecore, or not). */
  private async restore(record: MapperRecord): Promise<void> {
    if (this.sessions.has(record.protocol) || this.stopping) return;
    try {
      const known = await this.options.twin.devicesForProtocol(record.protocol);
      this.absorb(known.devices, known.models);
    } catch (error) {
      this.log.warn({ protocol: record.protocol, err: (error as Error).message }, 'cannot list the devices of a saved mapper; sending those known so far');
    }
    if (this.stopping || this.sessions.has(record.protocol)) return;
    const session = this.openSession(record);
    session.enqueue(this.keysFor(record.protocol));
    this.log.info({ protocol: record.protocol, mapper: record.name, address: record.address }, 'reconnecting to saved mapper');
  }

  private openSession(record: MapperRecord): MapperSession {
    const session = new MapperSession({
      record,
      desired: this.desired,
      log: this.log,
      timings: this.timings,
      metrics: this.metrics,
      onDead: (s) => void this.mapperDead(s),
      onHealth: () => this.countMappers(),
    });
    this.sessions.set(record.protocol, session);
    this.announcedMissing.delete(record.protocol);
    this.countMappers();
    return session;
  }

  /** Devices with a model this node has, and their models (each once) plus the protocol's other models. */
  private registerAnswer(protocol: string): { devices: Device[]; models: DeviceModel[] } {
    const devices: Device[] = [];
    const models = new Map<string, DeviceModel>();
    for (const [id, model] of this.models) if (model.spec?.protocol === protocol) models.set(id, model);
    for (const [id, device] of this.devices) {
      if (deviceProtocol(device) !== protocol) continue;
      const modelId = deviceModelId(device);
      const model = modelId !== undefined ? this.models.get(modelId) : undefined;
      if (modelId === undefined || model === undefined) continue; // the session logs it and sends it with its model
      devices.push(device);
      models.set(modelId, model);
      this.log.debug({ protocol, device: id }, 'device returned in MapperRegister');
    }
    return { devices, models: [...models.values()] };
  }

  private absorb(devices: Device[], models: DeviceModel[]): void {
    for (const model of models) if (model.metadata?.name && model.metadata.namespace) this.models.set(objectId(model), model);
    for (const device of devices) if (device.metadata?.name && device.metadata.namespace) this.devices.set(objectId(device), device);
  }

  /** The mapper's socket stayed unreachable: its devices cannot be read, so they are reported offline. */
  private async mapperDead(session: MapperSession): Promise<void> {
    const protocol = session.protocol;
    if (this.sessions.get(protocol) !== session) return;
    let devices: Device[];
    try {
      devices = (await this.options.twin.devicesForProtocol(protocol)).devices;
    } catch (error) {
      this.log.warn({ protocol, err: (error as Error).message }, 'cannot list the devices of a dead mapper; using those known here');
      devices = [...this.devices.values()];
    }
    const ids = new Set(devices.filter((d) => deviceProtocol(d) === protocol).map(objectId));
    this.log.warn(
      { protocol, mapper: session.record.name, address: session.record.address, devices: [...ids] },
      'mapper is gone; its devices are reported offline until it registers again',
    );
    for (const id of ids) {
      // A mapper that registered again meanwhile reports its devices itself; an offline now would overwrite that.
      if (this.sessions.get(protocol) !== session || session.health !== 'dead') return;
      const [namespace, name] = [id.slice(0, id.indexOf('/')), id.slice(id.indexOf('/') + 1)];
      try {
        await this.options.twin.reportState(namespace, name, { event_id: randomUUID(), timestamp: Date.now(), state: 'offline' });
      } catch (error) {
        this.log.warn({ protocol, device: id, err: (error as Error).message }, 'cannot report the device offline');
      }
    }
  }

  private countMappers(): void {
    const sessions = [...this.sessions.values()];
    this.metrics.mappers(sessions.length, sessions.filter((s) => s.health === 'dead').length);
  }
}

function bind(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.bindAsync(`unix://${path}`, ServerCredentials.createInsecure(), (error) => {
      if (error) reject(new DmiSocketError(`cannot listen on the DMI socket ${path} (${error.message})`, { cause: error }));
      else resolve();
    });
  });
}
