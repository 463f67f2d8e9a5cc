/**
 * The pod benchmark's phases. Each returns table rows and RESULT figures; they run in order on one edge node:
 *   idle        edgecore's resident memory with no pod
 *   sequential  pods applied one at a time (kubectl apply -> Running in the API); then memory with those pods
 *   burst       pods applied at once (one kubectl apply of a List): per-pod latency and all Running
 *   restart     edgecore killed, node left Unknown, started again with the burst pods on the node: node Ready in the
 *               API and a new pod Running, counted from the start of the process; no running pod restarted
 */
import { readFileSync } from 'node:fs';
import { quantile, type Row } from '../report';
import type { PhaseResult } from '../phases';
import { RESOURCES, type Client, type KubeObject } from '../../pkg/kube';
import type { EdgeNodeSetup } from '../../pkg/testing/system/pods';
import { listContainers, nodeReady, podManifest } from '../../pkg/testing/system/pods';
import type { PodWatch } from './pod-watch';
import type { PodBenchSettings } from './settings';

export interface PodBench {
  settings: PodBenchSettings;
  setup: EdgeNodeSetup;
  watch: PodWatch;
  client: Client;
  notes: string[];
  progress(text: string): void;
}


/** Label every benchmark pod carries (the watch selects on it), and the phase it belongs to. */
export const BENCH_LABEL = 'bench';

const MB = 1024 * 1024;

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? NaN);
  return (kb * 1024) / MB;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The largest of a few readings over a second: one reading can land just after a GC. */
async function settledRss(bench: PodBench): Promise<number> {
  await sleep(bench.settings.settleMs);
  const pid = bench.setup.edge.process.pid;
  let most = 0;
  for (let i = 0; i < 5; i++) {
    most = Math.max(most, rssMb(pid));
    await sleep(200);
  }
  return most;
}

function benchPod(bench: PodBench, name: string, phase: string): Record<string, unknown> {
  return podManifest(name, bench.setup.name, {}, {}, { [BENCH_LABEL]: 'pods', phase });
}

function row(figure: string, value: string, goal: string, reference: string): Row {
  return { figure, value, goal, reference };
}

const ms = (value: number): string => `${Math.round(value)} ms`;

export async function measureIdle(bench: PodBench): Promise<PhaseResult> {
  bench.progress('idle memory');
  const idle = await settledRss(bench);
  return {
    rows: [row('edgecore RSS, idle (node Ready, no pod)', `${idle.toFixed(1)} MB`, '<= 60 MB', 'KubeEdge edgecore here: 86 MB')],
    figures: { rss_idle_mb: Number(idle.toFixed(1)) },
  };
}

export async function measureSequential(bench: PodBench): Promise<PhaseResult> {
  const { settings, watch } = bench;
  const total: number[] = [];
  const fromCreate: number[] = [];
  for (let i = 0; i < settings.sequentialPods; i++) {
    const name = `seq-${i}`;
    const start = performance.now();
    watch.applied([name], start);
    await bench.setup.apply(benchPod(bench, name, 'seq'));
    await watch.until(() => watch.running(name), settings.stepTimeoutMs, `pod ${name} Running`);
    const times = watch.times.get(name)!;
    total.push(times.runningMs! - start);
    fromCreate.push(times.runningMs! - times.seenMs);
    bench.progress(`one at a time: ${name} Running ${Math.round(times.runningMs! - start)} ms after kubectl apply`);
    await sleep(200);
  }
  const sortedTotal = [...total].sort((a, b) => a - b);
  const sortedCreate = [...fromCreate].sort((a, b) => a - b);
  bench.progress(`memory with ${settings.sequentialPods} pods`);
  const withPods = await settledRss(bench);
  const n = settings.sequentialPods;
  return {
    rows: [
      row(`pod start, one at a time (${n}): kubectl apply -> Running, p50`, ms(quantile(sortedTotal, 0.5)), '', 'KubeEdge here: 0.88-1.05 s'),
      row(`pod start, one at a time (${n}): kubectl apply -> Running, p99`, ms(quantile(sortedTotal, 0.99)), '< 800 ms', 'KubeEdge at 100k nodes: p99 4.1 s'),
      row(`pod start, one at a time (${n}): created in API -> Running, p50`, ms(quantile(sortedCreate, 0.5)), '', ''),
      row(`edgecore RSS with ${n} pods`, `${withPods.toFixed(1)} MB`, '<= 60 MB', 'KubeEdge here: 92 MB with 10 pods'),
    ],
    figures: {
      seq_p50_ms: Math.round(quantile(sortedTotal, 0.5)),
      seq_p99_ms: Math.round(quantile(sortedTotal, 0.99)),
      seq_created_p50_ms: Math.round(quantile(sortedCreate, 0.5)),
      rss_pods: n,
      rss_pods_mb: Number(withPods.toFixed(1)),
    },
  };
}

