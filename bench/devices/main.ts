/**
 * Device benchmark (issue #6): real processes on this machine, as the system tests run them (compiled, from dist/):
 * cloudcore (embedded API server, deviceController), edgecore with eventBus and deviceTwin (no edged: the Node is
 * created through the API with the edge label), and this process as the mapper: a DMI client on edgecore's dmi.sock
 * (MapperRegister for the protocol `bench`, then ReportDeviceStatus) and a DeviceMapperService on its own socket. The
 * DeviceModel and the Devices are created through the API; a watch on DeviceStatus times when each value lands.
 *
 *   latency    BENCH_LATENCY_DEVICES (10) devices, BENCH_LATENCY_SAMPLES (400) reports at BENCH_LATENCY_RATE (20)/s:
 *              ReportDeviceStatus sent -> the value in DeviceStatus, p50/p99                  goal p99 < 200 ms
 *   sustained  BENCH_DEVICES (1000) devices each reporting every BENCH_REPORT_MS (1000) for BENCH_SECONDS (60):
 *              edgecore CPU (goal < 0.5 core) and RSS, backlog over time (first third against last third), and how
 *              long after the last report every DeviceStatus shows its last value
 *
 * Other settings: BENCH_IDLE_SECONDS (5, edgecore CPU with the devices registered and quiet), BENCH_SAMPLE_MS (1000),
 * BENCH_MAX_IN_FLIGHT (5000), BENCH_STEP_TIMEOUT_MS (120000), BENCH_LOG_LEVEL (info; SYSTEM_TEST_KEEP=1 keeps the logs),
 * BENCH_SAMPLES=<file> (writes the sustained phase's samples, one a BENCH_SAMPLE_MS, as JSON).
 * BENCH_QUICK=1 runs a small version (200 devices for 15 s, 100 latency reports). Every setting is edgecore's and
 * cloudcore's default (modules.edgeHub.messageQPS 30 among them). Ends with one line `RESULT key=value ...`.
 */
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { formatTable, resultLine } from '../report';
import { exitOnError, runPhases, type PhasesOutcome } from '../phases';
import { Cluster, kubeClient } from '../../pkg/testing/system/cluster';
import { SystemTest } from '../../pkg/testing/system/harness';
import type { LogLine } from '../../pkg/testing/system/process';
import { BenchMapper, BENCH_PROTOCOL } from './mapper';
import { createDevices, createModel, deviceKey, NAMESPACE } from './objects';
import { measureLatency, measureSustained, type DeviceBench } from './phases';
import { Reporter } from './reporter';
import { readSettings } from './settings';
import { StatusWatch } from './status-watch';

const NODE = 'bench-edge';

function progress(text: string): void {
  process.stderr.write(`[bench-devices] ${text}\n`);
}

function load(): string {
  return loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
}

async function main(): Promise<void> {
  const settings = readSettings();
  const loadStart = loadavg()[0]!;
  const notes = [`load average at start ${load()} on ${availableParallelism()} cores (cloudcore, edgecore and this process share them)`];
  const sys = await SystemTest.create('bench-devices');
  let mapper: BenchMapper | undefined;
  let watch: StatusWatch | undefined;
  // Ctrl-C: stop what was started, not only this process.
  const interrupted = (): void => {
    progress('interrupted; stopping every process started');
    void Promise.allSettled([watch?.stop(), mapper?.stop()])
      .then(() => sys.dispose())
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  let outcome: PhasesOutcome = { rows: [], figures: {}, failed: false };
  try {
    progress('starting cloudcore (deviceController) and edgecore (eventBus, deviceTwin)');
    const cloud = await sys.startCloudcore({ name: 'cloud', devices: true, logLevel: settings.logLevel });
    await cloud.process.waitForLine((l) => l.msg.startsWith('caches synced; sending devices'), settings.stepTimeoutMs, 'deviceController caches');
    const client = kubeClient(cloud.kubeconfig);
    // No edged here to register the Node: made as edged would, with the edge label deviceController selects on.
    await new Cluster(client).createEdgeNode(NODE);
    const token = await cloud.token();
    const edge = await sys.startEdgecore({ name: NODE, node: NODE, cloud, token, devices: {}, auditStore: false, logLevel: settings.logLevel });
    await edge.connected();

    progress(`registering the benchmark mapper (protocol ${BENCH_PROTOCOL}) and creating ${settings.latencyDevices} devices`);
    mapper = new BenchMapper(sys.path('mapper', 'bench.sock'), join(edge.files.dmiSockDir, 'dmi.sock'));
    await mapper.start();
    await mapper.register(settings.stepTimeoutMs);
    await createModel(client);
    await createDevices(client, NODE, 0, settings.latencyDevices, settings.reportMs);
    await mapper.waitForDevices(
      Array.from({ length: settings.latencyDevices }, (_, i) => deviceKey(i)),
      settings.stepTimeoutMs,
    );
    watch = new StatusWatch(client, NAMESPACE);
    await watch.start();
    const reporter = new Reporter(mapper, watch, settings.maxInFlight);
    const bench: DeviceBench = { settings, node: NODE, cloud, edge, client, mapper, watch, reporter, notes, progress };
    outcome = await runPhases([measureLatency, measureSustained], bench, {
      notes,
      progress: (line) => progress(`${line}\n${sys.tails(15)}`),
      // The sustained phase does not need the latency phase's state: a failed latency phase still lets it run.
      stopAfter: () => false,
    });
    notes.push(`load average at the end ${load()}; DeviceStatus watch: ${watch.events} events, ${watch.rewatches} re-watches`);
    notes.push(...warningNotes({ cloudcore: cloud.process.lines, edgecore: edge.process.lines }));
  } catch (error) {
    outcome.failed = true;
    notes.push(`setup failed: ${(error as Error).message.split('\n')[0]}`);
    progress(`setup failed: ${(error as Error).stack ?? String(error)}\n${sys.tails(15)}`);
  } finally {
    progress('stopping the mapper, edgecore and cloudcore');
    await watch?.stop();
    await mapper?.stop();
    await sys.dispose();
  }

  const mode = settings.quick ? ' (BENCH_QUICK)' : '';
  const { rows, figures, failed } = outcome;
  process.stdout.write(
    formatTable(`Devices${mode}: one edge node (edgecore with deviceTwin, no edged), cloudcore with its embedded API server, this process as the mapper over DMI`, rows),
  );
  process.stdout.write(notes.map((n) => `note: ${n}`).join('\n') + '\n\n');
  console.log(resultLine({ ...figures, load_start: Number(loadStart.toFixed(1)) }));
  if (failed) process.exitCode = 1;
}

/** The warnings and errors each program logged, grouped by module and message, most frequent first. */
function warningNotes(logs: Record<string, readonly LogLine[]>): string[] {
  const notes: string[] = [];
  for (const [program, lines] of Object.entries(logs)) {
    const counts = new Map<string, number>();
    for (const line of lines) {
      if (line.level !== 'warn' && line.level !== 'error' && line.level !== 'fatal') continue;
      const key = `${line.level} ${String(line.module ?? '-')}: ${line.msg}`.replace(/\s+/g, ' ').slice(0, 160);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 3);
    if (top.length > 0) notes.push(`${program} logged ${[...counts.values()].reduce((a, b) => a + b, 0)} warnings/errors: ${top.map(([k, n]) => `${n} x "${k}"`).join('; ')}`);
  }
  return notes;
}

main().catch(exitOnError('bench-devices'));
