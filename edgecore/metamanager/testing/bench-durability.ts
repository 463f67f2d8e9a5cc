/**
 * What synchronous=FULL costs against NORMAL: sequential applies of ~2 KB objects, as MetaManager does them (one
 * transaction each, the ack waiting for the commit). Run:
 *   node -r ./pkg/cli/testing/register-ts.js edgecore/metamanager/testing/bench-durability.ts [count]
 */
import { performance } from 'node:perf_hooks';
import { openMetaStore } from '../sqlite-store';
import type { Synchronous } from '../open-database';
import { change, silentLog, tempDir } from './fixtures';

async function measure(synchronous: Synchronous, count: number, dir: ReturnType<typeof tempDir>): Promise<string> {
  const store = await openMetaStore({ dataSource: dir.file(`${synchronous}.db`), log: silentLog, synchronous });
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const object = { metadata: { name: `cm-${i % 100}`, namespace: 'default' }, data: { payload: 'x'.repeat(2000) } };
    const t0 = performance.now();
    await store.apply(change('upsert', `default/configmap/cm-${i % 100}`, String(i + 1), object));
    latencies.push(performance.now() - t0);
  }
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(2);
  return `| ${synchronous.padEnd(6)} | ${String(Math.round(count / seconds)).padStart(7)} | ${at(0.5).padStart(7)} | ${at(0.99).padStart(7)} |`;
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 1000);
  const dir = tempDir('metamanager-bench-');
  try {
    console.log('| sync   | apply/s | p50 ms  | p99 ms  |');
    console.log('|--------|---------|---------|---------|');
    for (const synchronous of ['FULL', 'NORMAL', 'FULL', 'NORMAL'] as const) console.log(await measure(synchronous, count, dir));
  } finally {
    dir.cleanup();
  }
}

void main();
