/**
 * Kubernetes resource quantities ("100m", "0.5", "128Mi", "1G", "1e3") as numbers. Only what limits need: the value
 * in base units (cores, bytes) as a float. Unparsable input throws a RangeError whose message says what was wrong.
 */

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

const PATTERN = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

export function parseQuantity(quantity: string | number): number {
  if (typeof quantity === 'number') {
    if (!Number.isFinite(quantity)) throw new RangeError(`quantity ${quantity} is not a finite number`);
    return quantity;
  }
  const match = PATTERN.exec(quantity.trim());
  if (match === null) throw new RangeError(`quantity ${JSON.stringify(quantity)} is not a valid resource quantity`);
  const [, digits, exponent, suffix = ''] = match;
  const base = Number(digits);
  if (exponent !== undefined) return base * 10 ** Number(exponent.slice(1));
  return base * (BINARY[suffix] ?? DECIMAL[suffix]!);
}
