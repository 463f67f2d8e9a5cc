/**
 * The device benchmark's phases. Each returns table rows and RESULT figures; they run in order on one edge node:
 *   latency    the latency devices report, spaced, one at a time: ReportDeviceStatus sent -> the value in DeviceStatus
 *   sustained  every device reports once per period for a while: edgecore CPU and memory, the backlog over time, and
 *              how long after the last report every DeviceStatus shows its last value
 */
import { writeFileSync } from 'node:fs';
import { quantile, type Row } from '../report';
import type { PhaseResult } from '../phases';
import type { Client } from '../../pkg/kube';
import type { Cloudcore, Edgecore } from '../../pkg/testing/system/harness';
import { metricValue } from '../../pkg/testing/system/metrics';
import type { BenchMapper } from './mapper';
import { createDevices, deviceKey, deviceName, NAMESPACE } from './objects';
import type { DeviceRef, Reporter } from './reporter';
import { processSample, Sampler, type LoadSample } from './sampler';
import type { DeviceBenchSettings } from './settings';
import type { StatusWatch } from './status-watch';
import { describeTrend, grows, trend, type Point } from './trend';

export interface DeviceBench {
  settings: DeviceBenchSettings;
  node: string;
  cloud: Cloudcore;
  edge: Edgecore;
  client: Client;
  mapper: BenchMapper;
  watch: StatusWatch;
  reporter: Reporter;
  notes: string[];
  progress(text: string): void;
}

function row(figure: string, value: string, goal = '', note = ''): Row {
  return { figure, value, goal, note };
}

const ms = (value: number): string => (Number.isFinite(value) ? `${Math.round(value)} ms` : 'n/a');
const round1 = (value: number): number => Math.round(value * 10) / 10;
const round2 = (value: number): number => Math.round(value * 100) / 100;
const sleep = (milliseconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, milliseconds));

function refs(from: number, to: number): DeviceRef[] {
  return Array.from({ length: to - from }, (_, i) => ({ namespace: NAMESPACE, name: deviceName(from + i) }));
}

/** Waits until every report sent so far has landed in its DeviceStatus. */
async function allLanded(bench: DeviceBench, what: string): Promise<void> {
  const { watch } = bench;
  await watch.until(() => watch.pendingCount === 0, bench.settings.stepTimeoutMs, () => `${what} (${watch.pendingCount} reports not in DeviceStatus yet)`);
}

/** Sum and count of cloudcore's report -> patch histogram (seconds). */
async function reportToPatch(cloud: Cloudcore): Promise<{ sum: number; count: number }> {
  const samples = await cloud.metrics();
  return {
    sum: metricValue(samples, 'devicecontroller_report_to_patch_seconds_sum'),
    count: metricValue(samples, 'devicecontroller_report_to_patch_seconds_count'),
  };
}

