/**
 * Samples, every `sampleMs` during the load: CPU time and resident memory of edgecore, cloudcore and this process
 * (from /proc), the whole machine's busy CPU (to tell what other work took), the backlog gauges of both programs'
 * /metrics, and how far DeviceStatus lags behind the reports (from the watch).
 */
import { readFileSync } from 'node:fs';
import { metricValue, scrape, type Sample } from '../../pkg/testing/system/metrics';
import { cpuSeconds, rssBytes } from '../tunnel/proc-stats';

export interface ProcessSample {
  /** CPU seconds so far (user + system). */
  cpuS: number;
  rssMb: number;
}

export interface LoadSample {
  /** Seconds since the sampler started. */
  t: number;
  edge: ProcessSample;
  cloud: ProcessSample;
  bench: ProcessSample;
  /** The machine's busy CPU seconds so far (every core, every process). */
  machineBusyS: number;
  /** devicetwin: devices whose newest twins the cloud has not been sent (devicetwin_unsynced_devices). */
  unsyncedDevices: number;
  /** devicetwin: rows changed in memory, not yet written to SQLite. */
  pendingRows: number;
  /** Messages waiting in edgecore's edgehub and devicetwin inboxes (module_queue_depth). */
  edgehubInbox: number;
  devicetwinInbox: number;
  /** Fire-and-forget messages edgehub holds for a connection (edgehub_buffer_messages). */
  edgehubBuffer: number;
  /** Counters: messages edgehub sent up; device twin reports devicetwin handed it; DeviceStatus patches written. */
  upstreamMessages: number;
  twinReportsToCloud: number;
  patchesWritten: number;
  /** DeviceStatus patches that met a conflict or failed and were retried; seconds the status workers spent, and items. */
  patchesConflict: number;
  patchesRetried: number;
  statusWorkS: number;
  statusWorkItems: number;
  /** cloudcore: devices with reports waiting for their DeviceStatus patch (workqueue_depth of devicecontroller_status). */
  cloudStatusQueue: number;
  /** The oldest report sent and not yet in its DeviceStatus, and how many such reports there are. */
  lagMs: number;
  pendingReports: number;
}

export interface SamplerTargets {
  edgePid: number;
  cloudPid: number;
  edgeMonitor: string;
  cloudMonitor: string;
  /** The watch's backlog: oldest pending report age and the count. */
  lag(): { lagMs: number; pendingReports: number };
}

/** USER_HZ. */
const TICKS_PER_SECOND = 100;

/** Busy CPU seconds of the whole machine since boot: every jiffy but idle and iowait, summed over the cores. */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const [, ...fields] = line.trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
  const total = fields.slice(0, 8).reduce((sum, v) => sum + v, 0);
  const idle = fields[3]! + fields[4]!;
  return (total - idle) / TICKS_PER_SECOND;
}

export function processSample(pid: number | 'self'): ProcessSample {
  const id = pid === 'self' ? process.pid : pid;
  return { cpuS: cpuSeconds(id), rssMb: rssBytes(id) / 2 ** 20 };
}

async function scrapeOrEmpty(address: string): Promise<Sample[]> {
  try {
    return await scrape(address);
  } catch {
    return [];
  }
}

export async function takeSample(targets: SamplerTargets, t: number): Promise<LoadSample> {
  const [edgeMetrics, cloudMetrics] = await Promise.all([scrapeOrEmpty(targets.edgeMonitor), scrapeOrEmpty(targets.cloudMonitor)]);
  const edge = (name: string, labels: Record<string, string> = {}): number => (edgeMetrics.length === 0 ? NaN : metricValue(edgeMetrics, name, labels));
  const cloud = (name: string, labels: Record<string, string> = {}): number => (cloudMetrics.length === 0 ? NaN : metricValue(cloudMetrics, name, labels));
  return {
    t,
    edge: processSample(targets.edgePid),
    cloud: processSample(targets.cloudPid),
    bench: processSample('self'),
    machineBusyS: machineBusySeconds(),
    unsyncedDevices: edge('devicetwin_unsynced_devices'),
    pendingRows: edge('devicetwin_store_pending_rows'),
    edgehubInbox: edge('module_queue_depth', { module: 'edgehub' }),
    devicetwinInbox: edge('module_queue_depth', { module: 'devicetwin' }),
    edgehubBuffer: edge('edgehub_buffer_messages'),
    upstreamMessages: edge('edgehub_messages_up_total'),
    twinReportsToCloud: edge('devicetwin_cloud_messages_total', { kind: 'twin' }),
    patchesWritten: cloud('devicecontroller_status_patches_total', { result: 'written' }),
    patchesConflict: cloud('devicecontroller_status_patches_total', { result: 'conflict' }),
    patchesRetried: cloud('devicecontroller_status_patches_total', { result: 'retried' }),
    statusWorkS: cloud('workqueue_work_duration_seconds_sum', { name: 'devicecontroller_status' }),
    statusWorkItems: cloud('workqueue_work_duration_seconds_count', { name: 'devicecontroller_status' }),
    cloudStatusQueue: cloud('workqueue_depth', { name: 'devicecontroller_status' }),
    ...targets.lag(),
  };
}

/** Samples until stop(); each sample is taken after the previous one finished, `sampleMs` apart. */
export class Sampler {
  readonly samples: LoadSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private inFlight: Promise<void> = Promise.resolve();
  /** performance.now() when the sampler was made: sample times are seconds since then. */
  readonly startMs = performance.now();

  constructor(
    private readonly targets: SamplerTargets,
    private readonly sampleMs: number,
  ) {}

  start(): void {
    this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.inFlight;
  }

  private tick(): void {
    if (this.stopped) return;
    this.inFlight = takeSample(this.targets, (performance.now() - this.startMs) / 1000)
      .then((sample) => void this.samples.push(sample))
      .catch((error: unknown) => void process.stderr.write(`[bench-devices] sample failed: ${(error as Error).message}\n`))
      .finally(() => {
        if (!this.stopped) this.timer = setTimeout(() => this.tick(), this.sampleMs);
      });
  }
}
