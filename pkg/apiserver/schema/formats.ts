/**
 * String formats a CRD schema may use (apiextensions' supported list, checked as kube-openapi's strfmt registry
 * checks them). Formats outside the list, and formats on types that cannot carry them, are ignored as the server
 * strips them before validating. Names are compared without dashes: `date-time` is `datetime`.
 */
import { isIP, isIPv4, isIPv6 } from 'node:net';
import { hasOwn } from './schema-types';

const normalize = (name: string): string => name.replace(/-/g, '');

function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** strfmt.IsDateTime: a date, a `t`, then hh:mm:ss, optional fraction and `z` or an offset (case-insensitive). */
function isDateTime(s: string): boolean {
  if (s.length < 4) return false;
  const parts = s.toLowerCase().split('t');
  if (parts.length < 2 || !isDate(parts[0])) return false;
  const m = /^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$/.exec(parts[1]);
  return m !== null && m[1] <= '23' && m[2] <= '59' && m[3] <= '59';
}

/** net/url.ParseRequestURI: an absolute URI, or an absolute path. */
function isRequestUri(s: string): boolean {
  if (s === '' || /\s/.test(s) || [...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return false;
  if (s.startsWith('/')) return true;
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):(.*)$/.exec(s);
  if (!m) return false;
  const rest = m[2];
  if (!rest.startsWith('//')) return rest.startsWith('/') || rest !== '';
  const authority = rest.slice(2).split(/[/?#]/)[0];
  return !/[<>"{}|\\^`]/.test(authority);
}

function isCidr(s: string): boolean {
  const slash = s.indexOf('/');
  if (slash < 0) return false;
  const ip = s.slice(0, slash);
  const bits = s.slice(slash + 1);
  const kind = isIP(ip);
  if (kind === 0 || ip.includes('%') || !/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (kind === 4 ? 32 : 128);
}

function isMac(s: string): boolean {
  const octets = '[0-9A-Fa-f]{2}';
  const quads = '[0-9A-Fa-f]{4}';
  for (const n of [6, 8, 20]) {
    for (const sep of [':', '-']) if (new RegExp(`^${octets}(\\${sep}${octets}){${n - 1}}$`).test(s)) return true;
    if (new RegExp(`^${quads}(\\.${quads}){${n / 2 - 1}}$`).test(s)) return true;
  }
  return false;
}

function isHostname(s: string): boolean {
  if (s.length > 255) return false;
  const label = '[a-zA-Z0-9\\p{S}\\p{L}]';
  const single = new RegExp(`^${label}(-?${label}{0,62})?$`, 'u');
  const dotted = new RegExp(`^(${label}(([a-zA-Z0-9\\-\\p{S}\\p{L}]{0,61}${label})?)\\.)+[a-zA-Z\\p{L}]{2,63}$`, 'u');
  return single.test(s) || dotted.test(s);
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function isIsbn10(s: string): boolean {
  const v = s.replace(/[\s-]/g, '');
  if (!/^\d{9}[\dX]$/.test(v)) return false;
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += (v[i] === 'X' ? 10 : Number(v[i])) * (10 - i);
  return sum % 11 === 0;
}

function isIsbn13(s: string): boolean {
  const v = s.replace(/[\s-]/g, '');
  if (!/^\d{13}$/.test(v)) return false;
  let sum = 0;
  for (let i = 0; i < 13; i++) sum += Number(v[i]) * (i % 2 === 0 ? 1 : 3);
  return sum % 10 === 0;
}

const DURATION_UNIT = '(ns|us|µs|μs|ms|s|m|h|d|w|sec|secs|second|seconds|min|mins|minute|minutes|hr|hrs|hour|hours|day|days|wk|wks|week|weeks)';
const GO_DURATION = /^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/;
const LOOSE_DURATION = new RegExp(`^(\\d+\\s*${DURATION_UNIT}\\s*)+$`);

const UUID = (version: string): RegExp =>
  new RegExp(`^[0-9a-f]{8}-?[0-9a-f]{4}-?${version}[0-9a-f]{3}-?${version === '[0-9a-f]' ? '[0-9a-f]' : '[89ab]'}[0-9a-f]{3}-?[0-9a-f]{12}$`, 'i');

const CHECKS: Record<string, (s: string) => boolean> = {
  bsonobjectid: (s) => /^[0-9a-fA-F]{24}$/.test(s),
  uri: isRequestUri,
  email: (s) => /^([^<>]*<)?[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:"]+(>)?$/.test(s.trim()),
  hostname: isHostname,
  ipv4: (s) => isIPv4(s),
  ipv6: (s) => isIPv6(s) && !s.includes('%'),
  cidr: isCidr,
  mac: isMac,
  uuid: (s) => UUID('[0-9a-f]').test(s),
  uuid3: (s) => UUID('3').test(s),
  uuid4: (s) => UUID('4').test(s),
  uuid5: (s) => UUID('5').test(s),
  isbn: (s) => isIsbn10(s) || isIsbn13(s),
  isbn10: isIsbn10,
  isbn13: isIsbn13,
  creditcard: (s) => {
    const digits = s.replace(/[\s-]/g, '');
    return /^\d{12,19}$/.test(digits) && luhn(digits);
  },
  ssn: (s) => /^\d{3}[- ]?\d{2}[- ]?\d{4}$/.test(s),
  hexcolor: (s) => /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(s),
  rgbcolor: (s) => {
    const c = '\\s*(0|[1-9]\\d?|1\\d\\d|2[0-4]\\d|25[0-5])\\s*';
    return new RegExp(`^rgb\\(${c},${c},${c}\\)$`).test(s);
  },
  byte: (s) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s.replace(/[\r\n]/g, '')),
  password: () => true,
  date: isDate,
  duration: (s) => GO_DURATION.test(s) || LOOSE_DURATION.test(s),
  datetime: isDateTime,
  quantity: (s) => /^[+-]?(\d+(\.\d*)?|\.\d+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?\d+)?$/.test(s),
};

/**
 * The format the validator uses for a schema node after the server's stripping: string formats only from the
 * supported list (and only on `string` or untyped nodes), int32/int64 on integers, float/double on numbers.
 */
export function effectiveFormat(type: string | undefined, format: string | undefined): string {
  if (!format) return '';
  switch (type ?? '') {
    case '':
    case 'string':
      return hasOwn(CHECKS, normalize(format)) ? format : '';
    case 'integer':
      return format === 'int32' || format === 'int64' ? format : '';
    case 'number':
      return format === 'float' || format === 'double' ? format : '';
    default:
      return '';
  }
}

/** True if a string format is known (so the format check applies) — number formats are not string formats. */
export const isStringFormat = (format: string): boolean => hasOwn(CHECKS, normalize(format));

/** Whether `value` satisfies the (supported, string) format. */
export function checkFormat(format: string, value: string): boolean {
  return isStringFormat(format) ? CHECKS[normalize(format)](value) : true;
}
