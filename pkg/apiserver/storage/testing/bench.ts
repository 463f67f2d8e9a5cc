/**
 * Storage figures: sequential creates of ~2 KB pods, list of 10,000, watch fan-out to 100 watchers, memory per object.
 *   node --expose-gc -r ./pkg/apiserver/storage/testing/swc-register.js pkg/apiserver/storage/testing/bench.ts [pods]
 */
import { execFileSync } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import { openStore } from '../store';
import type { Store } from '../types';
import { pod, recordingLog, tempDir } from './fixtures';

const PODS = Number(process.argv[2] ?? 10_000) || 10_000;
const WATCHERS = 100;
const WATCH_EVENTS = 1000;

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
const ms = (n: number): string => `${n.toFixed(3)} ms`;
const mb = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MiB`;
function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function createPods(store: Store): Promise<void> {
  const times: number[] = [];
  const started = performance.now();
  for (let i = 0; i < PODS; i++) {
    const t = performance.now();
    await store.create(`/core/pods/ns-${i % 10}/web-${i}`, pod(`ns-${i % 10}`, `web-${i}`));
    times.push(performance.now() - t);
  }
  const total = performance.now() - started;
  times.sort((a, b) => a - b);
  const bytes = store.get('/core/pods/ns-0/web-0')!.json.length;
  console.log(`create: ${PODS} pods of ${bytes} B in ${total.toFixed(0)} ms = ${Math.round((PODS * 1000) / total)}/s; mean ${ms(total / PODS)} p50 ${ms(percentile(times, 50))} p90 ${ms(percentile(times, 90))} p99 ${ms(percentile(times, 99))} p99.9 ${ms(percentile(times, 99.9))}`);
}

function listPods(store: Store): void {
  const list: number[] = [];
  const total: number[] = [];
  let size = 0;
  for (let run = 0; run < 10; run++) {
    const t = performance.now();
    const page = store.list('/core/pods/');
    list.push(performance.now() - t);
    // What the HTTP layer does: concatenate the cached JSON and encode it once.
    const body = `{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"${page.revision}"},"items":[${page.items.map((o) => o.json).join(',')}]}`;
    size = Buffer.from(body).length;
    total.push(performance.now() - t);
  }
  list.sort((a, b) => a - b);
  total.sort((a, b) => a - b);
  console.log(
    `list: ${store.count('/core/pods/')} pods: store.list median ${ms(percentile(list, 50))}; with join + UTF-8 encoding of the ${mb(size)} body: median ${ms(percentile(total, 50))}, max ${ms(total[total.length - 1]!)}`,
  );
}

async function watchFanOut(store: Store): Promise<void> {
  const abort = new AbortController();
  setMaxListeners(WATCHERS + 10, abort.signal);
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  let written = 0;
  // Half the watchers carry a label selector, as informers with selectors do: each event is parsed once for all.
  const filter = (object: { metadata: { labels?: Record<string, string> } }): boolean => object.metadata.labels?.app === 'web';
  const consumers = Array.from({ length: WATCHERS }, async (_, n) => {
    let seen = 0;
    for await (const batch of store.watch('/core/pods/', { signal: abort.signal, filter: n % 2 ? filter : undefined })) {
      const now = performance.now();
      for (const event of batch) latencies.push(now - sentAt.get(event.revision)!);
      // Stand-in for the socket write the HTTP layer does per batch.
      for (const event of batch) written += `{"type":"${event.type}","object":${event.object.json}}\n`.length;
      seen += batch.length;
      if (seen >= WATCH_EVENTS) break;
    }
  });
  await new Promise((resolve) => setImmediate(resolve));
  const started = performance.now();
  for (let i = 0; i < WATCH_EVENTS; i++) {
    const key = `/core/pods/ns-${i % 10}/web-${i}`;
    const next = pod(`ns-${i % 10}`, `web-${i}`, { app: 'web', round: String(i) });
    sentAt.set(store.revision + 1, performance.now());
    await store.update(key, next);
  }
  const elapsed = performance.now() - started;
  await Promise.all(consumers);
  abort.abort();
  if (written === 0) throw new Error('no events written');
  latencies.sort((a, b) => a - b);
  console.log(
    `watch: ${WATCH_EVENTS} updates (${Math.round((WATCH_EVENTS * 1000) / elapsed)}/s) to ${WATCHERS} watchers (${WATCHERS / 2} filtered), write-start to delivery: p50 ${ms(percentile(latencies, 50))} p99 ${ms(percentile(latencies, 99))} max ${ms(latencies[latencies.length - 1]!)}`,
  );
}

/** Runs in a fresh process, so that RSS is not inflated by the writes before. */
async function memory(file: string): Promise<void> {
  gc();
  const before = process.memoryUsage();
  const opening = performance.now();
  const store = await openStore({ file, log: recordingLog(), eventRetention: { compactIntervalMs: 0 } });
  const openMs = performance.now() - opening;
  gc();
  const loaded = process.memoryUsage();
  const items = store.list('/core/pods/').items;
  for (const item of items) void item.object.metadata;
  gc();
  const parsed = process.memoryUsage();
  const n = items.length;
  const per = (a: NodeJS.MemoryUsage, b: NodeJS.MemoryUsage, f: 'rss' | 'heapUsed'): string => `${Math.round((b[f] - a[f]) / n)} B`;
  console.log(
    `memory: ${n} pods loaded from disk in ${openMs.toFixed(0)} ms: rss ${mb(loaded.rss)} (+${mb(loaded.rss - before.rss)} = ${per(before, loaded, 'rss')}/object), heap +${mb(loaded.heapUsed - before.heapUsed)} = ${per(before, loaded, 'heapUsed')}/object (JSON only)`,
  );
  const detail = (m: NodeJS.MemoryUsage): string => `heapTotal ${mb(m.heapTotal)} external ${mb(m.external)}`;
  if (process.env.BENCH_DETAIL) console.log(`before: rss ${mb(before.rss)} ${detail(before)}; loaded: ${detail(loaded)}`);
  console.log(
    `memory: after parsing every object: rss ${mb(parsed.rss)}, heap +${mb(parsed.heapUsed - loaded.heapUsed)} = ${per(loaded, parsed, 'heapUsed')}/object more`,
  );
  await store.close();
}

async function main(): Promise<void> {
  const tmp = tempDir('storage-bench-');
  try {
    const file = tmp.file();
    const store = await openStore({ file, log: recordingLog(), eventRetention: { compactIntervalMs: 0 } });
    await createPods(store);
    listPods(store);
    await watchFanOut(store);
    await store.close();
    const args = ['--expose-gc', '-r', join(__dirname, 'swc-register.js'), __filename, '--memory', file];
    process.stdout.write(execFileSync(process.execPath, args));
  } finally {
    tmp.cleanup();
  }
}

if (process.argv[2] === '--memory') void memory(process.argv[3]!);
else void main();
