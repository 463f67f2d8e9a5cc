/**
 * Per-step breakdown of pod start, from a benchmark run made with
 *   BENCH_LOG_LEVEL=debug SYSTEM_TEST_KEEP=1 BENCH_MARKS=<marks.json> make bench-pods
 * and then
 *   node dist/bench/pods/trace.js <kept system test folder> <marks.json>
 *
 * It lines up, per pod, the bench's own marks (kubectl apply started, first seen in the API, bound by the scheduler,
 * Running in the API) with the `trace:` debug lines of cloudcore and edgecore (same machine, same clock), and prints
 * for each group of pods (seq-*, burst-*) the median and largest time of each step. A step a pod has no line for
 * (e.g. a second status) is left out for that pod.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Line {
  time: number;
  msg: string;
  resource?: string;
  pod?: string;
  phase?: string;
  [field: string]: unknown;
}

/** The steps, in path order: a name and how to find the pod's line (first one at or after the previous step). */
const STEPS: { name: string; match: (line: Line, pod: string) => boolean }[] = [
  { name: 'edgecontroller sends pod', match: (l, p) => l.msg === 'downstream' && endsWith(l.resource, `/pod/${p}`) },
  { name: 'edgehub receives it', match: (l, p) => l.msg === 'trace: downstream message' && endsWith(l.resource, `/pod/${p}`) },
  { name: 'metamanager committed', match: (l, p) => l.msg === 'trace: change committed' && endsWith(l.resource, `/pod/${p}`) },
  { name: 'edged notice', match: (l, p) => l.msg === 'trace: pod notice' && endsWith(l.pod, `/${p}`) },
  { name: 'sync started (runtime read)', match: (l, p) => l.msg === 'trace: sync start' && podIs(l.pod, p) },
  { name: 'sandbox ready (RunPodSandbox)', match: (l, p) => l.msg === 'trace: sandbox' && podIs(l.pod, p) },
  { name: 'container started', match: (l, p) => l.msg === 'trace: container' && endsWith(l.pod, `/${p}`) },
  { name: 'status computed (Running)', match: (l, p) => l.msg === 'trace: status' && podIs(l.pod, p) && l.phase === 'Running' },
  { name: 'edgehub sends status', match: (l, p) => l.msg === 'trace: upstream message' && endsWith(l.resource, `/podstatus/${p}`) },
  { name: 'edgecontroller receives it', match: (l, p) => l.msg === 'trace: report' && endsWith(l.resource, `/podstatus/${p}`) },
  { name: 'status written to the API', match: (l, p) => l.msg === 'trace: podstatus written' && endsWith(l.pod, `/${p}`) && l.phase === 'Running' },
];

function endsWith(value: unknown, suffix: string): boolean {
  return typeof value === 'string' && value.endsWith(suffix);
}

/** edged names pods kubelet's way, `<name>_<namespace>`. */
function podIs(value: unknown, pod: string): boolean {
  return typeof value === 'string' && (value.startsWith(`${pod}_`) || value.endsWith(`/${pod}`));
}

function readLines(folder: string): Line[] {
  const lines: Line[] = [];
  for (const file of readdirSync(folder).filter((f) => f.endsWith('.log'))) {
    for (const text of readFileSync(join(folder, file), 'utf8').split('\n')) {
      if (!text.startsWith('{')) continue;
      try {
        const raw = JSON.parse(text) as Record<string, unknown>;
        if (typeof raw.msg !== 'string' || !(raw.msg === 'downstream' || raw.msg.startsWith('trace: '))) continue;
        const time = typeof raw.time === 'number' ? raw.time : Date.parse(String(raw.time));
        lines.push({ ...raw, time, msg: raw.msg });
      } catch {
        // not a log line
      }
    }
  }
  return lines.sort((a, b) => a.time - b.time);
}

function quantiles(values: number[]): string {
  if (values.length === 0) return '-';
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  return `${String(Math.round(median)).padStart(6)} ${String(Math.round(sorted[sorted.length - 1]!)).padStart(6)}`;
}

function main(): void {
  const [folder, marksFile] = process.argv.slice(2);
  if (!folder || !marksFile) {
    console.error('usage: node dist/bench/pods/trace.js <kept system test folder> <marks.json>');
    process.exit(2);
  }
  const lines = readLines(folder);
  const marks = JSON.parse(readFileSync(marksFile, 'utf8')) as Record<string, Record<string, number>>;
  const groups = new Map<string, Map<string, number[]>>();
  for (const [pod, mark] of Object.entries(marks)) {
    if (mark.applied === undefined || mark.running === undefined) continue;
    const group = pod.replace(/-\d+$/, '');
    const steps = groups.get(group) ?? new Map<string, number[]>();
    groups.set(group, steps);
    const add = (name: string, ms: number): void => void (steps.get(name) ?? steps.set(name, []).get(name)!).push(ms);
    add('kubectl apply -> Running (total)', mark.running - mark.applied);
    add('kubectl apply -> created in the API', mark.seen! - mark.applied);
    if (mark.bound !== undefined) add('created -> bound (scheduler)', mark.bound - mark.seen!);
    let previous = mark.bound ?? mark.seen!;
    let previousName = 'bound';
    for (const step of STEPS) {
      const line = lines.find((l) => l.time >= previous - 2 && l.time <= mark.running! + 50 && step.match(l, pod));
      if (line === undefined) continue;
      add(`${previousName} -> ${step.name}`, line.time - previous);
      previous = line.time;
      previousName = step.name;
    }
    add(`${previousName} -> Running seen in the API watch`, mark.running - previous);
  }
  for (const [group, steps] of groups) {
    console.log(`\n${group} (${steps.get('kubectl apply -> Running (total)')!.length} pods)     median    max  (ms)`);
    for (const [name, values] of steps) console.log(`  ${name.padEnd(78)} ${quantiles(values)}`);
  }
  const waits = lines.filter((l) => l.msg === 'trace: upstream message' && Number(l.waitMs) > 0);
  console.log(`\nedgehub rate-limit waits: ${waits.length} messages, ${waits.reduce((s, l) => s + Number(l.waitMs), 0)} ms in all`);
  const commits = lines.filter((l) => l.msg === 'trace: change committed').map((l) => Number(l.ms));
  console.log(`metamanager commits: ${commits.length}, median/max ${quantiles(commits)} ms`);
}

main();