export async function measureLatency(bench: DeviceBench): Promise<PhaseResult> {
  const { settings, watch, reporter } = bench;
  const devices = refs(0, settings.latencyDevices);
  bench.progress(`latency: a warm-up report from each of the ${devices.length} devices`);
  await Promise.all(devices.map((device) => reporter.send(device)));
  await allLanded(bench, 'the warm-up reports in DeviceStatus');

  const rounds = Math.ceil(settings.latencySamples / devices.length);
  const periodMs = (devices.length * 1000) / settings.latencyRate;
  bench.progress(`latency: ${rounds * devices.length} reports, ${settings.latencyRate}/s over ${devices.length} devices`);
  const from = watch.landings.length;
  const cloudBefore = await reportToPatch(bench.cloud);
  reporter.recordCalls = true;
  reporter.callMs.length = 0;
  const schedule = await reporter.schedule(devices, periodMs, rounds);
  reporter.recordCalls = false;
  await allLanded(bench, 'the latency reports in DeviceStatus');
  const cloudAfter = await reportToPatch(bench.cloud);

  const landings = watch.landings.slice(from);
  const latencies = landings.map((l) => l.landedMs - l.sentMs).sort((a, b) => a - b);
  const superseded = landings.filter((l) => l.superseded).length;
  const calls = [...reporter.callMs].sort((a, b) => a - b);
  const cloudMeanMs = ((cloudAfter.sum - cloudBefore.sum) / Math.max(1, cloudAfter.count - cloudBefore.count)) * 1000;
  const p50 = quantile(latencies, 0.5);
  const p99 = quantile(latencies, 0.99);
  const n = latencies.length;
  if (schedule.skipped > 0) bench.notes.push(`latency: ${schedule.skipped} reports skipped (too many unanswered)`);
  if (superseded > 0) bench.notes.push(`latency: ${superseded} of ${n} values were overtaken by the device's next value before they showed (counted as landing then)`);
  return {
    rows: [
      row(`twin report -> DeviceStatus (${n} reports, ${settings.latencyRate}/s over ${devices.length} devices), p50`, ms(p50), '', 'mapper -> DMI -> edgecore -> tunnel -> API'),
      row(`twin report -> DeviceStatus, p99`, ms(p99), '< 200 ms', ''),
      row(`twin report -> DeviceStatus, max`, ms(latencies[n - 1] ?? NaN), '', ''),
      row(`  of which ReportDeviceStatus call (DMI), p50 / p99`, `${ms(quantile(calls, 0.5))} / ${ms(quantile(calls, 0.99))}`, '', 'answered once devicetwin took it'),
      row(`  of which cloudcore report -> patch written, mean`, ms(cloudMeanMs), '', 'devicecontroller_report_to_patch_seconds (25 ms window)'),
    ],
    figures: {
      latency_devices: devices.length,
      latency_samples: n,
      twin_p50_ms: Math.round(p50),
      twin_p99_ms: Math.round(p99),
      twin_max_ms: Math.round(latencies[n - 1] ?? NaN),
      dmi_call_p50_ms: round1(quantile(calls, 0.5)),
      cloud_report_to_patch_ms: Math.round(cloudMeanMs),
    },
  };
}

/** CPU cores used between two samples. */
function cores(a: { cpuS: number }, b: { cpuS: number }, seconds: number): number {
  return (b.cpuS - a.cpuS) / seconds;
}

/** The per-interval series of a field, for the trend; `t` relative to the load's start. */
function series(samples: LoadSample[], read: (s: LoadSample) => number, t0: number): Point[] {
  return samples.map((s) => ({ t: s.t - t0, value: read(s) }));
}

/** Per-interval CPU cores of one process, from consecutive samples. */
function coreSeries(samples: LoadSample[], read: (s: LoadSample) => number, t0: number): Point[] {
  const points: Point[] = [];
  for (let i = 1; i < samples.length; i++) {
    const dt = samples[i]!.t - samples[i - 1]!.t;
    if (dt > 0) points.push({ t: samples[i]!.t - t0, value: (read(samples[i]!) - read(samples[i - 1]!)) / dt });
  }
  return points;
}

