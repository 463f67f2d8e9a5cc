import { durationInputMs, formatDurationMs, parseDurationMs } from './duration';

describe('parseDurationMs', () => {
  it.each([
    ['15s', 15_000],
    ['500ms', 500],
    ['12h', 43_200_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
    ['1.1s', 1100],
    ['.5m', 30_000],
    ['2m3s4ms', 123_004],
    ['0', 0],
    ['-2m', -120_000],
    ['1000000ns', 1],
    ['1000us', 1],
    [' 10s ', 10_000],
  ])('reads %p as %p ms', (text, ms) => {
    expect(parseDurationMs(text)).toEqual({ ok: true, value: ms });
  });

  it.each(['15 sec', '15', '', 's', '1d', '15S', '1h 30m', 'abc', '1..5s', '--1s'])('refuses %p', (text) => {
    expect(parseDurationMs(text)).toEqual({ ok: false, problem: 'not a duration' });
  });

  it('refuses sub-millisecond precision', () => {
    expect(parseDurationMs('1.5ms')).toEqual({ ok: false, problem: 'not a whole number of milliseconds' });
    expect(parseDurationMs('10ns')).toEqual({ ok: false, problem: 'not a whole number of milliseconds' });
  });
});

describe('durationInputMs', () => {
  it('reads bare numbers in the unit the field counts, as KubeEdge does', () => {
    expect(durationInputMs(15, 'seconds')).toEqual({ ok: true, value: 15_000 });
    expect(durationInputMs(0.25, 'seconds')).toEqual({ ok: true, value: 250 });
    expect(durationInputMs(12, 'hours')).toEqual({ ok: true, value: 43_200_000 });
    expect(durationInputMs(365, 'days')).toEqual({ ok: true, value: 31_536_000_000 });
  });

  it('reads strings as durations whatever the bare unit', () => {
    expect(durationInputMs('8760h', 'days')).toEqual({ ok: true, value: 31_536_000_000 });
  });

  it('refuses other types and non-finite numbers', () => {
    for (const input of [true, null, [], {}, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(durationInputMs(input, 'seconds').ok).toBe(false);
    }
  });
});

describe('formatDurationMs', () => {
  it.each([
    [0, '0s'],
    [1, '1ms'],
    [90_000, '1m30s'],
    [5_400_500, '1h30m500ms'],
    [-15_000, '-15s'],
  ])('writes %p as %p', (ms, text) => {
    expect(formatDurationMs(ms)).toBe(text);
    expect(parseDurationMs(text)).toEqual({ ok: true, value: ms });
  });
});
