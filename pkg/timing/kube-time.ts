/** Kubernetes timestamps: metav1.Time (whole seconds) and metav1.MicroTime, from an injected millisecond clock. */

/** Milliseconds since the epoch; injected so tests can move time. */
export type Clock = () => number;

/** metav1.Time as the server writes it: `2024-05-01T10:00:00Z`, truncated to the second. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** metav1.MicroTime: `2024-05-01T10:00:00.123000Z`. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

/** Milliseconds of a timestamp, or undefined for a missing or unparsable one. */
export function parseTime(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
