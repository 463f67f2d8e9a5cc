/**
 * One device at work: its driver connection (re-established with back-off), a collect loop per property, report
 * loops that send fresh values to edgecore in one ReportDeviceStatus per device and cycle, desired values written to
 * ReadWrite properties, pushes, and the device state (online / unhealthy / offline) reported when it changes and,
 * with stateReport.reportToCloud, every stateReport cycle.
 *
 * Driver calls go through one bounded queue per device, so a driver never sees two calls at once.
 */
import { setMaxListeners } from 'node:events';
import type { ReportDeviceStatesRequest, ReportDeviceStatusRequest, Twin } from '../../gen/kubeedge/dmi/v1beta1/api';
import type { Logger } from '../../pkg/log';
import { Backoff, sleep, type BackoffOptions } from '../../pkg/timing';
import type { DeviceDriver, DeviceHealth } from './driver';
import { asDeviceError, DeviceError, ValueError } from './errors';
import { OpQueue } from './op-queue';
import type { DataModel } from './push';
import type { PushTarget } from './push-spec';
import type { DeviceSpec, PropertySpec } from './spec';
import { StreakLog } from './streak-log';
import { every } from './ticker';
import { toDeviceValue, toTwinValue, type ValueType } from './values';

export type DeviceState = 'online' | 'unhealthy' | 'offline' | 'unknown';

/** Where reports go: edgecore's DeviceManagerService (DmiClient), or a test's recorder. */
export interface Reporter {
  reportStatus(request: ReportDeviceStatusRequest): Promise<void>;
  reportStates(request: ReportDeviceStatesRequest): Promise<void>;
}

export interface Pusher {
  push(target: PushTarget, data: DataModel): void;
}

export interface RunnerOptions {
  readonly reporter: Reporter;
  readonly pusher: Pusher;
  readonly log: Logger;
  /** How often driver health is checked (state changes are reported as soon as they are seen). */
  readonly healthCheckMs?: number;
  /** Between connect attempts while the device is offline. */
  readonly reconnect?: BackoffOptions;
  /** Driver calls that may wait for one device. */
  readonly queueLimit?: number;
}

export interface Reading {
  readonly value: string;
  /** When it was read, ms since the epoch. */
  readonly timestamp: number;
}

interface PropertyState<V> {
  spec: PropertySpec<V>;
  latest: Reading | undefined;
  /** Timestamp of the latest reading edgecore accepted. */
  reportedAt: number;
  failure: DeviceError | undefined;
  readLog: StreakLog;
  writeLog: StreakLog;
  /** The desired value last written, and the last one refused (not retried until it changes). */
  desiredApplied: string | undefined;
  desiredRefused: string | undefined;
  /** The desired value being written now: the collect tick and an update both try, and must not both write. */
  desiredWriting: string | undefined;
  writeFailure: DeviceError | undefined;
}

const DEFAULT_RECONNECT: BackoffOptions = { initialMs: 500, maxMs: 10_000 };
const TWIN_TYPES: Readonly<Record<ValueType, string>> = {
  int: 'int',
  float: 'float',
  double: 'double',
  boolean: 'boolean',
  string: 'string',
  bytes: 'string',
};

export class DeviceRunner<P, V> {
  private readonly log: Logger;
  private readonly queue: OpQueue;
  private readonly lifetime = listenable(new AbortController());
  private loops = listenable(new AbortController());
  private properties = new Map<string, PropertyState<V>>();
  private connected = false;
  private connecting = false;
  /** No state is reported before the first connect attempt ends: a starting device is not "offline". */
  private attempted = false;
  private readonly connectLog: StreakLog;
  private state: DeviceState = 'unknown';
  private stateReason = 'not checked yet';
  private sentState: DeviceState | undefined;
  private sentStateAt = 0;
  private checking: Promise<void> | undefined;
  private checkAgain = false;

  constructor(
    private spec: DeviceSpec<P, V>,
    private readonly driver: DeviceDriver<V>,
    private readonly options: RunnerOptions,
  ) {
    this.log = options.log.child({ device: spec.id });
    this.queue = new OpQueue(options.queueLimit ?? 64);
    this.connectLog = new StreakLog(this.log, {});
  }

  get id(): string {
    return this.spec.id;
  }

  get currentSpec(): DeviceSpec<P, V> {
    return this.spec;
  }

  get currentState(): { state: DeviceState; reason: string } {
    return { state: this.state, reason: this.stateReason };
  }

