import { Backoff, sleep, within } from '.';

describe('Backoff', () => {
  it('grows by the factor up to the cap, and resets', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0 });
    expect([1, 2, 3, 4, 5].map(() => backoff.next())).toEqual([100, 200, 400, 800, 1000]);
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });

  it('jitters downwards only, within the fraction', () => {
    const low = new Backoff({ initialMs: 1000, maxMs: 1000, jitter: 0.25, random: () => 0.999999 });
    const high = new Backoff({ initialMs: 1000, maxMs: 1000, jitter: 0.25, random: () => 0 });
    expect(low.next()).toBe(750);
    expect(high.next()).toBe(1000);
  });

  it('refuses impossible bounds', () => {
    expect(() => new Backoff({ initialMs: 0, maxMs: 10 })).toThrow(RangeError);
    expect(() => new Backoff({ initialMs: 10, maxMs: 5 })).toThrow(RangeError);
  });
});

describe('sleep and within', () => {
  it('sleep rejects with the abort reason at once', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const slept = sleep(10_000, controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(slept).rejects.toThrow('cancelled');
    expect(Date.now() - started).toBeLessThan(100);
  });

  it('within tells whether a promise settled in time', async () => {
    await expect(within(100, Promise.resolve())).resolves.toBe(true);
    await expect(within(100, Promise.reject(new Error('x')))).resolves.toBe(true);
    await expect(within(20, new Promise(() => undefined))).resolves.toBe(false);
  });
});
