import { SettingsError } from '../phases';
import { readSettings } from './settings';
import { describeTrend, grows, trend } from './trend';

describe('device bench settings', () => {
  it("has the issue's sizes by default, and BENCH_QUICK shrinks them", () => {
    expect(readSettings({})).toMatchObject({ quick: false, devices: 1000, seconds: 60, latencyDevices: 10, latencySamples: 400, latencyRate: 20, reportMs: 1000 });
    expect(readSettings({ BENCH_QUICK: '1' })).toMatchObject({ quick: true, devices: 200, seconds: 15, latencySamples: 100 });
    expect(readSettings({ BENCH_QUICK: '1', BENCH_DEVICES: '300' }).devices).toBe(300);
  });

  it('keeps the latency devices within BENCH_DEVICES, and refuses more when set', () => {
    expect(readSettings({ BENCH_DEVICES: '4' }).latencyDevices).toBe(4);
    expect(() => readSettings({ BENCH_DEVICES: '5', BENCH_LATENCY_DEVICES: '8' })).toThrow('BENCH_LATENCY_DEVICES=8 is more than BENCH_DEVICES=5');
  });

  it('refuses bad values, naming the variable and the fix', () => {
    expect(() => readSettings({ BENCH_SECONDS: '1m' })).toThrow(SettingsError);
    expect(() => readSettings({ BENCH_SECONDS: '1m' })).toThrow('BENCH_SECONDS="1m" is not a whole number >= 1; set it like BENCH_SECONDS=60, or unset it');
    expect(() => readSettings({ BENCH_REPORT_MS: '5' })).toThrow('BENCH_REPORT_MS="5" is not a whole number >= 10');
    expect(() => readSettings({ BENCH_LOG_LEVEL: 'loud' })).toThrow('BENCH_LOG_LEVEL="loud" is not a log level');
    expect(() => readSettings({ BENCH_LATENCY_DEVICES: '1', BENCH_LATENCY_RATE: '500' })).toThrow(SettingsError);
  });
});

describe('trend', () => {
  const points = (values: number[]) => values.map((value, t) => ({ t, value }));

  it('compares the first and the last third of the time span, and fits a slope per minute', () => {
    const t = trend(points([0, 0, 0, 0, 3, 3, 6, 6, 6, 6]));
    expect(t.firstThird).toBe(0);
    expect(t.lastThird).toBe(6);
    expect(t.slopePerMinute).toBeGreaterThan(30);
    expect(trend(points([1, 2, 3])).slopePerMinute).toBeCloseTo(60);
    expect(t.max).toBe(6);
    expect(grows(t, 1)).toBe(true);
  });

  it('does not call a flat or noisy series near zero growth', () => {
    expect(grows(trend(points([5, 6, 5, 6, 5, 6, 5, 6, 5])), 1)).toBe(false);
    expect(grows(trend(points([0, 0, 1, 0, 0, 2, 0, 1, 2])), 10)).toBe(false);
    expect(grows(trend(points([100, 90, 80, 70, 60, 50])), 1)).toBe(false);
  });

  it('skips unknown samples and says n/a with none', () => {
    expect(trend(points([NaN, 2, NaN, 2])).firstThird).toBe(2);
    expect(describeTrend(trend([]))).toBe('n/a');
    expect(describeTrend(trend(points([1, 1, 1])))).toBe('1 -> 1 (+0.0/min, max 1)');
  });
});