  start(): void {
    for (const warning of this.spec.warnings) this.log.warn(warning);
    every(this.options.healthCheckMs ?? 1000, this.lifetime.signal, () => this.checkState(), { immediately: true });
    this.startLoops();
    void this.connectLoop();
  }

  /** A new spec for the same connection (same protocol settings): loops restart, the driver stays connected. */
  update(spec: DeviceSpec<P, V>): void {
    this.spec = spec;
    for (const warning of spec.warnings) this.log.warn(warning);
    this.loops.abort();
    this.loops = listenable(new AbortController());
    this.startLoops();
    if (this.connected) void this.applyAllDesired();
    void this.checkState();
  }

  /** Stops every loop, waits for the driver call in progress, closes the driver; `offline` reports that state first. */
  async stop(options: { reportOffline?: boolean } = {}): Promise<void> {
    this.loops.abort();
    this.lifetime.abort();
    await this.queue.drained();
    // A state check already under way must not report after the final offline.
    await this.checking;
    if (options.reportOffline && this.sentState !== 'offline') {
      await this.sendState('offline').catch(() => undefined);
    }
    await this.driver.close().catch((error: unknown) => this.log.warn({ error: asDeviceError(error).message }, 'closing the device connection failed'));
  }

  /** The latest reading of every property that has one, as DMI twins (GetDevice). */
  twins(): Twin[] {
    return [...this.properties.values()].flatMap((property) => (property.latest ? [this.twin(property, property.latest)] : []));
  }

  /** Reads a property now (REST). Throws DeviceError, or a plain Error for an unknown property. */
  async readNow(name: string): Promise<Reading & { type: string }> {
    const property = this.property(name);
    await this.collect(property, { rethrow: true });
    return { ...(property.latest as Reading), type: TWIN_TYPES[property.spec.value.type] };
  }

  /** Writes a property now (REST): ValueError for a value the model refuses, DeviceError when the device does. */
  async writeNow(name: string, text: string): Promise<void> {
    const property = this.property(name);
    const subject = `property ${name} of device ${this.spec.id}`;
    if (property.spec.context.accessMode !== 'ReadWrite') throw new ValueError(`${subject} is ReadOnly in its model; only ReadWrite properties can be written`);
    const raw = toDeviceValue(text, property.spec.value, subject);
    if (!this.connected) throw new DeviceError('DISCONNECTED', `device ${this.spec.id} is offline: ${this.stateReason}`);
    await this.queue.run(() => this.driver.write(property.spec.visitor, property.spec.context, raw));
    this.log.info({ property: name, value: text }, 'value written');
    void this.collect(property);
  }

  hasProperty(name: string): boolean {
    return this.properties.has(name);
  }

  private property(name: string): PropertyState<V> {
    const property = this.properties.get(name);
    if (property === undefined) throw new Error(`device ${this.spec.id} has no property ${name}`);
    return property;
  }

  private startLoops(): void {
    const signal = this.loops.signal;
    const previous = this.properties;
    this.properties = new Map();
    for (const spec of this.spec.properties) {
      const old = previous.get(spec.name);
      // A property whose visitor is unchanged keeps its readings and what was written to it.
      const keep = old !== undefined && old.spec.visitorKey === spec.visitorKey;
      const fields = { property: spec.name };
      this.properties.set(spec.name, {
        spec,
        latest: keep ? old.latest : undefined,
        reportedAt: keep ? old.reportedAt : 0,
        failure: keep ? old.failure : undefined,
        readLog: keep ? old.readLog : new StreakLog(this.log, fields),
        writeLog: keep ? old.writeLog : new StreakLog(this.log, fields),
        desiredApplied: keep ? old.desiredApplied : undefined,
        desiredRefused: keep ? old.desiredRefused : undefined,
        desiredWriting: undefined,
        writeFailure: keep ? old.writeFailure : undefined,
      });
    }
    for (const property of this.properties.values()) {
      every(property.spec.collectCycleMs, signal, () => this.collectTick(property), { immediately: true });
    }
    // One report per device and cycle, carrying every property that shares the cycle.
    const groups = new Map<number, PropertyState<V>[]>();
    for (const property of this.properties.values()) {
      if (!property.spec.reportToCloud) continue;
      groups.set(property.spec.reportCycleMs, [...(groups.get(property.spec.reportCycleMs) ?? []), property]);
    }
    for (const [cycleMs, group] of groups) every(cycleMs, signal, () => this.report(group, cycleMs));
  }

