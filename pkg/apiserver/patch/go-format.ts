/**
 * Go's fmt verbs applied to decoded JSON, so that error messages print values the way the API server does
 * (`map: map[image:nginx] does not contain declared merge key: name`). The server decodes integers as int64 and
 * everything else as float64, so those are the two number types here.
 */
import { isObject, type JsonValue } from './json';

const INT64_LIMIT = 2 ** 63;

const isInt64 = (n: number): boolean => Number.isInteger(n) && Math.abs(n) < INT64_LIMIT;

/** `%v`. Maps print with sorted keys, like fmt does since Go 1.12. */
export function goValue(v: JsonValue | undefined): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  return `map[${sortedKeys(v)
    .map((k) => `${k}:${goValue(v[k])}`)
    .join(' ')}]`;
}

/** `%s` of an interface{} value: strings print bare, other scalars as `%!s(int64=5)`. */
export function goString(v: JsonValue | undefined): string {
  if (v === null || v === undefined) return '%!s(<nil>)';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return `%!s(${goTypeName(v)}=${goValue(v)})`;
  if (Array.isArray(v)) return `[${v.map(goString).join(' ')}]`;
  return `map[${sortedKeys(v)
    .map((k) => `${k}:${goString(v[k])}`)
    .join(' ')}]`;
}

/** `reflect.TypeOf(v)` printed with `%s`, as in "expected a map[string]interface {}, but received a string". */
export function goTypeName(v: JsonValue | undefined): string {
  if (v === null || v === undefined) return '%!s(<nil>)';
  if (Array.isArray(v)) return '[]interface {}';
  if (isObject(v)) return 'map[string]interface {}';
  if (typeof v === 'number') return isInt64(v) ? 'int64' : 'float64';
  return typeof v === 'string' ? 'string' : 'bool';
}

function goNumber(n: number): string {
  if (isInt64(n)) return n.toFixed(0);
  // %v of a float64 is %g with the shortest digits: exponent form below 1e-4 and from 1e6 up.
  const [digits, exponent] = n.toExponential().split('e');
  const exp = Number(exponent);
  if (exp < -4 || exp >= 6) return `${digits}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(n);
}

const sortedKeys = (o: Record<string, unknown>): string[] => Object.keys(o).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
