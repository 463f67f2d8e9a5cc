/**
 * When each reported value lands in its DeviceStatus, from one watch on the API server (polling would load the same 2
 * cores the edge and the cloud run on, and blur the figures by its period). The benchmark notes each report as it
 * sends it (`sent`); a DeviceStatus event showing that value, or a newer one of the same device, lands it. A report
 * landed by a newer value (the edge or the cloud coalesced it away) counts as landed then, and as superseded.
 */
import { DEVICE_RESOURCES, type DeviceStatusObject } from '../../pkg/devices';
import type { Client } from '../../pkg/kube';
import { BENCH_PROPERTY } from './mapper';

export interface Landing {
  device: string;
  value: number;
  /** performance.now() when the report was handed to gRPC. */
  sentMs: number;
  /** performance.now() of the DeviceStatus event that showed it (or a newer value). */
  landedMs: number;
  superseded: boolean;
}

/** The counter the DeviceStatus shows for the benchmark's twin, or undefined. */
export function shownValue(status: DeviceStatusObject): number | undefined {
  const twin = status.status?.twins?.find((t) => t.propertyName === BENCH_PROPERTY);
  const value = Number(twin?.reported?.value ?? NaN);
  return Number.isInteger(value) ? value : undefined;
}

export class StatusWatch {
  readonly landings: Landing[] = [];
  /** Newest value each device's DeviceStatus shows, and since when. */
  readonly shown = new Map<string, { value: number; sinceMs: number }>();
  /** Watch events received, and how many times the watch was started again. */
  events = 0;
  rewatches = 0;
  private readonly pending = new Map<string, Map<number, number>>();
  private readonly abort = new AbortController();
  private done: Promise<void> = Promise.resolve();
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly client: Client,
    private readonly namespace: string,
  ) {}

  /** Lists (for the starting resourceVersion) and watches until stop(); lists again when the watch cannot resume. */
  async start(): Promise<void> {
    const statuses = this.client.resource<DeviceStatusObject>(DEVICE_RESOURCES.deviceStatuses);
    const relist = async (): Promise<string | undefined> => {
      const list = await statuses.list({ namespace: this.namespace });
      for (const item of list.items) this.record(item);
      return list.metadata?.resourceVersion;
    };
    let resourceVersion = await relist();
    this.done = (async () => {
      while (!this.abort.signal.aborted) {
        try {
          await statuses.watch({ namespace: this.namespace, resourceVersion, timeoutSeconds: 300, signal: this.abort.signal }, (event) => {
            if (event.type === 'BOOKMARK') return;
            resourceVersion = event.object.metadata?.resourceVersion ?? resourceVersion;
            this.events++;
            if (event.type !== 'DELETED') this.record(event.object);
          });
        } catch (error) {
          if (this.abort.signal.aborted) return;
          process.stderr.write(`[bench-devices] DeviceStatus watch ended (${(error as Error).message.split('\n')[0]}); listing and watching again\n`);
          await new Promise((resolve) => setTimeout(resolve, 200));
          resourceVersion = await relist().catch(() => resourceVersion);
        }
        this.rewatches++;
      }
    })();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.done.catch(() => undefined);
  }

  /** Notes a report of `value` for `device` (`<ns>/<name>`) handed to gRPC at `sentMs`. */
  sent(device: string, value: number, sentMs: number): void {
    let waiting = this.pending.get(device);
    if (!waiting) this.pending.set(device, (waiting = new Map()));
    waiting.set(value, sentMs);
  }

  /** A report that failed at the DMI call: it will never land. */
  failed(device: string, value: number): void {
    this.pending.get(device)?.delete(value);
  }

  /** Reports sent and not landed yet. */
  get pendingCount(): number {
    let count = 0;
    for (const waiting of this.pending.values()) count += waiting.size;
    return count;
  }

  /** Age of the oldest report sent and not landed yet (0 when none waits): how far DeviceStatus lags behind. */
  oldestPendingMs(nowMs: number): number {
    let oldest = nowMs;
    for (const waiting of this.pending.values()) for (const sentMs of waiting.values()) oldest = Math.min(oldest, sentMs);
    return nowMs - oldest;
  }

  /** Resolves once `check` holds (checked at every event), or rejects after timeoutMs naming `what`. */
  async until(check: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!check()) {
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`${what()}: not within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(wake, Math.min(left, 500));
        const waiters = this.waiters;
        function wake(): void {
          clearTimeout(timer);
          waiters.delete(wake);
          resolve();
        }
        waiters.add(wake);
      });
    }
  }

  private record(status: DeviceStatusObject): void {
    const device = `${status.metadata?.namespace ?? ''}/${status.metadata?.name ?? ''}`;
    const value = shownValue(status);
    if (value === undefined) return;
    const now = performance.now();
    const before = this.shown.get(device);
    if (before === undefined || value > before.value) this.shown.set(device, { value, sinceMs: now });
    const waiting = this.pending.get(device);
    if (waiting) {
      for (const [sentValue, sentMs] of waiting) {
        if (sentValue > value) continue;
        this.landings.push({ device, value: sentValue, sentMs, landedMs: now, superseded: sentValue < value });
        waiting.delete(sentValue);
      }
    }
    for (const wake of [...this.waiters]) wake();
  }
}