  private async connectLoop(): Promise<void> {
    if (this.connecting) return;
    this.connecting = true;
    const backoff = new Backoff(this.options.reconnect ?? DEFAULT_RECONNECT);
    try {
      while (!this.connected && !this.lifetime.signal.aborted) {
        try {
          await this.queue.run(() => this.driver.connect());
          this.connected = true;
          this.attempted = true;
          // Failures that only said "no connection" are over; others show again on the next read if they persist.
          for (const property of this.properties.values()) {
            if (property.failure?.code === 'DISCONNECTED') property.failure = undefined;
            if (property.writeFailure?.code === 'DISCONNECTED') property.writeFailure = undefined;
          }
          this.connectLog.succeeded('device connected');
          if (backoff.attempts === 0) this.log.info('device connected');
        } catch (error) {
          const failure = asDeviceError(error);
          this.attempted = true;
          this.connectLog.failed(`${failure.code}: ${failure.message}`, 'cannot connect to the device; retrying with back-off');
          this.stateReason = failure.message;
          void this.checkState();
          await sleep(backoff.next(), this.lifetime.signal).catch(() => undefined);
        }
      }
    } finally {
      this.connecting = false;
    }
    if (this.connected) {
      void this.checkState();
      void this.applyAllDesired();
    }
  }

  private lostConnection(reason: DeviceError): void {
    if (!this.connected) return;
    this.connected = false;
    this.stateReason = reason.message;
    void this.checkState();
    void this.connectLoop();
  }

  private async collectTick(property: PropertyState<V>): Promise<void> {
    if (!this.connected) return;
    if (property.spec.desired && property.desiredApplied !== property.spec.desired.value) await this.applyDesired(property);
    await this.collect(property);
  }

  private async collect(property: PropertyState<V>, options: { rethrow?: boolean } = {}): Promise<void> {
    const { spec } = property;
    try {
      if (!this.connected) throw new DeviceError('DISCONNECTED', `device ${this.spec.id} is offline: ${this.stateReason}`);
      const raw = await this.queue.run(() => this.driver.read(spec.visitor, spec.context));
      const reading = { value: toTwinValue(raw, spec.value), timestamp: Date.now() };
      property.latest = reading;
      property.readLog.succeeded('property readable again');
      if (property.failure !== undefined) {
        property.failure = undefined;
        void this.checkState();
      }
      this.push(property, reading);
    } catch (error) {
      const failure = asDeviceError(error);
      if (failure.code !== 'BUSY' && (failure.code !== 'DISCONNECTED' || this.connected)) {
        property.readLog.failed(`${failure.code}: ${failure.message}`, 'cannot read property');
        const first = property.failure === undefined;
        property.failure = failure;
        if (failure.code === 'DISCONNECTED') this.lostConnection(failure);
        else if (first) void this.checkState();
      }
      if (options.rethrow) throw failure;
    }
  }

  private push(property: PropertyState<V>, reading: Reading): void {
    if (property.spec.push.length === 0) return;
    const data: DataModel = {
      namespace: this.spec.namespace,
      deviceName: this.spec.name,
      propertyName: property.spec.name,
      value: reading.value,
      type: TWIN_TYPES[property.spec.value.type],
      timeStamp: reading.timestamp,
    };
    for (const target of property.spec.push) this.options.pusher.push(target, data);
  }

  private async report(group: readonly PropertyState<V>[], cycleMs: number): Promise<void> {
    const fresh = group.filter((property) => property.latest !== undefined && property.latest.timestamp > property.reportedAt);
    if (fresh.length === 0) return;
    const sent = fresh.map((property) => ({ property, reading: property.latest as Reading }));
    try {
      await this.options.reporter.reportStatus({
        deviceName: this.spec.name,
        deviceNamespace: this.spec.namespace,
        reportedDevice: { twins: sent.map(({ property, reading }) => this.twin(property, reading)), reportToCloud: true, reportCycle: cycleMs },
      });
      for (const { property, reading } of sent) property.reportedAt = reading.timestamp;
    } catch {
      // Logged once per outage by the reporter; the values stay fresh and go with the next cycle.
    }
  }

  private twin(property: PropertyState<V>, reading: Reading): Twin {
    const type = TWIN_TYPES[property.spec.value.type];
    const desired = property.spec.desired;
    return {
      propertyName: property.spec.name,
      reported: { value: reading.value, metadata: { timestamp: String(reading.timestamp), type } },
      observedDesired: desired ? { value: desired.value, metadata: { timestamp: desired.metadata.timestamp ?? String(reading.timestamp), type } } : undefined,
    };
  }

