import { Registry } from 'prom-client';
import { createLogger } from '../log';
import { sleep } from '../timing';
import { runController, TerminalError, type Reconciler } from './controller';
import { ExponentialRetry } from './retry-limiter';
import { WorkQueue } from './workqueue';

const log = createLogger({ level: 'error', name: 'test', destination: { write: () => undefined } });

async function results(registry: Registry, controller: string): Promise<Record<string, number>> {
  const { values } = await registry.getSingleMetric('controller_reconcile_total')!.get();
  return Object.fromEntries(values.filter((v) => v.labels['controller'] === controller).map((v) => [String(v.labels['result']), v.value]));
}

function setup(reconcile: Reconciler<string>, workers = 2) {
  const registry = new Registry();
  const queue = new WorkQueue<string>({ name: 'test', retryLimiter: new ExponentialRetry({ baseMs: 1, maxMs: 20 }), registry });
  const controller = new AbortController();
  const done = runController({ name: 'test', queue, workers, reconcile, log, signal: controller.signal, registry });
  return { registry, queue, controller, done };
}

async function until(check: () => boolean, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(2);
  }
}

describe('runController', () => {
  it('reconciles each key and counts successes', async () => {
    const seen: string[] = [];
    const { registry, queue, controller, done } = setup((key) => void seen.push(key));
    queue.add('a');
    queue.add('b');
    await until(() => seen.length === 2);
    controller.abort();
    await done;
    expect(seen.sort()).toEqual(['a', 'b']);
    expect((await results(registry, 'test'))['success']).toBe(2);
  });

  it('retries failures with back-off until they succeed, and then forgets the key', async () => {
    let calls = 0;
    const { registry, queue, controller, done } = setup(async () => {
      if (++calls < 4) throw new Error('transient');
    });
    queue.add('a');
    await until(() => calls === 4);
    await sleep(5);
    expect(queue.numRequeues('a')).toBe(0);
    controller.abort();
    await done;
    expect(await results(registry, 'test')).toMatchObject({ error: 3, success: 1 });
  });

  it('drops a key whose reconcile throws TerminalError', async () => {
    let calls = 0;
    const { registry, queue, controller, done } = setup(() => {
      calls++;
      throw TerminalError.wrap(new Error('spec.nodeName is invalid'));
    });
    queue.add('a');
    await until(() => calls === 1);
    await sleep(50);
    expect(calls).toBe(1);
    controller.abort();
    await done;
    expect((await results(registry, 'test'))['terminal_error']).toBe(1);
  });

  it('requeues after the delay a reconcile asks for', async () => {
    const at: number[] = [];
    const { registry, queue, controller, done } = setup(() => {
      at.push(Date.now());
      return at.length === 1 ? { requeueAfterMs: 30 } : undefined;
    });
    queue.add('a');
    await until(() => at.length === 2);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(25);
    controller.abort();
    await done;
    expect(await results(registry, 'test')).toMatchObject({ requeue_after: 1, success: 1 });
  });

  it('survives synchronous throws and non-Error rejections, per key', async () => {
    const seen: string[] = [];
    const { queue, controller, done } = setup((key) => {
      seen.push(key);
      if (key === 'sync' && seen.filter((k) => k === 'sync').length === 1) throw new Error('boom');
      if (key === 'weird' && seen.filter((k) => k === 'weird').length === 1) return Promise.reject('not an error');
      return undefined;
    });
    queue.add('sync');
    queue.add('weird');
    queue.add('fine');
    await until(() => seen.length === 5);
    controller.abort();
    await done;
    expect(seen.filter((k) => k === 'fine')).toHaveLength(1);
  });

  it('never reconciles one key on two workers at once', async () => {
    const active = new Set<string>();
    let overlaps = 0;
    let calls = 0;
    const { queue, controller, done } = setup(async (key) => {
      if (active.has(key)) overlaps++;
      active.add(key);
      await sleep(2);
      active.delete(key);
      calls++;
    }, 6);
    for (let i = 0; i < 200; i++) {
      queue.add(`k${i % 3}`);
      if (i % 20 === 0) await sleep(1);
    }
    await until(() => queue.length === 0 && active.size === 0);
    controller.abort();
    await done;
    expect(overlaps).toBe(0);
    expect(calls).toBeGreaterThanOrEqual(3);
  });

  it('stops gracefully: the running reconcile sees the abort and finishes before the runner resolves', async () => {
    let finished = false;
    let sawAbort = false;
    const { queue, controller, done } = setup(async (_key, signal) => {
      await sleep(10_000, signal).catch(() => (sawAbort = signal.aborted));
      await sleep(20);
      finished = true;
    });
    queue.add('a');
    queue.add('b');
    queue.add('c');
    await sleep(20);
    controller.abort();
    await done;
    expect(sawAbort).toBe(true);
    expect(finished).toBe(true);
    expect(queue.shuttingDown).toBe(true);
  });
});
