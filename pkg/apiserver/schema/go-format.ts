/**
 * Values printed the way the Go API server prints them, so messages match byte for byte: `%q` strings
 * (strconv.Quote), `%v` numbers (int64 as integers, float64 as shortest `%g` with an exponent from 1e+06 up),
 * and encoding/json for everything else (sorted map keys, HTML characters escaped).
 */

const INT64_LIMIT = 2 ** 63;

/** JSON numbers the Go decoder would have read as int64. */
export const isInt64 = (n: number): boolean => Number.isInteger(n) && Math.abs(n) < INT64_LIMIT;

/** Go's `%v` of a float64: shortest digits, exponent form when the exponent is < -4 or >= 6 (`1e+06`). */
export function goFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mantissa, expText] = f.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(f);
}

/** `%v` of a decoded JSON number: integers print as int64, the rest as float64. */
export const goNumber = (n: number): string => (isInt64(n) ? BigInt(n).toString() : goFloat(n));

const PRINTABLE = /[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u;
const SHORT_ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
  '"': '\\"',
};

/** strconv.Quote: printable runes stay, the rest become \a, \x1f, \u00ad or \U0001f600 escapes. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const short = SHORT_ESCAPES[ch];
    if (short !== undefined) {
      out += short;
      continue;
    }
    let cp = ch.codePointAt(0) ?? 0xfffd;
    if (PRINTABLE.test(ch)) {
      out += ch;
    } else if (cp < 0x20 || cp === 0x7f) {
      out += `\\x${cp.toString(16).padStart(2, '0')}`;
    } else {
      if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd; // a lone surrogate is invalid UTF-8 to Go
      out += cp < 0x10000 ? `\\u${cp.toString(16).padStart(4, '0')}` : `\\U${cp.toString(16).padStart(8, '0')}`;
    }
  }
  return `${out}"`;
}

const HTML_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** encoding/json.Marshal of a decoded JSON value: object keys sorted by bytes, `<>&` escaped as Go does by default. */
export function goJson(value: unknown): string {
  return encode(value).replace(/[<>&\u2028\u2029]/g, (c) => HTML_ESCAPES[c] ?? c);
}

// Written by hand because JS objects put integer-like keys first, whatever order they are given in.
function encode(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : 'null';
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(encode).join(',')}]`;
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort(compareGo);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${encode(record[k])}`).join(',')}}`;
  }
  return 'null';
}

/** Go compares strings by bytes; comparing UTF-16 code units agrees for everything below U+10000 except surrogates. */
export function compareGo(a: string, b: string): number {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return Buffer.compare(ab, bb);
}

/**
 * A bad value in an error message: `null`, `true`, `5`, `1.5`, `"text"`, or JSON for lists and maps
 * (the JSON form is what servers from 1.33 print; older ones printed Go syntax such as `map[string]interface {}{...}`).
 */
export function renderBadValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return goNumber(value);
    case 'string':
      return goQuote(value);
    default:
      return goJson(value);
  }
}

/** Go's `%v` of a decoded JSON value: `map[a:1 b:x]`, `[1 2]`, `<nil>`, strings unquoted. */
export function goValue(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return goNumber(value);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(goValue).join(' ')}]`;
  const record = value as Record<string, unknown>;
  return `map[${Object.keys(record)
    .sort(compareGo)
    .map((k) => `${k}:${goValue(record[k])}`)
    .join(' ')}]`;
}

/** Go's `%T` of a decoded JSON value. */
export function goTypeName(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return isInt64(value) ? 'int64' : 'float64';
  return Array.isArray(value) ? '[]interface {}' : 'map[string]interface {}';
}