  private async applyAllDesired(): Promise<void> {
    for (const property of this.properties.values()) {
      if (property.spec.desired && property.desiredApplied !== property.spec.desired.value) await this.applyDesired(property);
    }
  }

  private async applyDesired(property: PropertyState<V>): Promise<void> {
    const desired = property.spec.desired?.value;
    if (desired === undefined || desired === property.desiredApplied || desired === property.desiredRefused) return;
    if (desired === property.desiredWriting) return;
    const subject = `desired value of property ${property.spec.name}`;
    if (property.spec.context.accessMode !== 'ReadWrite') {
      property.desiredRefused = desired;
      this.log.warn({ property: property.spec.name, desired }, `${subject} is not written: the property is ReadOnly in its model; make it ReadWrite or remove the desired value`);
      return;
    }
    let raw;
    try {
      raw = toDeviceValue(desired, property.spec.value, subject);
    } catch (error) {
      property.desiredRefused = desired;
      this.log.error({ property: property.spec.name, desired }, `${(error as ValueError).message}; the value is not written`);
      return;
    }
    if (!this.connected) return;
    property.desiredWriting = desired;
    try {
      await this.queue.run(() => this.driver.write(property.spec.visitor, property.spec.context, raw));
      property.desiredApplied = desired;
      property.writeLog.succeeded('desired value written after failures');
      this.log.info({ property: property.spec.name, desired }, 'desired value written');
      if (property.writeFailure) {
        property.writeFailure = undefined;
        void this.checkState();
      }
      void this.collect(property);
    } catch (error) {
      const failure = asDeviceError(error);
      if (failure.code === 'BAD_VALUE') {
        property.desiredRefused = desired;
        this.log.error({ property: property.spec.name, desired }, `${subject} is not written: ${failure.message}`);
        return;
      }
      property.writeLog.failed(`${failure.code}: ${failure.message}`, 'cannot write the desired value; retrying every collect cycle');
      if (failure.code === 'DISCONNECTED') this.lostConnection(failure);
      else if (failure.code !== 'BUSY') {
        property.writeFailure = failure;
        void this.checkState();
      }
    } finally {
      if (property.desiredWriting === desired) property.desiredWriting = undefined;
    }
  }

  /** Re-evaluates the state; one check at a time, and one more if asked while one runs. */
  private checkState(): Promise<void> {
    if (this.checking) {
      this.checkAgain = true;
      return this.checking;
    }
    this.checking = (async () => {
      do {
        this.checkAgain = false;
        await this.evaluateState();
      } while (this.checkAgain && !this.lifetime.signal.aborted);
    })().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async evaluateState(): Promise<void> {
    if (this.lifetime.signal.aborted || !this.attempted) return;
    let health: DeviceHealth = 'offline';
    if (this.connected) {
      try {
        health = await this.driver.health();
      } catch (error) {
        health = 'unhealthy';
        this.stateReason = asDeviceError(error).message;
      }
      if (health === 'offline') this.lostConnection(new DeviceError('DISCONNECTED', 'the driver lost the connection'));
    }
    const failing = [...this.properties.values()].find((property) => property.failure ?? property.writeFailure);
    let state: DeviceState;
    if (!this.connected || health === 'offline') state = 'offline';
    else if (health === 'unhealthy' || failing) {
      state = 'unhealthy';
      if (failing) this.stateReason = `property ${failing.spec.name}: ${(failing.failure ?? failing.writeFailure)?.message}`;
    } else {
      state = 'online';
      this.stateReason = 'connected and answering';
    }
    if (state !== this.state) {
      const level = state === 'online' ? 'info' : 'warn';
      this.log[level]({ from: this.state, to: state, reason: this.stateReason }, 'device state changed');
      this.state = state;
    }
    const due = this.spec.stateReport.reportToCloud && Date.now() - this.sentStateAt >= this.spec.stateReport.cycleMs;
    if ((state !== this.sentState || due) && !this.lifetime.signal.aborted) await this.sendState(state).catch(() => undefined);
  }

  private async sendState(state: DeviceState): Promise<void> {
    await this.options.reporter.reportStates({ deviceName: this.spec.name, deviceNamespace: this.spec.namespace, state });
    this.sentState = state;
    this.sentStateAt = Date.now();
  }
}

/** Every loop of a device listens on one signal: one listener per property is expected, not a leak. */
function listenable(controller: AbortController): AbortController {
  setMaxListeners(0, controller.signal);
  return controller;
}
