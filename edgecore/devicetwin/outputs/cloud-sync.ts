/**
 * Twin and state changes for the cloud (contract 7), coalesced per device: a change marks its twin (or the device's
 * state) unsynced and the device dirty; one loop hands edgehub, for each dirty device, one `twin/edge_updated` with
 * the twins still unsynced (their newest values) and one `state/update` when the state is unsynced. While edgehub is
 * slow (it waits on its rate limit) or the cloud is away, reports keep landing on the same flags, so what waits is at
 * most one entry per twin, never a queue of reports.
 *
 * Messages go at edgehub's upstream rate, no faster. That rate is per message (KubeEdge's default is 30/s for
 * everything the node sends), so when more than one device is dirty they travel together: one `device/batch/report`
 * holds the twins and states of up to BATCH_MAX_DEVICES devices (about BATCH_MAX_BYTES of JSON). A lone device still
 * goes as KubeEdge's own `edge_updated` / `state/update` messages.
 *
 * The flags are also written to SQLite (device_twin.unsynced, device.state_unsynced) so that a restart while the cloud
 * is away still sends them. On `cloud_connected` every dirty device is sent. On `cloud_disconnected`, what was handed
 * to edgehub within `resendWindowMs` is marked again, since it may have been lost with the link; the cloud applies
 * twins and states idempotently, so a duplicate costs nothing.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../../pkg/log';
import { jsonContent, newMessage, type Message } from '../../../pkg/message';
import { ModuleError, type ModuleContext } from '../../../pkg/modules';
import { Backoff, parseTime, TokenBucket } from '../../../pkg/timing';
import type { TwinMetrics } from '../metrics';
import { msgTwin, stateToCloud } from '../state/json';
import type { DeviceRecord } from '../state/types';
import type { StateView, TwinStoreWriter } from '../store/writer';

export const EDGEHUB = 'edgehub';

/** The cloud's resource for many devices' reports in one message (contract 7, batch form). */
export const BATCH_RESOURCE = 'device/batch/report';
export const BATCH_MAX_DEVICES = 500;
export const BATCH_MAX_BYTES = 1024 * 1024;

type Kind = 'twin' | 'state';

/** One device's part of a batch: what the single messages would carry. */
interface DeviceReport {
  namespace: string;
  name: string;
  twin?: unknown;
  state?: unknown;
}

export interface CloudSyncOptions {
  readonly source: string;
  readonly view: StateView;
  readonly writer: TwinStoreWriter;
  readonly send: ModuleContext['send'];
  /** A report that only moves lastOnline (same state) is sent at most this often per device. */
  readonly stateRefreshMs: number;
  readonly resendWindowMs: number;
  /**
   * edgehub's upstream rate (modules.edgeHub.messageQPS / messageBurst). Sending faster would only queue reports in
   * edgehub's inbox, where they go stale one behind the other; held here, they coalesce instead.
   */
  readonly messagesPerSecond: number;
  readonly messageBurst: number;
  readonly now: () => number;
  readonly log: Logger;
  readonly metrics: TwinMetrics;
  readonly signal: AbortSignal;
}

export class CloudSync {
  private readonly dirty = new Set<string>();
  private connected = false;
  private draining = false;
  private seq = 0;
  private retry: NodeJS.Timeout | undefined;
  private readonly backoff = new Backoff({ initialMs: 1_000, maxMs: 30_000 });
  private readonly bucket: TokenBucket;

  constructor(private readonly options: CloudSyncOptions) {
    this.bucket = new TokenBucket({ ratePerSecond: options.messagesPerSecond, burst: options.messageBurst });
  }

