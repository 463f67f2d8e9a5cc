/** Whether a series sampled over the load grows: its first third against its last third, and its slope. */

export interface Point {
  /** Seconds since the load started. */
  t: number;
  value: number;
}

export interface Trend {
  /** Mean of the samples in the first and the last third of the time span. */
  firstThird: number;
  lastThird: number;
  /** Least-squares slope, per minute. */
  slopePerMinute: number;
  max: number;
}

function mean(values: number[]): number {
  return values.length === 0 ? NaN : values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** NaN fields when there are no points; a single point has slope 0. */
export function trend(points: readonly Point[]): Trend {
  const finite = points.filter((p) => Number.isFinite(p.value));
  if (finite.length === 0) return { firstThird: NaN, lastThird: NaN, slopePerMinute: NaN, max: NaN };
  const start = finite[0]!.t;
  const span = finite[finite.length - 1]!.t - start;
  const firstThird = mean(finite.filter((p) => p.t <= start + span / 3).map((p) => p.value));
  const lastThird = mean(finite.filter((p) => p.t >= start + (2 * span) / 3).map((p) => p.value));
  const mt = mean(finite.map((p) => p.t));
  const mv = mean(finite.map((p) => p.value));
  let num = 0;
  let den = 0;
  for (const p of finite) {
    num += (p.t - mt) * (p.value - mv);
    den += (p.t - mt) ** 2;
  }
  return { firstThird, lastThird, slopePerMinute: den === 0 ? 0 : (num / den) * 60, max: Math.max(...finite.map((p) => p.value)) };
}

/**
 * Growth means the last third clearly above the first: more than `tolerance` (absolute, for series that sit near 0 such
 * as a queue that is mostly empty) and more than 50 % above it.
 */
export function grows(t: Trend, tolerance: number): boolean {
  if (!Number.isFinite(t.firstThird) || !Number.isFinite(t.lastThird)) return false;
  return t.lastThird - t.firstThird > tolerance && t.lastThird > t.firstThird * 1.5;
}

/** "12 -> 13 (+0.5/min)": first third -> last third, and the slope. */
export function describeTrend(t: Trend, digits = 0): string {
  if (!Number.isFinite(t.firstThird)) return 'n/a';
  const f = (v: number): string => v.toFixed(digits);
  const slope = t.slopePerMinute >= 0 ? `+${t.slopePerMinute.toFixed(digits + 1)}` : t.slopePerMinute.toFixed(digits + 1);
  return `${f(t.firstThird)} -> ${f(t.lastThird)} (${slope}/min, max ${f(t.max)})`;
}
