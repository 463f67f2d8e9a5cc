/**
 * Module runtime benchmark: in-process message throughput between two modules, and sendSync round-trip latency.
 * Everything runs on Node's one main thread, so the figures are "on one core".
 * Goals (issue #2): >= 500,000 messages/s; sendSync p99 < 50 µs.
 * Environment: BENCH_MESSAGES (per round, default 1,000,000), BENCH_ROUNDS (5), BENCH_SYNC_CALLS (200,000).
 */
import pino from 'pino';
import type { Message } from '../gen/kubeedge/message/v1/message';
import { newMessage, newResponse } from '../pkg/message';
import { Registry } from 'prom-client';
import { createRuntimeMetrics, ModuleRuntime, type Module, type ModuleContext } from '../pkg/modules';
import { aborted } from '../pkg/timing';
import { formatTable, median, quantile, resultLine, type Row } from './report';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SYNC_CALLS = Number(process.env.BENCH_SYNC_CALLS ?? 200_000);

const defineModule = (name: string, run: (ctx: ModuleContext) => Promise<void>): Module => ({ name, group: name, run });

/** Messages are built up front: the benchmark measures the runtime, not message construction. */
const pool: Message[] = Array.from({ length: 1024 }, (_, i) =>
  newMessage({ source: 'sender', group: 'bench', operation: 'update', resource: `default/pod/p${i}` }),
);

/** One round; with `metrics`, the runtime also counts into a Prometheus registry, as it does in the programs. */
async function throughputRound(metrics: boolean): Promise<number> {
  const runtime = new ModuleRuntime({
    log: pino({ level: 'silent' }),
    ...(metrics ? { metrics: createRuntimeMetrics(new Registry()) } : {}),
  });
  let received = 0;
  let started = 0n;
  let finished!: (seconds: number) => void;
  const done = new Promise<number>((resolve) => (finished = resolve));
  runtime.register(
    defineModule('receiver', async (ctx) => {
      for await (const _ of ctx.receive()) {
        if (++received === MESSAGES) finished(Number(process.hrtime.bigint() - started) / 1e9);
      }
    }),
  );
  runtime.register(
    defineModule('sender', async (ctx) => {
      started = process.hrtime.bigint();
      for (let i = 0; i < MESSAGES; i++) await ctx.send('receiver', pool[i & 1023]!);
      await aborted(ctx.signal);
    }),
  );
  runtime.start();
  const seconds = await done;
  await runtime.stop(1000);
  return MESSAGES / seconds;
}

async function syncLatencies(): Promise<Float64Array> {
  const runtime = new ModuleRuntime({ log: pino({ level: 'silent' }), metrics: createRuntimeMetrics(new Registry()) });
  runtime.register(
    defineModule('responder', async (ctx) => {
      for await (const request of ctx.receive()) ctx.respond(newResponse(request, undefined));
    }),
  );
  runtime.start();
  const warmup = Math.min(20_000, SYNC_CALLS);
  const micros = new Float64Array(SYNC_CALLS);
  for (let i = -warmup; i < SYNC_CALLS; i++) {
    const request = newMessage({ source: 'caller', group: 'bench', operation: 'query', resource: 'default/pod/p' });
    const started = process.hrtime.bigint();
    await runtime.sendSync('responder', request, 1000);
    if (i >= 0) micros[i] = Number(process.hrtime.bigint() - started) / 1e3;
  }
  await runtime.stop(1000);
  return micros.sort();
}

async function main(): Promise<void> {
  const rates: number[] = [];
  const rows: Row[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const rate = await throughputRound(true);
    rates.push(rate);
    rows.push({ round, metrics: 'on', messages: MESSAGES, 'messages/s': Math.round(rate) });
  }
  const bare = await throughputRound(false);
  rows.push({ round: 'extra', metrics: 'off', messages: MESSAGES, 'messages/s': Math.round(bare) });
  process.stdout.write(formatTable('Module runtime: send() throughput, two modules, one core', rows) + '\n');

  const sorted = await syncLatencies();
  const sync = {
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    p999: quantile(sorted, 0.999),
  };
  process.stdout.write(
    formatTable(`Module runtime: sendSync round trip, ${SYNC_CALLS} calls (µs)`, [
      { calls: SYNC_CALLS, p50: sync.p50, p90: sync.p90, p99: sync.p99, 'p99.9': sync.p999 },
    ]) + '\n',
  );
  const rate = Math.round(median(rates));
  process.stdout.write(
    formatTable('Goals', [
      { figure: 'messages/s (median)', goal: '>= 500000', measured: rate, met: rate >= 500_000 ? 'yes' : 'NO' },
      { figure: 'sendSync p99 µs', goal: '< 50', measured: sync.p99, met: sync.p99 < 50 ? 'yes' : 'NO' },
    ]) + '\n',
  );
  console.log(
    resultLine({ messages_per_sec: rate, sync_p50_us: sync.p50, sync_p99_us: sync.p99, sync_p999_us: sync.p999 }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
