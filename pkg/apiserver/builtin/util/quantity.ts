/**
 * Kubernetes resource quantities (`resource.Quantity`): exact parsing, comparison and the canonical text the real
 * server writes back (`0.5` -> `500m`, `1024Mi` -> `1Gi`, `1000` -> `1k`), which `kubectl apply` diffs against.
 */

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** value = numerator / 10^scale, exactly. */
export interface Quantity {
  readonly numerator: bigint;
  readonly scale: number;
  readonly format: QuantityFormat;
}

/** The decoder's message for text that is not a quantity (it answers 400 before validation). */
export const QUANTITY_SYNTAX_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

const DECIMAL_SUFFIX: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIX: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const QUANTITY = /^([+-]?)(\d*)(?:\.(\d*))?(.*)$/;
const EXPONENT = /^[eE]([+-]?\d+)$/;

const pow10 = (n: number): bigint => 10n ** BigInt(n);

/**
 * Parsed quantities by text. Manifests repeat a handful of values ("100m", "128Mi") and one pod's are read by decoding,
 * defaulting, validation and QoS, so a parse is usually a lookup. Quantities are immutable, so sharing them is safe.
 * Overflow policy: cleared when full (a bounded map, no per-entry bookkeeping on the hot path).
 */
const parsed = new Map<string, Quantity | null>();
const PARSED_LIMIT = 4096;

/** Parses a quantity given as a JSON string or number; undefined when it is not one. */
export function parseQuantity(input: unknown): Quantity | undefined {
  if (typeof input === 'number') return Number.isFinite(input) ? parseQuantity(String(input)) : undefined;
  if (typeof input !== 'string') return undefined;
  let q = parsed.get(input);
  if (q === undefined) {
    q = parseText(input) ?? null;
    if (parsed.size >= PARSED_LIMIT) parsed.clear();
    parsed.set(input, q);
  }
  return q ?? undefined;
}

function parseText(input: string): Quantity | undefined {
  const match = QUANTITY.exec(input.trim());
  if (match === null) return undefined;
  const [, sign = '', whole = '', fraction = '', suffix = ''] = match;
  if (whole === '' && fraction === '') return undefined;
  let numerator = BigInt(`${whole}${fraction}` || '0');
  let scale = fraction.length;
  let format: QuantityFormat;
  const exponent = EXPONENT.exec(suffix);
  if (Object.hasOwn(DECIMAL_SUFFIX, suffix)) {
    format = 'DecimalSI';
    scale -= DECIMAL_SUFFIX[suffix] as number;
  } else if (Object.hasOwn(BINARY_SUFFIX, suffix)) {
    format = 'BinarySI';
    numerator *= 2n ** BigInt(BINARY_SUFFIX[suffix] as number);
  } else if (exponent !== null) {
    format = 'DecimalExponent';
    scale -= Number(exponent[1]);
  } else {
    return undefined;
  }
  if (scale < 0) {
    numerator *= pow10(-scale);
    scale = 0;
  }
  if (sign === '-') numerator = -numerator;
  // The real parser keeps at most nano precision, rounding away from zero.
  return roundUp({ numerator, scale, format }, 9);
}

/** Rounds away from zero to at most `maxScale` decimal places (`RoundUp`; milli scale for container resources). */
export function roundUp(q: Quantity, maxScale: number): Quantity {
  if (q.scale <= maxScale) return q;
  const divisor = pow10(q.scale - maxScale);
  let numerator = q.numerator / divisor;
  if (numerator * divisor !== q.numerator) numerator += q.numerator < 0n ? -1n : 1n;
  return { numerator, scale: maxScale, format: q.format };
}

export function compareQuantities(a: Quantity, b: Quantity): number {
  const left = a.numerator * pow10(b.scale);
  const right = b.numerator * pow10(a.scale);
  return left === right ? 0 : left < right ? -1 : 1;
}

/** The exact sum (the format of the first operand is kept). */
export function addQuantities(a: Quantity, b: Quantity): Quantity {
  const scale = Math.max(a.scale, b.scale);
  return { numerator: a.numerator * pow10(scale - a.scale) + b.numerator * pow10(scale - b.scale), scale, format: a.format };
}

export const isNegative = (q: Quantity): boolean => q.numerator < 0n;

/** Divides out `factor` as often as it goes, counting how often. */
function removeFactors(value: bigint, factor: bigint): [bigint, number] {
  let times = 0;
  while (value !== 0n && value % factor === 0n) {
    value /= factor;
    times++;
  }
  return [value, times];
}

const SUFFIX_OF_EXPONENT = new Map(Object.entries(DECIMAL_SUFFIX).map(([suffix, exp]) => [exp, suffix]));

function decimalSuffix(exponent: number, format: QuantityFormat): string {
  if (format === 'DecimalSI') {
    const suffix = SUFFIX_OF_EXPONENT.get(exponent);
    if (suffix !== undefined) return suffix;
  }
  return exponent === 0 ? '' : `e${exponent}`;
}

/** The canonical text (`Quantity.String()`). */
export function formatQuantity(q: Quantity): string {
  if (q.numerator === 0n) return '0';
  let format = q.format;
  if (format === 'BinarySI') {
    const small = q.numerator > -1024n * pow10(q.scale) && q.numerator < 1024n * pow10(q.scale);
    const whole = q.numerator % pow10(q.scale) === 0n;
    if (small || !whole) format = 'DecimalSI';
    else {
      const [amount, times] = removeFactors(q.numerator / pow10(q.scale), 1024n);
      const suffix = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'][times];
      if (suffix !== undefined) return `${amount}${suffix}`;
      format = 'DecimalSI';
    }
  }
  const [reduced, times] = removeFactors(q.numerator, 10n);
  let amount = reduced;
  let exponent = times - q.scale;
  // Exponents are multiples of 3 so that an SI suffix fits: 1.5e4 is written 15k.
  const rest = ((exponent % 3) + 3) % 3;
  amount *= 10n ** BigInt(rest);
  exponent -= rest;
  return `${amount}${decimalSuffix(exponent, format)}`;
}

/** Canonical text of a quantity given as text or number; the input unchanged when it does not parse. */
export function canonicalQuantity(input: unknown, milli = false): unknown {
  const q = parseQuantity(input);
  if (q === undefined) return input;
  const texts = milli ? milliTexts : exactTexts;
  let text = texts.get(q);
  if (text === undefined) {
    text = formatQuantity(milli ? roundUp(q, 3) : q);
    texts.set(q, text);
  }
  return text;
}

/** Canonical texts of the parsed (memoized, hence shared) quantities; they go when their quantity does. */
const exactTexts = new WeakMap<Quantity, string>();
const milliTexts = new WeakMap<Quantity, string>();
