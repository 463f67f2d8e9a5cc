import { Registry } from 'prom-client';
import { sleep } from '../timing';
import { BucketRetry, defaultRetryLimiter, ExponentialRetry, MaxOfRetry } from './retry-limiter';
import { TokenBucket } from '../timing';
import { WorkQueue } from './workqueue';

const fast = () => new ExponentialRetry<string>({ baseMs: 1, maxMs: 50 });

async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name);
  const { values } = await metric!.get();
  const hit = values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val));
  return hit?.value;
}

describe('WorkQueue', () => {
  it('keeps a key queued once however often it is added', async () => {
    const queue = new WorkQueue<string>({ name: 'q' });
    expect([queue.add('a'), queue.add('b'), queue.add('a'), queue.add('a')]).toEqual([true, true, true, true]);
    expect(queue.length).toBe(2);
    expect(await queue.get()).toBe('a');
    expect(await queue.get()).toBe('b');
    expect(queue.length).toBe(0);
  });

  it('re-queues a key added while a worker holds it only after done, and never hands it out twice', async () => {
    const queue = new WorkQueue<string>({ name: 'q' });
    queue.add('a');
    const first = await queue.get();
    queue.add('a');
    expect(queue.length).toBe(0);
    let second: string | undefined;
    const waiting = queue.get().then((key) => (second = key));
    await sleep(10);
    expect(second).toBeUndefined();
    queue.done(first!);
    await waiting;
    expect(second).toBe('a');
  });

  it('never lets two concurrent workers hold the same key', async () => {
    const queue = new WorkQueue<string>({ name: 'q' });
    const holding = new Set<string>();
    let overlaps = 0;
    let processed = 0;
    const controller = new AbortController();
    const worker = async (): Promise<void> => {
      for (;;) {
        const key = await queue.get(controller.signal);
        if (key === undefined) return;
        if (holding.has(key)) overlaps++;
        holding.add(key);
        await sleep(Math.random() * 3);
        holding.delete(key);
        processed++;
        queue.done(key);
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    for (let i = 0; i < 300; i++) {
      queue.add(`k${i % 5}`);
      if (i % 10 === 0) await sleep(1);
    }
    while (queue.length > 0 || holding.size > 0) await sleep(5);
    controller.abort();
    await Promise.all(workers);
    expect(overlaps).toBe(0);
    expect(processed).toBeGreaterThanOrEqual(5);
  });

  it('addAfter delays a key, and the earliest of two delays wins', async () => {
    const queue = new WorkQueue<string>({ name: 'q' });
    const started = Date.now();
    queue.addAfter('slow', 60);
    queue.addAfter('x', 5_000);
    queue.addAfter('x', 20);
    expect(queue.length).toBe(0);
    expect(queue.delayedLength).toBe(2);
    expect(await queue.get()).toBe('x');
    const xAt = Date.now() - started;
    expect(await queue.get()).toBe('slow');
    const slowAt = Date.now() - started;
    expect(xAt).toBeGreaterThanOrEqual(15);
    expect(xAt).toBeLessThan(1_000);
    expect(slowAt).toBeGreaterThanOrEqual(55);
    expect(queue.delayedLength).toBe(0);
  });

  it('addRateLimited backs a failing key off exponentially, and forget resets it', async () => {
    const queue = new WorkQueue<string>({ name: 'q', retryLimiter: new ExponentialRetry({ baseMs: 10, maxMs: 1_000 }) });
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = Date.now();
      queue.addRateLimited('a');
      const key = await queue.get();
      delays.push(Date.now() - t);
      queue.done(key!);
    }
    expect(queue.numRequeues('a')).toBe(3);
    expect(delays[0]).toBeGreaterThanOrEqual(8);
    expect(delays[1]).toBeGreaterThanOrEqual(18);
    expect(delays[2]).toBeGreaterThanOrEqual(38);
    queue.forget('a');
    expect(queue.numRequeues('a')).toBe(0);
  });

  it('shutDown refuses new keys, drops delayed ones, drains ready ones and waits for held keys', async () => {
    const queue = new WorkQueue<string>({ name: 'q' });
    queue.add('a');
    queue.add('b');
    queue.addAfter('later', 10);
    const held = await queue.get();
    let drained = false;
    const shutDown = queue.shutDown().then(() => (drained = true));
    expect(queue.add('c')).toBe(false);
    expect(queue.addAfter('d', 1)).toBe(false);
    expect(queue.delayedLength).toBe(0);
    expect(await queue.get()).toBe('b');
    queue.done('b');
    expect(await queue.get()).toBeUndefined();
    await sleep(20);
    expect(drained).toBe(false);
    queue.done(held!);
    await shutDown;
    expect(drained).toBe(true);
  });

  it('wakes idle workers with undefined on shutDown, and on their own signal', async () => {
    const queue = new WorkQueue<string>({ name: 'q' });
    const controller = new AbortController();
    const idle = queue.get(controller.signal);
    controller.abort();
    await expect(idle).resolves.toBeUndefined();
    const idle2 = queue.get();
    await queue.shutDown();
    await expect(idle2).resolves.toBeUndefined();
  });

  it('refuses keys beyond maxLength and counts them', async () => {
    const registry = new Registry();
    const queue = new WorkQueue<string>({ name: 'small', maxLength: 2, registry });
    expect([queue.add('a'), queue.add('b'), queue.add('c'), queue.add('a')]).toEqual([true, true, false, true]);
    expect(queue.addAfter('x', 10)).toBe(true);
    expect(queue.addAfter('y', 10)).toBe(true);
    expect(queue.addAfter('z', 10)).toBe(false);
    expect(await metricValue(registry, 'workqueue_dropped_total', { name: 'small' })).toBe(2);
    await queue.shutDown();
  });

  it('reports depth, adds, retries and latencies on the registry it is given', async () => {
    const registry = new Registry();
    const queue = new WorkQueue<string>({ name: 'm', registry, retryLimiter: fast() });
    const other = new WorkQueue<string>({ name: 'other', registry });
    queue.add('a');
    queue.add('b');
    other.add('z');
    expect(await metricValue(registry, 'workqueue_depth', { name: 'm' })).toBe(2);
    expect(await metricValue(registry, 'workqueue_depth', { name: 'other' })).toBe(1);
    const key = await queue.get();
    queue.done(key!);
    queue.addRateLimited('a');
    expect(await queue.get()).toBe('b');
    expect(await queue.get()).toBe('a');
    expect(await metricValue(registry, 'workqueue_adds_total', { name: 'm' })).toBe(3);
    expect(await metricValue(registry, 'workqueue_retries_total', { name: 'm' })).toBe(1);
    const text = await registry.metrics();
    expect(text).toContain('workqueue_queue_duration_seconds_count{name="m"} 3');
    expect(text).toContain('workqueue_work_duration_seconds_count{name="m"} 1');
  });
});

describe('retry limiters', () => {
  it('exponential: doubles per failure from the base, caps, and forgets', () => {
    const limiter = new ExponentialRetry<string>({ baseMs: 5, maxMs: 1_000_000 });
    const delays = Array.from({ length: 6 }, () => limiter.when('k'));
    expect(delays).toEqual([5, 10, 20, 40, 80, 160]);
    for (let i = 0; i < 100; i++) limiter.when('k');
    expect(limiter.when('k')).toBe(1_000_000);
    expect(limiter.when('other')).toBe(5);
    limiter.forget('k');
    expect(limiter.when('k')).toBe(5);
  });

  it('bucket: free within the burst, then spaced by the rate', () => {
    let now = 0;
    const limiter = new BucketRetry<string>(new TokenBucket({ ratePerSecond: 10, burst: 2, now: () => now }));
    expect([limiter.when(), limiter.when(), limiter.when(), limiter.when()]).toEqual([0, 0, 100, 200]);
    now = 1_000;
    expect(limiter.when()).toBe(0);
  });

  it('max-of: the longest delay wins; the default is client-go-like', () => {
    const limiter = new MaxOfRetry<string>(
      new ExponentialRetry({ baseMs: 5, maxMs: 1_000 }),
      new BucketRetry(new TokenBucket({ ratePerSecond: 1, burst: 1, now: () => 0 })),
    );
    expect(limiter.when('a')).toBe(5);
    expect(limiter.when('b')).toBe(1_000);
    expect(limiter.retries('a')).toBe(1);
    expect(defaultRetryLimiter<string>().when('x')).toBe(5);
  });
});