/** Deletes the sequential pods (graceful: the edge confirms) and times until the API no longer has them. */
export async function measureDelete(bench: PodBench): Promise<PhaseResult> {
  const { settings, watch } = bench;
  const names = Array.from({ length: settings.sequentialPods }, (_, i) => `seq-${i}`);
  bench.progress(`deleting the ${names.length} one-at-a-time pods`);
  const start = performance.now();
  await bench.setup.cloud.kubectl(['delete', 'pods', '-n', 'default', '-l', 'phase=seq', '--wait=false']);
  await watch.until(() => names.every((name) => watch.gone(name)), settings.stepTimeoutMs, 'the deleted pods gone from the API');
  const allGone = Math.max(...names.map((name) => watch.times.get(name)!.deletedMs!)) - start;
  return {
    rows: [row(`delete ${names.length} pods: kubectl delete -> all gone from the API`, ms(allGone), '', '')],
    figures: { delete_all_ms: Math.round(allGone) },
  };
}

export async function measureBurst(bench: PodBench): Promise<PhaseResult> {
  const { settings, watch } = bench;
  const names = Array.from({ length: settings.burstPods }, (_, i) => `burst-${i}`);
  bench.progress(`${names.length} pods at once`);
  const start = performance.now();
  watch.applied(names, start);
  await bench.setup.apply(...names.map((name) => benchPod(bench, name, 'burst')));
  await watch.until(() => names.every((name) => watch.running(name)), settings.stepTimeoutMs, `all ${names.length} burst pods Running`);
  const latencies = names.map((name) => watch.times.get(name)!.runningMs! - start).sort((a, b) => a - b);
  const all = latencies[latencies.length - 1]!;
  const n = names.length;
  return {
    rows: [
      row(`pod start, ${n} at once: kubectl apply -> Running, p50`, ms(quantile(latencies, 0.5)), '', ''),
      row(`pod start, ${n} at once: kubectl apply -> Running, p99`, ms(quantile(latencies, 0.99)), '', ''),
      row(`pod start, ${n} at once: all Running`, ms(all), '<= 15 s', ''),
    ],
    figures: {
      burst_pods: n,
      burst_p50_ms: Math.round(quantile(latencies, 0.5)),
      burst_p99_ms: Math.round(quantile(latencies, 0.99)),
      burst_all_ms: Math.round(all),
    },
  };
}

async function readyStatus(bench: PodBench): Promise<string | undefined> {
  const node = await bench.client.resource(RESOURCES.nodes).get(bench.setup.name);
  return nodeReady(node as KubeObject & Record<string, unknown>);
}

async function runningIds(bench: PodBench): Promise<string[]> {
  return (await listContainers(bench.setup.containerd.endpoint)).filter((c) => c.state === 'running').map((c) => c.id);
}

export async function measureRestart(bench: PodBench): Promise<PhaseResult> {
  const { settings, watch, setup } = bench;
  const before = await runningIds(bench);
  bench.progress(`killing edgecore (SIGKILL) with ${before.length} containers running; waiting for the node to turn Unknown`);
  await setup.edge.process.crash();
  const unknownSince = performance.now();
  for (;;) {
    if ((await readyStatus(bench)) === 'Unknown') break;
    if (performance.now() - unknownSince > settings.stepTimeoutMs) throw new Error('the node did not turn Unknown after edgecore was killed');
    await sleep(500);
  }
  bench.progress(`node Unknown ${Math.round(performance.now() - unknownSince)} ms after the kill; starting edgecore`);

  const start = performance.now();
  watch.applied(['after-restart'], start);
  bench.notes.push(`restart: edgecore started at ${Math.round(performance.timeOrigin + start)} (epoch ms)`);
  const starting = setup.edge.start();
  const applying = setup.apply(benchPod(bench, 'after-restart', 'restart'));
  let readyMs: number | undefined;
  while (readyMs === undefined) {
    if ((await readyStatus(bench)) === 'True') readyMs = performance.now() - start;
    else if (performance.now() - start > settings.stepTimeoutMs) throw new Error('the node did not turn Ready after edgecore started');
    else await sleep(50);
  }
  await Promise.all([starting, applying]);
  await watch.until(() => watch.running('after-restart'), settings.stepTimeoutMs, 'the new pod Running after the restart');
  const podMs = watch.times.get('after-restart')!.runningMs! - start;
  const after = new Set(await runningIds(bench));
  const kept = before.filter((id) => after.has(id)).length;
  if (kept !== before.length) bench.notes.push(`restart: ${before.length - kept} of ${before.length} containers did not survive the edgecore restart`);
  return {
    rows: [
      row(`restart with ${settings.burstPods} pods, node Unknown: start -> node Ready in the API`, ms(readyMs), '<= 2 s', 'KubeEdge here: 10.8 s (once 70.7 s)'),
      row(`restart with ${settings.burstPods} pods: start -> a new pod Running`, ms(podMs), '', ''),
      row('restart: containers running before and still running (same ids)', `${kept}/${before.length}`, 'all', ''),
    ],
    figures: { restart_ready_ms: Math.round(readyMs), restart_pod_ms: Math.round(podMs), restart_kept: kept, restart_containers: before.length },
  };
}
