import { bad, ok, type Parsed } from './parse-result';

/** Milliseconds per unit of Go's time.ParseDuration syntax, which Kubernetes durations use. */
const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const SEGMENT = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/.source;

/**
 * Parses a Kubernetes-style duration (`500ms`, `15s`, `1h30m`, `-2m`) to milliseconds.
 * Sub-millisecond results are rejected: every duration here is used with millisecond timers.
 */
export function parseDurationMs(text: string): Parsed<number> {
  const trimmed = text.trim();
  const sign = trimmed.startsWith('-') ? -1 : 1;
  const body = trimmed.replace(/^[+-]/, '');
  if (body === '0') return ok(0);
  if (body === '') return bad('not a duration');
  const segment = new RegExp(SEGMENT, 'gy'); // per call: sticky regexes carry state
  let total = 0;
  let end = 0;
  for (let match = segment.exec(body); match !== null; match = segment.exec(body)) {
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
    end = segment.lastIndex;
  }
  if (end !== body.length) return bad('not a duration');
  // Units are summed in floating point ("1.1s" is 1100.0000000000002): round away that noise only.
  const rounded = Math.round(total * 1e6) / 1e6;
  if (!Number.isInteger(rounded)) return bad('not a whole number of milliseconds');
  return ok(sign * rounded);
}

/** How a bare number is read, for KubeEdge fields that count seconds, hours or days. */
export type BareNumberUnit = 'seconds' | 'hours' | 'days';

const BARE_MS: Readonly<Record<BareNumberUnit, number>> = {
  seconds: 1000,
  hours: 3_600_000,
  days: 86_400_000,
};

/** A duration as written in a config file: a duration string, or a bare number of `bareUnit`. */
export function durationInputMs(input: unknown, bareUnit: BareNumberUnit): Parsed<number> {
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return bad('not a duration');
    const ms = Math.round(input * BARE_MS[bareUnit] * 1e6) / 1e6;
    return Number.isInteger(ms) ? ok(ms) : bad('not a whole number of milliseconds');
  }
  if (typeof input === 'string') return parseDurationMs(input);
  return bad('not a duration');
}

/** Renders milliseconds in the same syntax, largest units first (`90000` -> `1m30s`), for messages. */
export function formatDurationMs(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  let out = '';
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    const whole = Math.floor(rest / size);
    if (whole > 0) out += `${whole}${unit}`;
    rest -= whole * size;
  }
  if (rest > 0) out += `${rest}ms`;
  return sign + out;
}
