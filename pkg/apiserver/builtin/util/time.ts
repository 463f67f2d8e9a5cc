/**
 * Timestamps as the server writes them back: `metav1.Time` in UTC to the second, `metav1.MicroTime` in UTC with
 * exactly six fractional digits. Values that do not parse are left as they are (validation reports them).
 */

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$/;

function parse(value: string): { ms: number; micros: string } | undefined {
  const m = RFC3339.exec(value);
  if (!m) return undefined;
  const fraction = (m[7] ?? '').padEnd(6, '0').slice(0, 6);
  const zone = m[8] === 'z' ? 'Z' : (m[8] as string);
  const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${zone}`);
  return Number.isNaN(ms) ? undefined : { ms, micros: fraction };
}

const utcSeconds = (ms: number): string => new Date(ms).toISOString().slice(0, 19);

export function canonicalTime(value: unknown): unknown {
  const t = typeof value === 'string' ? parse(value) : undefined;
  return t ? `${utcSeconds(t.ms)}Z` : value;
}

export function canonicalMicroTime(value: unknown): unknown {
  const t = typeof value === 'string' ? parse(value) : undefined;
  return t ? `${utcSeconds(t.ms)}.${t.micros}Z` : value;
}
