/** intstr.GetScaledValueFromIntOrPercent: an int as it is, or "25%" of a total rounded up or down. */
import type { IntOrString } from './types';

export class IntOrPercentError extends Error {
  override readonly name = 'IntOrPercentError';
  readonly code = 'INVALID_INT_OR_PERCENT';
}

export function scaledValue(value: IntOrString | undefined, total: number, roundUp: boolean, fallback: IntOrString = 0): number {
  const v = value ?? fallback;
  if (typeof v === 'number') return v;
  if (!v.endsWith('%')) throw new IntOrPercentError(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const percent = Number(v.slice(0, -1));
  if (!Number.isInteger(percent)) throw new IntOrPercentError(`invalid value for IntOrString: invalid value "${v}"`);
  const exact = (percent * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}
