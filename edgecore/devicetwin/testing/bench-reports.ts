/**
 * What 1,000 devices reporting every second cost devicetwin (the figure): mapper reports through the DMI side
 * (the code path ReportDeviceStatus takes), with metamanager, and stand-ins for eventbus and edgehub that take every
 * message at once (edgehub's rate raised to 5,000 messages a second: at its default of 30, reports coalesce and each
 * device reaches the cloud every ~30 s). Prints the CPU of the whole process per wall second, memory, the time from a report to its
 * edge_updated reaching edgehub (p50/p99), and whether anything grew. Run:
 *   node --expose-gc -r ./pkg/cli/testing/register-ts.js edgecore/devicetwin/testing/bench-reports.ts [devices] [seconds] [edgehub messages/s]
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Message } from '../../../pkg/message';
import { startTwinEdge, tempDir } from './edge';
import { thermometer, thermometerModel } from './objects';

async function main(): Promise<void> {
  const devices = Number(process.argv[2] ?? 1000);
  const seconds = Number(process.argv[3] ?? 20);
  const qps = Number(process.argv[4] ?? 5000);
  const dir = tempDir();
  const latencies: number[] = [];
  let recording = false;
  const onHubMessage = (message: Message): void => {
    if (!recording || !message.route?.resource.endsWith('/twin/edge_updated')) return;
    const twin = (JSON.parse(message.content.toString('utf8')) as { twin: { temperature?: { actual?: { value: string } } } }).twin;
    const sentAt = Number(twin.temperature?.actual?.value ?? NaN);
    if (Number.isFinite(sentAt)) latencies.push(performance.timeOrigin + performance.now() - sentAt / 1000);
  };
  const clock = { ms: Date.now() };
  const edge = await startTwinEdge({ dataSource: join(dir.dir, 'edgecore.db'), dmiDir: dir.dir, clock, onHubMessage, keepMessages: false, settings: { cloudMessageQPS: qps, cloudMessageBurst: qps } });
  const tick = setInterval(() => (clock.ms = Date.now()), 5);
  await edge.cloud('insert', thermometerModel());
  for (let i = 0; i < devices; i++) await edge.cloud('insert', thermometer({ name: `d-${i}` }));
  await edge.connect('cloud_connected');
  const twin = edge.dmi!.twin;
  // Reports spread over each second, as 1,000 mappers' cycles would be.
  const slots = 100;
  const perSlot = Math.ceil(devices / slots);
  let slot = 0;
  let errors = 0;
  const report = (): void => {
    for (let k = 0; k < perSlot; k++) {
      const i = (slot % slots) * perSlot + k;
      if (i >= devices) break;
      // The reading carries its send time in microseconds, so the edge_updated it causes can be timed.
      const value = String(Math.round((performance.timeOrigin + performance.now()) * 1000));
      twin
        .reportTwins('default', `d-${i}`, { event_id: '', timestamp: Date.now(), twin: { temperature: { expected: { value: '25' }, actual: { value } } } })
        .catch(() => errors++);
      if (slot % (slots * 5) < slots) twin.reportState('default', `d-${i}`, { event_id: '', timestamp: Date.now(), State: 'ok' }).catch(() => errors++);
    }
    slot++;
  };
  // Warm up for two seconds, then measure.
  const timer = setInterval(report, 1000 / slots);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  recording = true;
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const samples: { rss: number; heap: number; pending: number; unsynced: number }[] = [];
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let s = 0; s < seconds; s++) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // With --expose-gc the heap is measured after a collection, so growth means something is kept.
    gc?.();
    samples.push({
      rss: process.memoryUsage().rss,
      heap: process.memoryUsage().heapUsed,
      pending: await edge.counter('devicetwin_store_pending_rows'),
      unsynced: await edge.counter('devicetwin_unsynced_devices'),
    });
  }
  const cpu = process.cpuUsage(cpu0);
  const wall = (performance.now() - wall0) / 1000;
  clearInterval(timer);
  clearInterval(tick);
  recording = false;
  const reports = await edge.counter('devicetwin_requests_total', { kind: 'twin_update', origin: 'dmi', result: 'ok' });
  await edge.stop();
  dir.cleanup();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => (latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN).toFixed(1);
  const mb = (n: number) => (n / 2 ** 20).toFixed(0);
  const firstHalf = samples.slice(0, samples.length / 2);
  const secondHalf = samples.slice(samples.length / 2);
  const max = (list: typeof samples, key: keyof (typeof samples)[0]) => Math.max(...list.map((x) => x[key]));
  console.log(
    [
      `devices=${devices}`,
      `edgehub_qps=${qps}`,
      `seconds=${wall.toFixed(1)}`,
      `reports=${reports}`,
      `errors=${errors}`,
      `cpu_cores=${((cpu.user + cpu.system) / 1e6 / wall).toFixed(3)}`,
      `rss_mb=${mb(max(samples, 'rss'))}`,
      `rss_mb_first_half=${mb(max(firstHalf, 'rss'))}`,
      `rss_mb_second_half=${mb(max(secondHalf, 'rss'))}`,
      `heap_mb_first=${mb(samples[0]!.heap)}`,
      `heap_mb_last=${mb(samples.at(-1)!.heap)}`,
      `pending_rows_max=${max(samples, 'pending')}`,
      `unsynced_devices_max=${max(samples, 'unsynced')}`,
      `edge_updated=${latencies.length}`,
      `report_to_edgehub_ms_p50=${at(0.5)}`,
      `report_to_edgehub_ms_p99=${at(0.99)}`,
    ].join(' '),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
