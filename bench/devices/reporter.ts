/**
 * Sends the mapper's reports on a fixed schedule: each device once per `periodMs`, the devices spread evenly over the
 * period (device i of n at offset i * periodMs / n), so the edge sees a steady stream and not a burst every period.
 * Each report carries the device's next sequence number and is noted in the StatusWatch before it goes. A report
 * falling due while `maxInFlight` are unanswered is skipped and counted (the edge is not keeping up), never queued.
 */
import { status, type ServiceError } from '@grpc/grpc-js';
import type { BenchMapper } from './mapper';
import type { StatusWatch } from './status-watch';

export interface DeviceRef {
  namespace: string;
  name: string;
}

export interface ScheduleResult {
  /** performance.now() of the first and the last report handed to gRPC. */
  firstSentMs: number;
  lastSentMs: number;
  sent: number;
  skipped: number;
  /** How late the reports went against their slots (this process's own lag), milliseconds, sorted. */
  lateness: number[];
}

export class Reporter {
  private readonly values = new Map<string, number>();
  /** The newest value edgecore accepted, per device: what its DeviceStatus must end up showing. */
  readonly accepted = new Map<string, number>();
  inFlight = 0;
  maxInFlightSeen = 0;
  answered = 0;
  /** Failed DMI calls by gRPC status name. */
  readonly failures = new Map<string, number>();
  /** Round trip of each ReportDeviceStatus call, milliseconds (recording on). */
  readonly callMs: number[] = [];
  recordCalls = false;

  constructor(
    private readonly mapper: BenchMapper,
    private readonly watch: StatusWatch,
    private readonly maxInFlight: number,
  ) {}

  /** Sends one report of `device`'s next value; resolves when edgecore answered (never rejects). */
  send(device: DeviceRef): Promise<void> {
    const key = `${device.namespace}/${device.name}`;
    const value = (this.values.get(key) ?? 0) + 1;
    this.values.set(key, value);
    const start = performance.now();
    this.watch.sent(key, value, start);
    this.inFlight++;
    this.maxInFlightSeen = Math.max(this.maxInFlightSeen, this.inFlight);
    return this.mapper.report(device.namespace, device.name, value).then(
      () => {
        this.inFlight--;
        this.answered++;
        if (value > (this.accepted.get(key) ?? 0)) this.accepted.set(key, value);
        if (this.recordCalls) this.callMs.push(performance.now() - start);
      },
      (error: unknown) => {
        this.inFlight--;
        this.watch.failed(key, value);
        const code = (error as ServiceError).code;
        const name = status[code] ?? String(code);
        this.failures.set(name, (this.failures.get(name) ?? 0) + 1);
        if ((this.failures.get(name) ?? 0) === 1) process.stderr.write(`[bench-devices] ReportDeviceStatus ${key} failed: ${(error as Error).message}\n`);
      },
    );
  }

  /** The last value sent for a device (undefined before its first report). */
  lastValue(key: string): number | undefined {
    return this.values.get(key);
  }

  /** Runs `rounds` rounds over `devices`, each device once per `periodMs`; resolves when every report is answered. */
  async schedule(devices: readonly DeviceRef[], periodMs: number, rounds: number): Promise<ScheduleResult> {
    const n = devices.length;
    const slotMs = periodMs / n;
    const total = n * rounds;
    const start = performance.now() + 20;
    const lateness: number[] = [];
    let firstSentMs = NaN;
    let lastSentMs = NaN;
    let sent = 0;
    let skipped = 0;
    for (let k = 0; k < total; ) {
      const now = performance.now();
      const due = start + k * slotMs;
      if (due > now) {
        await new Promise((resolve) => setTimeout(resolve, Math.max(1, due - now)));
        continue;
      }
      // Everything due by now goes (the timer fires late on a busy machine); each slot's lateness is noted.
      while (k < total && start + k * slotMs <= now) {
        lateness.push(now - (start + k * slotMs));
        const device = devices[k % n]!;
        k++;
        if (this.inFlight >= this.maxInFlight) {
          skipped++;
          continue;
        }
        lastSentMs = performance.now();
        if (Number.isNaN(firstSentMs)) firstSentMs = lastSentMs;
        void this.send(device);
        sent++;
      }
    }
    // Every call has a deadline, so this ends.
    while (this.inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    return { firstSentMs, lastSentMs, sent, skipped, lateness: lateness.sort((a, b) => a - b) };
  }
}
