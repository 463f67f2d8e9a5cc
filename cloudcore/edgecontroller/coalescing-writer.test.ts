/** The coalescing writer with a small double for the API write: what it coalesces, retries, and drops. */
import { ExponentialRetry, TerminalError } from '../../pkg/kube';
import { eventually } from '../../pkg/controlplane/testing/kubectl';
import { createLogger } from '../../pkg/log';
import { CoalescingWriter } from './coalescing-writer';
import { noUpstreamMetrics } from './upstream-metrics';

const log = createLogger({ level: 'error', name: 'writer-test', destination: { write: () => undefined } });

function setup(write: (key: string, value: number) => Promise<void>, maxKeys?: number) {
  const stop = new AbortController();
  const writer = new CoalescingWriter<number>({
    name: 'test',
    write: (key, value) => write(key, value),
    workers: 2,
    retry: new ExponentialRetry<string>({ baseMs: 5, maxMs: 20 }),
    metrics: noUpstreamMetrics,
    log,
    ...(maxKeys ? { maxKeys } : {}),
  });
  const running = writer.run(stop.signal);
  return { writer, stop: async () => (stop.abort(), await running) };
}

const outcome = (writer: CoalescingWriter<number>, key: string, value: number): Promise<string> =>
  new Promise((resolve) => writer.offer(key, value, (error) => resolve(error === undefined ? 'ok' : (error as Error).message)));

test('values offered while a write runs are coalesced to the newest; everyone waiting hears once it is written', async () => {
  const writes: [string, number][] = [];
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const { writer, stop } = setup(async (key, value) => {
    writes.push([key, value]);
    if (value === 0) await gate;
  });
  const first = outcome(writer, 'a', 0);
  await eventually(() => writes.length === 1);
  const waits = [1, 2, 3, 4].map((v) => outcome(writer, 'a', v));
  writer.offer('b', 7);
  release();
  expect(await Promise.all([first, ...waits])).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
  await eventually(() => writes.length === 3);
  expect(writes.filter(([key]) => key === 'a')).toEqual([
    ['a', 0],
    ['a', 4],
  ]);
  expect(writes).toContainEqual(['b', 7]);
  await stop();
});

test('a failed write is retried with its value, unless a newer one arrived meanwhile', async () => {
  const writes: number[] = [];
  let failures = 2;
  const { writer, stop } = setup(async (_key, value) => {
    writes.push(value);
    if (failures-- > 0) throw new Error('409 conflict');
  });
  expect(await outcome(writer, 'a', 1)).toBe('ok');
  expect(writes).toEqual([1, 1, 1]);
  await stop();
});

test('a terminal failure is reported to the waiter and not retried', async () => {
  const writes: number[] = [];
  const { writer, stop } = setup(async (_key, value) => {
    writes.push(value);
    throw new TerminalError('node is not registered');
  });
  expect(await outcome(writer, 'a', 1)).toBe('node is not registered');
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(writes).toEqual([1]);
  await stop();
});

test('beyond maxKeys a new key is refused and its waiter told; stopping fails what is pending', async () => {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const { writer, stop } = setup(() => gate, 2);
  const a = outcome(writer, 'a', 1);
  const b = outcome(writer, 'b', 1);
  await eventually(() => writer.size === 0); // both taken by the two workers
  const c = outcome(writer, 'c', 1);
  const d = outcome(writer, 'd', 1);
  expect(await outcome(writer, 'e', 1)).toMatch(/has 2 test writes pending, the most it keeps/);
  const stopping = stop();
  release();
  await stopping;
  expect(await Promise.all([a, b])).toEqual(['ok', 'ok']);
  expect(await Promise.all([c, d])).toEqual([expect.stringMatching(/stopped before writing test/), expect.stringMatching(/stopped before writing test/)]);
  expect(await outcome(writer, 'f', 1)).toMatch(/stopping/);
});
