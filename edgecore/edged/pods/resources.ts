/**
 * Container resources -> Linux cgroup settings, and the pod's QoS class, computed the way kubelet does
 * (pkg/kubelet/kuberuntime/kuberuntime_container_linux.go and pkg/apis/core/v1/helper/qos).
 */
import type { Container, Pod } from '../api';
import { PodConfigError } from '../pod-errors';
import { parseQuantity } from './quantity';

export const CPU_PERIOD_US = 100_000;
const MIN_SHARES = 2;
const MAX_SHARES = 262_144;
const SHARES_PER_CPU = 1024;

export interface LinuxLimits {
  cpuPeriod: number;
  cpuQuota: number;
  cpuShares: number;
  memoryLimitInBytes: bigint;
}

function quantity(container: Container, kind: 'requests' | 'limits', resource: string): number | undefined {
  const raw = container.resources?.[kind]?.[resource];
  if (raw === undefined || raw === null || raw === '') return undefined;
  let value: number;
  try {
    value = parseQuantity(raw);
  } catch (err) {
    throw new PodConfigError('CreateContainerConfigError', `container "${container.name}": resources.${kind}.${resource}: ${(err as Error).message}`);
  }
  if (value < 0) {
    throw new PodConfigError(
      'CreateContainerConfigError',
      `container "${container.name}": resources.${kind}.${resource} must be non-negative (got ${JSON.stringify(raw)})`,
    );
  }
  return value;
}

/** Throws PodConfigError for negative or unparsable quantities, or a request above its limit. */
export function linuxLimits(container: Container): LinuxLimits {
  const cpuLimit = quantity(container, 'limits', 'cpu');
  const memLimit = quantity(container, 'limits', 'memory');
  // An unset request defaults to the limit (API server defaulting; static pods skip it).
  const cpuRequest = quantity(container, 'requests', 'cpu') ?? cpuLimit;
  const memRequest = quantity(container, 'requests', 'memory') ?? memLimit;
  for (const [name, request, limit] of [
    ['cpu', cpuRequest, cpuLimit],
    ['memory', memRequest, memLimit],
  ] as const) {
    if (request !== undefined && limit !== undefined && request > limit) {
      throw new PodConfigError('CreateContainerConfigError', `container "${container.name}": ${name} request must be less than or equal to its limit`);
    }
  }
  const milliRequest = cpuRequest === undefined ? 0 : Math.ceil(cpuRequest * 1000);
  // kubelet: no request -> 2 shares (lowest); else milli * 1024 / 1000.
  const cpuShares = milliRequest === 0 ? MIN_SHARES : Math.min(MAX_SHARES, Math.max(MIN_SHARES, Math.floor((milliRequest * SHARES_PER_CPU) / 1000)));
  let cpuQuota = 0;
  if (cpuLimit !== undefined) {
    // Minimum quota is 1 ms, as the kernel requires.
    cpuQuota = Math.max(1000, Math.floor((Math.ceil(cpuLimit * 1000) * CPU_PERIOD_US) / 1000));
  }
  return {
    cpuPeriod: CPU_PERIOD_US,
    cpuQuota,
    cpuShares,
    memoryLimitInBytes: memLimit === undefined ? 0n : BigInt(Math.floor(memLimit)),
  };
}

/** Guaranteed: every container has cpu+memory limits equal to requests; BestEffort: none at all; else Burstable. */
export function qosClass(pod: Pod): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const requests = c.resources?.requests ?? {};
    const limits = c.resources?.limits ?? {};
    for (const r of ['cpu', 'memory']) {
      const req = requests[r] ?? limits[r];
      const lim = limits[r];
      if (req !== undefined || lim !== undefined) any = true;
      if (lim === undefined || req === undefined || safe(req) !== safe(lim)) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function safe(q: string | number): number {
  try {
    return parseQuantity(q);
  } catch {
    return Number.NaN;
  }
}