export async function measureSustained(bench: DeviceBench): Promise<PhaseResult> {
  const { settings, watch, reporter, mapper, edge, cloud } = bench;
  const total = settings.devices;
  const rows: Row[] = [];
  const figures: Record<string, number | string> = {};

  // The other devices, through the API; ready once edgecore registered each at the mapper.
  if (total > settings.latencyDevices) {
    bench.progress(`sustained: creating devices ${settings.latencyDevices}..${total - 1}`);
    const createStart = performance.now();
    await createDevices(bench.client, bench.node, settings.latencyDevices, total, settings.reportMs);
    const createdMs = performance.now() - createStart;
    await mapper.waitForDevices(
      Array.from({ length: total }, (_, i) => deviceKey(i)),
      settings.stepTimeoutMs,
    );
    const readyMs = performance.now() - createStart;
    const added = total - settings.latencyDevices;
    rows.push(row(`${added} Devices created (16 at a time) -> all registered at the mapper`, ms(readyMs), '', `creates took ${ms(createdMs)}`));
    figures.devices_ready_ms = Math.round(readyMs);
  }

  if (settings.idleSeconds > 0) {
    // What edgecore still does for the devices just added (DMI syncs, store writes) settles first.
    await sleep(3000);
    const before = processSample(edge.process.pid);
    await sleep(settings.idleSeconds * 1000);
    const after = processSample(edge.process.pid);
    const idle = cores(before, after, settings.idleSeconds);
    rows.push(row(`edgecore CPU / RSS, ${total} devices registered, none reporting (${settings.idleSeconds} s)`, `${idle.toFixed(3)} cores / ${after.rssMb.toFixed(1)} MB`, '', ''));
    figures.edge_idle_cpu_cores = round2(idle);
    figures.edge_idle_rss_mb = round1(after.rssMb);
  }

  const devices = refs(0, total);
  const rounds = Math.max(1, Math.round((settings.seconds * 1000) / settings.reportMs));
  const target = (total * 1000) / settings.reportMs;
  bench.progress(`sustained: ${total} devices, each reporting every ${settings.reportMs} ms, for ${rounds} rounds (${target.toFixed(0)} reports/s)`);
  const sampler = new Sampler(
    {
      edgePid: edge.process.pid,
      cloudPid: cloud.process.pid,
      edgeMonitor: edge.monitor,
      cloudMonitor: cloud.monitor,
      lag: () => ({ lagMs: watch.oldestPendingMs(performance.now()), pendingReports: watch.pendingCount }),
    },
    settings.sampleMs,
  );
  const from = watch.landings.length;
  const failuresBefore = [...reporter.failures.values()].reduce((a, b) => a + b, 0);
  sampler.start();
  const startSample = { t: performance.now(), edge: processSample(edge.process.pid), cloud: processSample(cloud.process.pid), bench: processSample('self') };
  const schedule = await reporter.schedule(devices, settings.reportMs, rounds);
  const endSample = { t: performance.now(), edge: processSample(edge.process.pid), cloud: processSample(cloud.process.pid), bench: processSample('self') };
  const loadSeconds = (endSample.t - startSample.t) / 1000;

  bench.progress('sustained: waiting for every DeviceStatus to show its last value');
  let staleDevices = 0;
  try {
    await watch.until(
      () => devices.every((d) => freshEnough(bench, `${d.namespace}/${d.name}`)),
      settings.stepTimeoutMs,
      () => `every DeviceStatus showing its last value (${devices.filter((d) => !freshEnough(bench, `${d.namespace}/${d.name}`)).length} not yet)`,
    );
  } catch (error) {
    staleDevices = devices.filter((d) => !freshEnough(bench, `${d.namespace}/${d.name}`)).length;
    bench.notes.push(`sustained: ${(error as Error).message}`);
  }
  await sampler.stop();
  if (settings.samplesFile) {
    const t0Ms = startSample.t - sampler.startMs;
    writeFileSync(settings.samplesFile, JSON.stringify({ loadStartS: t0Ms / 1000, loadEndS: (endSample.t - sampler.startMs) / 1000, samples: sampler.samples }, null, 1));
  }

  // CPU and memory over the load window.
  const edgeCores = cores(startSample.edge, endSample.edge, loadSeconds);
  const cloudCores = cores(startSample.cloud, endSample.cloud, loadSeconds);
  const benchCores = cores(startSample.bench, endSample.bench, loadSeconds);
  const t0 = (startSample.t - sampler.startMs) / 1000;
  const t1 = (endSample.t - sampler.startMs) / 1000;
  const inLoad = sampler.samples.filter((s) => s.t >= t0 - 0.5 && s.t <= t1 + 0.5);
  const edgeCoreSeries = coreSeries(inLoad, (s) => s.edge.cpuS, t0);
  const edgeCoreMax = Math.max(...edgeCoreSeries.map((p) => p.value));
  const rss = inLoad.map((s) => s.edge.rssMb);
  const rssMin = Math.min(...rss);
  const rssMax = Math.max(...rss);
  const first = inLoad[0];
  const last = inLoad[inLoad.length - 1];
  const window = first && last ? last.t - first.t : NaN;
  const otherCores = first && last ? (last.machineBusyS - first.machineBusyS) / window - cores(first.edge, last.edge, window) - cores(first.cloud, last.cloud, window) - cores(first.bench, last.bench, window) : NaN;

  // Backlog over time.
  const unsynced = trend(series(inLoad, (s) => s.unsyncedDevices, t0));
  const edgehubInbox = trend(series(inLoad, (s) => s.edgehubInbox, t0));
  const twinInbox = trend(series(inLoad, (s) => s.devicetwinInbox, t0));
  const cloudQueue = trend(series(inLoad, (s) => s.cloudStatusQueue, t0));
  const lag = trend(series(inLoad, (s) => s.lagMs, t0));
  const rssTrend = trend(series(inLoad, (s) => s.edge.rssMb, t0));
  const growing = [
    grows(unsynced, 50) && 'devicetwin unsynced devices',
    grows(edgehubInbox, 10) && 'edgehub inbox',
    grows(twinInbox, 10) && 'devicetwin inbox',
    grows(cloudQueue, 50) && 'cloudcore status queue',
    grows(lag, 500) && 'DeviceStatus lag',
  ].filter((x): x is string => typeof x === 'string');

  // Throughput through the edge and the cloud.
  const upstreamPerS = first && last ? (last.upstreamMessages - first.upstreamMessages) / window : NaN;
  const twinsPerMessage = first && last ? (last.twinReportsToCloud - first.twinReportsToCloud) / Math.max(1, last.upstreamMessages - first.upstreamMessages) : NaN;
  const patchesPerS = first && last ? (last.patchesWritten - first.patchesWritten) / window : NaN;
  const delta = (read: (s: LoadSample) => number): number => (first && last ? read(last) - read(first) : NaN);
  const patchMs = (delta((s) => s.statusWorkS) / delta((s) => s.statusWorkItems)) * 1000;

  // Each report's own latency under load, and the freshness at the end.
  const landings = watch.landings.slice(from);
  const underLoad = landings.map((l) => l.landedMs - l.sentMs).sort((a, b) => a - b);
  const superseded = landings.filter((l) => l.superseded).length;
  const lastLanded = devices.map((d) => watch.shown.get(`${d.namespace}/${d.name}`)?.sinceMs ?? NaN);
  const freshAll = Math.max(...lastLanded) - schedule.lastSentMs;
  const lastValue = new Map<string, number>();
  for (const d of devices) lastValue.set(`${d.namespace}/${d.name}`, reporter.accepted.get(`${d.namespace}/${d.name}`) ?? NaN);
  const finalLags = landings
    .filter((l) => lastValue.get(l.device) === l.value)
    .map((l) => l.landedMs - l.sentMs)
    .sort((a, b) => a - b);
  const failures = [...reporter.failures.values()].reduce((a, b) => a + b, 0) - failuresBefore;
  const failureText = [...reporter.failures].map(([code, count]) => `${code} ${count}`).join(', ');
  const sentPerS = schedule.sent / loadSeconds;

  if (schedule.skipped > 0) bench.notes.push(`sustained: ${schedule.skipped} reports skipped: ${settings.maxInFlight} were unanswered when they fell due`);
  if (failures > 0) bench.notes.push(`sustained: ${failures} ReportDeviceStatus calls failed (${failureText})`);
  const lateP99 = quantile(schedule.lateness, 0.99);
  if (lateP99 > 100) bench.notes.push(`sustained: this process sent reports late against their slots (p99 ${ms(lateP99)}); the rate it reached is in the table`);
  bench.notes.push(
    `sustained CPU of the others: cloudcore ${cloudCores.toFixed(2)} cores, this process (mapper, watch, sampler) ${benchCores.toFixed(2)}, everything else on the machine ${Math.max(0, otherCores).toFixed(2)}`,
  );

  rows.push(
    row(`reports sent, ${total} devices x 1 per ${settings.reportMs} ms, ${Math.round(loadSeconds)} s`, `${sentPerS.toFixed(0)}/s`, `${target.toFixed(0)}/s`, `${schedule.sent} sent, ${schedule.skipped} skipped, ${failures} failed`),
    row(`edgecore CPU under that load, mean (max of ${settings.sampleMs} ms intervals)`, `${edgeCores.toFixed(2)} cores (${edgeCoreMax.toFixed(2)})`, '< 0.5 core', '/proc/<pid>/stat utime+stime'),
    row(`edgecore RSS under that load, min / max`, `${rssMin.toFixed(1)} / ${rssMax.toFixed(1)} MB`, '', `trend ${describeTrend(rssTrend, 1)}`),
    row(`cloudcore CPU under that load (with its API server)`, `${cloudCores.toFixed(2)} cores`, '', 'for information'),
    row(`upstream messages / s (devices per message)`, `${upstreamPerS.toFixed(1)} (${twinsPerMessage.toFixed(1)})`, '', 'edgehub messageQPS default 30'),
    row(
      `DeviceStatus patches written / s (mean time per write)`,
      `${patchesPerS.toFixed(0)} (${ms(patchMs)})`,
      '',
      `conflicts ${delta((s) => s.patchesConflict)}, retried ${delta((s) => s.patchesRetried)}`,
    ),
    row(`backlog: devicetwin unsynced devices, first third -> last third`, describeTrend(unsynced), 'no growth', ''),
    row(`backlog: edgehub inbox / devicetwin inbox`, `${describeTrend(edgehubInbox)} / ${describeTrend(twinInbox)}`, 'no growth', 'module_queue_depth'),
    row(`backlog: cloudcore DeviceStatus write queue`, describeTrend(cloudQueue), 'no growth', 'workqueue_depth devicecontroller_status'),
    row(`backlog: oldest report not yet in DeviceStatus (ms)`, describeTrend(lag), 'no growth', ''),
    row(`backlog growth`, growing.length === 0 ? 'none' : `grows: ${growing.join(', ')}`, 'none', ''),
    row(`report -> DeviceStatus under that load, p50 / p99`, `${ms(quantile(underLoad, 0.5))} / ${ms(quantile(underLoad, 0.99))}`, '', `${superseded} of ${underLoad.length} overtaken by a newer value`),
    row(`freshness: last report sent -> every DeviceStatus shows its last value`, staleDevices > 0 ? `${staleDevices} devices stale` : ms(freshAll), '', ''),
    row(`freshness: each device's last report -> in DeviceStatus, p50 / p99`, `${ms(quantile(finalLags, 0.5))} / ${ms(quantile(finalLags, 0.99))}`, '', ''),
  );
  Object.assign(figures, {
    devices: total,
    seconds: Math.round(loadSeconds),
    reports_per_s: Math.round(sentPerS),
    reports_failed: failures,
    reports_skipped: schedule.skipped,
    edge_cpu_cores: round2(edgeCores),
    edge_cpu_max_cores: round2(edgeCoreMax),
    edge_rss_min_mb: round1(rssMin),
    edge_rss_max_mb: round1(rssMax),
    cloud_cpu_cores: round2(cloudCores),
    upstream_msgs_per_s: round1(upstreamPerS),
    patches_per_s: Math.round(patchesPerS),
    patch_ms: Math.round(patchMs),
    unsynced_first_third: Math.round(unsynced.firstThird),
    unsynced_last_third: Math.round(unsynced.lastThird),
    lag_first_third_ms: Math.round(lag.firstThird),
    lag_last_third_ms: Math.round(lag.lastThird),
    backlog_growth: growing.length === 0 ? 'none' : growing.map((g) => g.replace(/ /g, '_')).join(','),
    load_p50_ms: Math.round(quantile(underLoad, 0.5)),
    load_p99_ms: Math.round(quantile(underLoad, 0.99)),
    fresh_all_ms: staleDevices > 0 ? -1 : Math.round(freshAll),
    fresh_p99_ms: Math.round(quantile(finalLags, 0.99)),
    stale_devices: staleDevices,
  });
  return { rows, figures };
}

/** The device's DeviceStatus shows the newest value edgecore accepted (or there is none). */
function freshEnough(bench: DeviceBench, key: string): boolean {
  const want = bench.reporter.accepted.get(key);
  if (want === undefined) return true;
  return (bench.watch.shown.get(key)?.value ?? -1) >= want;
}
