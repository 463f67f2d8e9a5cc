/**
 * Resource amounts as exact milli-units (bigint), so "100m" + "0.9" cpu is exactly "1" and "1Gi" compares with
 * "1024Mi". Parsing is the API server's own (resource.Quantity).
 */
import { parseQuantity } from '../../../pkg/apiserver/builtin/util/quantity';
import type { Container, Pod, ResourceList } from './types';

export type Amounts = Map<string, bigint>;

/** A quantity in milli-units, rounded up (as the server rounds container resources); 0 for one that does not parse. */
export function milli(value: string | number | undefined): bigint {
  const q = parseQuantity(value);
  if (!q) return 0n;
  const scaled = q.numerator * 1000n;
  const divisor = 10n ** BigInt(q.scale);
  const whole = scaled / divisor;
  return whole * divisor === scaled || scaled < 0n ? whole : whole + 1n;
}

export function amountsOf(list: ResourceList | undefined): Amounts {
  const out: Amounts = new Map();
  for (const [name, value] of Object.entries(list ?? {})) out.set(name, milli(value));
  return out;
}

export function addInto(target: Amounts, add: Amounts): Amounts {
  for (const [name, value] of add) target.set(name, (target.get(name) ?? 0n) + value);
  return target;
}

function maxInto(target: Amounts, other: Amounts): void {
  for (const [name, value] of other) if (value > (target.get(name) ?? 0n)) target.set(name, value);
}

/** A container's requests; limits stand in for requests that are not set, as the server defaults them. */
function containerRequests(container: Container): Amounts {
  return amountsOf({ ...(container.resources?.limits ?? {}), ...(container.resources?.requests ?? {}) });
}

/**
 * What a pod asks of its node (resourcehelper.PodRequests): the sum of its containers and restartable (sidecar) init
 * containers, at least the largest ordinary init container with the sidecars started before it, plus overhead.
 */
export function podRequests(pod: Pod): Amounts {
  const total: Amounts = new Map();
  for (const c of pod.spec.containers ?? []) addInto(total, containerRequests(c));
  const sidecars: Amounts = new Map();
  const initPeak: Amounts = new Map();
  for (const c of pod.spec.initContainers ?? []) {
    const requests = containerRequests(c);
    if (c.restartPolicy === 'Always') {
      addInto(sidecars, requests);
      addInto(total, requests);
    } else {
      maxInto(initPeak, addInto(new Map(sidecars), requests));
    }
  }
  maxInto(total, initPeak);
  return addInto(total, amountsOf(pod.spec.overhead));
}

/** The scheduler's scoring counts a container without cpu/memory requests as 100m and 200Mi (GetNonzeroRequests). */
export const DEFAULT_MILLI_CPU = 100n;
export const DEFAULT_MEMORY_MILLI = 200n * 1024n * 1024n * 1000n;

export function nonZeroRequests(pod: Pod): { cpu: bigint; memory: bigint } {
  let cpu = 0n;
  let memory = 0n;
  for (const c of pod.spec.containers ?? []) {
    const r = containerRequests(c);
    cpu += r.get('cpu') || DEFAULT_MILLI_CPU;
    memory += r.get('memory') || DEFAULT_MEMORY_MILLI;
  }
  return { cpu, memory };
}
