import { bad, ok, type Parsed } from './parse-result';

/** Kubernetes quantity suffixes (resource.Quantity), as powers: [base, exponent]. */
const SUFFIX: Readonly<Record<string, readonly [bigint, bigint]>> = {
  '': [10n, 0n],
  k: [10n, 3n],
  M: [10n, 6n],
  G: [10n, 9n],
  T: [10n, 12n],
  P: [10n, 15n],
  E: [10n, 18n],
  Ki: [2n, 10n],
  Mi: [2n, 20n],
  Gi: [2n, 30n],
  Ti: [2n, 40n],
  Pi: [2n, 50n],
  Ei: [2n, 60n],
};

const QUANTITY = /^([+-]?)(\d*)(?:\.(\d*))?(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E))?$/;

/**
 * Parses a Kubernetes quantity (`12Mi`, `1.5Gi`, `500k`, `1e6`, `3145728`) to a whole number of bytes.
 * Exact arithmetic (BigInt), so `1.1k` is 1100, and fractions of a byte are an error, not rounded.
 */
export function parseByteQuantity(text: string): Parsed<number> {
  const match = QUANTITY.exec(text.trim());
  if (match === null) return bad('not a byte size');
  const [, sign, whole = '', fraction = '', exponent, suffix = ''] = match;
  if (whole === '' && fraction === '') return bad('not a byte size');
  let numerator = BigInt(whole + fraction || '0');
  let denominator = 10n ** BigInt(fraction.length);
  const [base, power] = exponent === undefined ? (SUFFIX[suffix] as readonly [bigint, bigint]) : [10n, BigInt(exponent.slice(1))];
  if (power >= 0n) numerator *= base ** power;
  else denominator *= base ** -power;
  if (numerator % denominator !== 0n) return bad('not a whole number of bytes');
  const bytes = numerator / denominator;
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) return bad('too large');
  return ok(sign === '-' ? -Number(bytes) : Number(bytes));
}

/** A byte size as written in a config file: a quantity string or a bare number of bytes. */
export function byteSizeInput(input: unknown): Parsed<number> {
  if (typeof input === 'number') {
    if (!Number.isSafeInteger(input)) return bad(Number.isInteger(input) ? 'too large' : 'not a whole number of bytes');
    return ok(input);
  }
  if (typeof input === 'string') return parseByteQuantity(input);
  return bad('not a byte size');
}
