/**
 * Writes the edge's reports to DeviceStatus status, one merge patch per device per short window: reports for a device
 * arriving within `windowMs` of the first are merged (the newest value of each field wins, nothing else is lost) and
 * written as one patch, so a burst of 100 twin reports costs a handful of writes. Built on the shared WorkQueue: one
 * device is never written by two workers at once, at most `workers` patches are in flight, and failures are retried
 * with back-off (a newer report during a back-off is merged in and written when the window ends).
 *
 * The patch carries the whole twins list (a merge patch replaces lists) built from the last status this writer saw
 * (its own last patch's answer, or the informer's copy if newer) plus the changes, and that status's resourceVersion
 * as a precondition: a status changed by someone else since is read again and the patch rebuilt, never overwritten.
 *
 * Overflow policy: at most `maxDevices` devices with reports pending; a report for another device beyond that is
 * refused (counted, its sender told). Stopping fails what is pending: the edge resends unsynced reports on reconnect.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { DEVICE_RESOURCES, type Device, type DeviceStatusObject } from '../../pkg/devices';
import {
  ExponentialRetry,
  isConflict,
  isNotFound,
  KubeApiError,
  runController,
  TerminalError,
  WorkQueue,
  type CacheReader,
  type Client,
} from '../../pkg/kube';
import { parseResourceVersion } from '../../pkg/message';
import { ensureDeviceStatus, statusAction } from './device-status';
import { DeviceReportError } from './errors';
import type { DeviceControllerMetrics } from './metrics';
import { applyTwins, emptyReport, mergeReport, type StatusReport } from './status-report';

/** Called once per offered report: without an error once it (merged with others) is written. */
export type Done = (error?: unknown) => void;

export interface StatusWriterOptions {
  client: Client;
  devices: CacheReader<Device>;
  statuses: CacheReader<DeviceStatusObject>;
  metrics: DeviceControllerMetrics;
  log: Logger;
  registry?: Registry;
  /** How long reports for one device are gathered before writing. Default 25 ms. */
  windowMs?: number;
  /** Patches in flight at once. Default 8. */
  workers?: number;
  /** Devices with reports pending at most. Default 100,000. */
  maxDevices?: number;
  /** Milliseconds; injected for tests. */
  now?: () => number;
}

interface Pending {
  report: StatusReport;
  waiters: Done[];
  /** When the oldest report in it arrived. */
  since: number;
}

/** Re-reads after a conflict before giving up to the queue's back-off. */
const CONFLICT_ATTEMPTS = 3;
/** HTTP codes a retry cannot fix: the report is dropped with an error log. */
const PERMANENT_CODES: ReadonlySet<number> = new Set([400, 403, 405, 413, 415, 422]);

export class StatusWriter {
  private readonly pending = new Map<string, Pending>();
  /** The last DeviceStatus each patch answered with: newer than the cache until the watch catches up. */
  private readonly written = new Map<string, DeviceStatusObject>();
  private readonly queue: WorkQueue<string>;
  private readonly windowMs: number;
  private readonly maxDevices: number;
  private readonly now: () => number;
  private stopped = false;
  /** False once the API server is found to serve DeviceStatus without a status subresource. */
  private statusSubresource = true;

  constructor(private readonly options: StatusWriterOptions) {
    this.windowMs = options.windowMs ?? 25;
    this.maxDevices = options.maxDevices ?? 100_000;
    this.now = options.now ?? Date.now;
    this.queue = new WorkQueue<string>({
      name: 'devicecontroller_status',
      maxLength: this.maxDevices,
      // A status is replaced by the next report anyway: retry soon, never wait long.
      retryLimiter: new ExponentialRetry<string>({ baseMs: 100, maxMs: 10_000 }),
      log: options.log,
      ...(options.registry ? { registry: options.registry } : {}),
    });
  }

  /** Devices with reports waiting to be written. */
  get size(): number {
    return this.pending.size;
  }

  /**
   * Queues `report` for the device `<namespace>/<name>`, merged into what is pending for it. Throws DeviceReportError
   * overflow when it cannot be kept (then `done` is not called).
   */
  offer(key: string, report: StatusReport, done?: Done): void {
    if (this.stopped) {
      done?.(new Error(`devicecontroller is stopping; the report for ${key} was not written`));
      return;
    }
    const existing = this.pending.get(key);
    if (existing) {
      mergeReport(existing.report, report);
      if (done) existing.waiters.push(done);
      this.options.metrics.coalesced();
    } else {
      if (this.pending.size >= this.maxDevices) {
        throw new DeviceReportError('overflow', `devicecontroller has reports of ${this.pending.size} devices waiting to be written, the most it keeps; resend later`);
      }
      const fresh = emptyReport();
      mergeReport(fresh, report);
      this.pending.set(key, { report: fresh, waiters: done ? [done] : [], since: this.now() });
    }
    // The earliest delay wins: the window runs from the first report of the batch, and ends a retry's back-off.
    this.queue.addAfter(key, this.windowMs);
  }

  /** Forgets what was written for a device that is gone. */
  forget(key: string): void {
    this.written.delete(key);
  }

