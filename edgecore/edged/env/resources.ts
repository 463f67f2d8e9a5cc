import { parseQuantity } from '../../../pkg/apiserver/builtin/util/quantity';
import type { Container, Quantity, ResourceList } from '../api';

const SUPPORTED = /^(limits|requests)\.(cpu|memory|ephemeral-storage|hugepages-.+)$/;

/**
 * The value of a resourceFieldRef (kubelet's ExtractContainerResourceValue). Limits that are not set default to the
 * node's allocatable amount, as kubelet's defaultPodLimitsForDownwardAPI does. cpu rounds up in units of the divisor
 * (default 1 core), other resources round up in bytes / divisor (default 1).
 */
export function resourceFieldValue(
  container: Container,
  resource: string,
  divisor: Quantity | undefined,
  nodeAllocatable: ResourceList,
): string | Error {
  const match = SUPPORTED.exec(resource);
  if (match === null) return new Error(`unsupported container resource : ${resource}`);
  const [, kind, name] = match as unknown as [string, 'limits' | 'requests', string];
  let amount = container.resources?.[kind]?.[name];
  if (amount === undefined && kind === 'limits') amount = nodeAllocatable[name];
  const value = parseQuantity(amount ?? 0);
  if (value === undefined) return new Error(`invalid quantity ${JSON.stringify(amount)} for ${resource}`);
  const by = parseQuantity(divisor ?? 1);
  if (by === undefined || by.numerator <= 0n) return new Error(`invalid divisor ${JSON.stringify(divisor)} for ${resource}`);
  // Compare exactly: value / by = (v.num / 10^v.scale) / (b.num / 10^b.scale).
  const numerator = value.numerator * 10n ** BigInt(by.scale);
  const denominator = by.numerator * 10n ** BigInt(value.scale);
  if (name === 'cpu') {
    // kubelet works in millicores: ceil(milli(value) / milli(divisor)).
    const milliValue = ceilDiv(value.numerator * 1000n, 10n ** BigInt(value.scale));
    const milliDivisor = ceilDiv(by.numerator * 1000n, 10n ** BigInt(by.scale));
    return String(ceilDiv(milliValue, milliDivisor === 0n ? 1n : milliDivisor));
  }
  return String(ceilDiv(numerator, denominator));
}

function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return q * b === a || a < 0n ? q : q + 1n;
}