  get unsyncedDevices(): number {
    return this.dirty.size;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  twinsChanged(device: DeviceRecord, names: readonly string[]): void {
    if (names.length === 0) return;
    const seq = ++this.seq;
    for (const name of names) {
      const twin = device.twins.get(name);
      if (twin) twin.unsyncedSeq = seq;
    }
    this.markDirty(device.id);
  }

  /** After a state report: sends a new state at once, a mere lastOnline refresh at most every stateRefreshMs. */
  stateChanged(device: DeviceRecord): void {
    const sameState = device.state === device.syncedState;
    const lastSent = parseTime(device.syncedLastOnline) ?? 0;
    const refreshDue = (parseTime(device.lastOnline) ?? 0) - lastSent >= this.options.stateRefreshMs;
    if (sameState && device.lastOnline === device.syncedLastOnline) return;
    if (sameState && !refreshDue) return;
    device.stateUnsyncedSeq = ++this.seq;
    this.markDirty(device.id);
  }

  /** A device loaded from the store: what was unsynced then still is. */
  restored(device: DeviceRecord): void {
    let unsynced = false;
    // Numbered in this run's sequence, so that sending them clears them.
    for (const twin of device.twins.values()) {
      if (twin.unsyncedSeq > 0) {
        twin.unsyncedSeq = ++this.seq;
        unsynced = true;
      }
    }
    if (device.stateUnsyncedSeq > 0) {
      device.stateUnsyncedSeq = ++this.seq;
      unsynced = true;
    }
    if (unsynced) this.markDirty(device.id);
  }

  forget(id: string): void {
    this.dirty.delete(id);
  }

  connection(connected: boolean): void {
    if (connected === this.connected) return;
    this.connected = connected;
    if (connected) {
      this.backoff.reset();
      this.kick();
    } else {
      this.markRecentlySent();
    }
  }

  stop(): void {
    this.connected = false;
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
  }

  private markDirty(id: string): void {
    this.dirty.add(id);
    this.kick();
  }

  private kick(): void {
    if (this.draining || !this.connected || this.retry || this.dirty.size === 0) return;
    this.draining = true;
    // setImmediate: everything already in the inbox is applied first, so a burst goes out as one message per device.
    setImmediate(() => {
      this.drain().finally(() => {
        this.draining = false;
        this.kick();
      });
    });
  }

  private async drain(): Promise<void> {
    while (this.connected && this.dirty.size > 0 && !this.options.signal.aborted) {
      // The token first, the values after: a device waiting for its turn is sent with its newest values.
      if (!(await this.token())) return;
      const seq = this.seq;
      const taken = this.takeDirty();
      const { devices, outgoing } = taken.length === 1 ? { devices: taken, outgoing: this.messagesFor(taken[0]!) } : this.batchFor(taken);
      try {
        for (const [index, { message }] of outgoing.entries()) {
          if (index > 0 && !(await this.token())) {
            for (const device of devices) this.dirty.add(device.id);
            return;
          }
          await this.options.send(EDGEHUB, message);
        }
      } catch (error) {
        for (const device of devices) this.dirty.add(device.id);
        this.sendFailed(error);
        return;
      }
      for (const { kinds } of outgoing) for (const kind of kinds) this.options.metrics.cloudSent(kind);
      for (const device of devices) this.sent(device, seq);
    }
  }

  /** Up to BATCH_MAX_DEVICES dirty devices that still exist, taken off the dirty set. */
  private takeDirty(): DeviceRecord[] {
    const devices: DeviceRecord[] = [];
    for (const id of this.dirty) {
      if (devices.length === BATCH_MAX_DEVICES) break;
      this.dirty.delete(id);
      const device = this.options.view.device(id);
      if (device) devices.push(device);
    }
    return devices;
  }

  /** Waits for edgehub's rate; false when stopping. */
  private async token(): Promise<boolean> {
    try {
      await this.bucket.take(this.options.signal);
      return true;
    } catch {
      return false;
    }
  }

  private messagesFor(device: DeviceRecord): { kinds: Kind[]; message: Message }[] {
    const report = this.reportFor(device);
    const messages: { kinds: Kind[]; message: Message }[] = [];
    if (report.twin) messages.push({ kinds: ['twin'], message: this.message(`device/${device.id}/twin/edge_updated`, report.twin) });
    if (report.state) messages.push({ kinds: ['state'], message: this.message(`device/${device.id}/state/update`, report.state) });
    return messages;
  }

  /**
   * Many devices in one message. Devices that would take it past BATCH_MAX_BYTES go back to the dirty set for the
   * next one (the first device always goes, whatever its size).
   */
  private batchFor(taken: DeviceRecord[]): { devices: DeviceRecord[]; outgoing: { kinds: Kind[]; message: Message }[] } {
    const devices: DeviceRecord[] = [];
    const reports: DeviceReport[] = [];
    const kinds: Kind[] = [];
    let bytes = 0;
    for (const device of taken) {
      const report = this.reportFor(device);
      bytes += JSON.stringify(report).length;
      if (reports.length > 0 && bytes > BATCH_MAX_BYTES) {
        this.dirty.add(device.id);
        continue;
      }
      devices.push(device);
      reports.push(report);
      if (report.twin) kinds.push('twin');
      if (report.state) kinds.push('state');
    }
    return { devices, outgoing: [{ kinds, message: this.message(BATCH_RESOURCE, { reports }) }] };
  }

  /** A device's unsynced twins and state, as KubeEdge's edge_updated and state/update contents. */
  private reportFor(device: DeviceRecord): DeviceReport {
    const now = this.options.now();
    const report: DeviceReport = { namespace: device.namespace, name: device.name };
    const twin: Record<string, unknown> = {};
    for (const record of device.twins.values()) {
      if (record.unsyncedSeq > 0) twin[record.name] = msgTwin(record, { versions: true });
    }
    if (Object.keys(twin).length > 0) report.twin = { event_id: randomUUID(), timestamp: now, twin };
    if (device.stateUnsyncedSeq > 0) report.state = stateToCloud(device, randomUUID(), now);
    return report;
  }

  private message(resource: string, content: unknown): Message {
    return newMessage({ source: this.options.source, group: 'twin', operation: 'update', resource, ...jsonContent(content) });
  }

  /** Clears the flags of what was sent (not of changes made since `seq`) and, where the disk says unsynced, rewrites it. */
  private sent(device: DeviceRecord, seq: number): void {
    const now = this.options.now();
    for (const twin of device.twins.values()) {
      if (twin.unsyncedSeq === 0 || twin.unsyncedSeq > seq) continue;
      twin.unsyncedSeq = 0;
      twin.sentAtMs = now;
      if (twin.persistedUnsynced) this.options.writer.twinChanged(device.id, twin.name);
    }
    if (device.stateUnsyncedSeq > 0 && device.stateUnsyncedSeq <= seq) {
      device.stateUnsyncedSeq = 0;
      device.stateSentAtMs = now;
      device.syncedState = device.state;
      device.syncedLastOnline = device.lastOnline;
      if (device.persistedStateUnsynced) this.options.writer.deviceChanged(device.id);
    }
  }

  private sendFailed(error: unknown): void {
    if (error instanceof ModuleError && error.code === 'UNKNOWN_MODULE') {
      // No edgehub in this edgecore: wait for a connect message that will not come; the flags stay on disk.
      this.options.log.warn('edgehub is not running; device twins stay unsynced');
      this.connected = false;
      return;
    }
    const delayMs = this.backoff.next();
    this.options.log.warn({ err: error, retryInMs: delayMs }, 'could not hand device twins to edgehub; retrying');
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.kick();
    }, delayMs);
  }

  private markRecentlySent(): void {
    const since = this.options.now() - this.options.resendWindowMs;
    for (const device of this.allDevices()) {
      const names: string[] = [];
      for (const twin of device.twins.values()) {
        if (twin.unsyncedSeq === 0 && twin.sentAtMs >= since && twin.sentAtMs > 0) names.push(twin.name);
      }
      if (names.length > 0) {
        this.twinsChanged(device, names);
        for (const name of names) this.options.writer.twinChanged(device.id, name);
      }
      if (device.stateUnsyncedSeq === 0 && device.stateSentAtMs >= since && device.stateSentAtMs > 0) {
        device.stateUnsyncedSeq = ++this.seq;
        this.markDirty(device.id);
        this.options.writer.deviceChanged(device.id);
      }
    }
  }

  private allDevices(): Iterable<DeviceRecord> {
    return this.options.view.devices();
  }
}