  /** Runs the workers until `signal` aborts; then fails what is still pending. */
  async run(signal: AbortSignal): Promise<void> {
    try {
      await runController({
        name: 'devicecontroller_status',
        queue: this.queue,
        workers: this.options.workers ?? 8,
        reconcile: (key, workSignal) => this.writeOne(key, workSignal),
        log: this.options.log,
        signal,
        ...(this.options.registry ? { registry: this.options.registry } : {}),
      });
    } finally {
      this.stopped = true;
      const stopping = new Error('devicecontroller stopped before writing the report');
      for (const entry of this.pending.values()) settle(entry.waiters, stopping);
      this.pending.clear();
    }
  }

  private async writeOne(key: string, signal: AbortSignal): Promise<void> {
    const entry = this.pending.get(key);
    if (!entry) return;
    // Taken out first: reports arriving while this patch runs start the next batch.
    this.pending.delete(key);
    const { metrics } = this.options;
    let result: 'written' | 'skipped';
    try {
      result = await this.patch(key, entry.report, signal);
    } catch (error) {
      if (signal.aborted) {
        settle(entry.waiters, error);
        return;
      }
      if (error instanceof TerminalError || (error instanceof KubeApiError && PERMANENT_CODES.has(error.code))) {
        metrics.patch('failed');
        settle(entry.waiters, error);
        // Logged by the controller runner, with the key.
        throw TerminalError.wrap(error);
      }
      metrics.patch('retried');
      // Put back under anything newer, which wins field by field.
      const newer = this.pending.get(key);
      if (newer) {
        mergeReport(entry.report, newer.report);
        entry.waiters.push(...newer.waiters);
      }
      this.pending.set(key, entry);
      throw error;
    }
    metrics.patch(result);
    if (result === 'written') metrics.reportToPatch((this.now() - entry.since) / 1000);
    settle(entry.waiters);
  }

  /** Writes the report; 'skipped' when the device is gone (its DeviceStatus goes with it). */
  private async patch(key: string, report: StatusReport, signal: AbortSignal): Promise<'written' | 'skipped'> {
    const slash = key.indexOf('/');
    const namespace = key.slice(0, slash);
    const name = key.slice(slash + 1);
    const statuses = this.options.client.resource<DeviceStatusObject>(DEVICE_RESOURCES.deviceStatuses);
    const device = this.options.devices.get(key);
    // Deleted since the report came: its DeviceStatus goes with it, nothing to write.
    if (device === undefined) return 'skipped';
    let base = this.base(key);
    for (let attempt = 1; ; attempt++) {
      // Missing, not owned yet, or left by an earlier Device of the same name: made right before writing to it.
      if (base === undefined || statusAction(device, base) !== 'none') {
        base = await ensureDeviceStatus(this.options.client, device, base ?? (await this.read(key, signal)), signal);
        if (base === undefined) throw new Error(`the DeviceStatus ${key} of an earlier Device is being replaced; retrying`);
      }
      const status: Record<string, unknown> = {};
      if (report.twins.size > 0) status['twins'] = applyTwins(base.status?.twins ?? [], report.twins);
      if (report.state !== undefined) status['state'] = report.state;
      if (report.lastOnlineTime !== undefined) status['lastOnlineTime'] = report.lastOnlineTime;
      const patch = { metadata: { resourceVersion: base.metadata?.resourceVersion }, status };
      const subresource = this.statusSubresource ? { subresource: 'status' } : {};
      try {
        const written = await statuses.patch(name, patch, { type: 'merge', ...subresource, namespace, signal });
        this.written.set(key, written);
        return 'written';
      } catch (error) {
        if (!isConflict(error) && !isNotFound(error)) throw error;
        this.written.delete(key);
        const current = await this.read(key, signal);
        if (isNotFound(error) && this.statusSubresource && current !== undefined && current.metadata?.uid === base.metadata?.uid) {
          // The object is there but /status is not: a DeviceStatus CRD without the status subresource, installed by
          // someone else before this cloudcore (ensureDeviceCRDs leaves it). Status is then written with the object.
          this.statusSubresource = false;
          this.options.log.info({ device: key }, 'the DeviceStatus CRD has no status subresource; writing status with the object');
        } else {
          this.options.metrics.patch('conflict');
          if (attempt >= CONFLICT_ATTEMPTS) throw error;
        }
        base = current;
      }
    }
  }

  /** The newest DeviceStatus known without asking: this writer's last answer or the informer's copy. */
  private base(key: string): DeviceStatusObject | undefined {
    const cached = this.options.statuses.get(key);
    const written = this.written.get(key);
    if (!written || !cached) return written ?? cached;
    if (written.metadata?.uid !== cached.metadata?.uid) return cached;
    const a = parseResourceVersion(written.metadata?.resourceVersion ?? '');
    const b = parseResourceVersion(cached.metadata?.resourceVersion ?? '');
    return a !== undefined && b !== undefined && a > b ? written : cached;
  }

  private async read(key: string, signal: AbortSignal): Promise<DeviceStatusObject | undefined> {
    const slash = key.indexOf('/');
    try {
      return await this.options.client
        .resource<DeviceStatusObject>(DEVICE_RESOURCES.deviceStatuses)
        .get(key.slice(slash + 1), { namespace: key.slice(0, slash), signal });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}

function settle(waiters: Done[], error?: unknown): void {
  for (const done of waiters) done(error);
}
