/** The controller manager's options, compiled once into a typed object with units in the names. */

export const CONTROLLER_NAMES = [
  'scheduler',
  'replicaset',
  'deployment',
  'daemonset',
  'garbagecollector',
  'namespace',
  'serviceaccount',
  'nodelifecycle',
] as const;

export type ControllerName = (typeof CONTROLLER_NAMES)[number];

export interface ControllerManagerOptions {
  /** Controllers to run. Default: all of them. */
  controllers?: readonly ControllerName[];
  /** Workers per controller (the scheduler always has one: it must see its own bindings in order). */
  workers?: Partial<Record<ControllerName, number>>;
  /** API requests per second and burst for the manager's client. Default 50 / 100. */
  qps?: number;
  burst?: number;
  /** A node whose lease and status heartbeat are both older than this is marked Unknown. Default 40 s. */
  nodeMonitorGracePeriodMs?: number;
  /**
   * Evict pods from unreachable nodes as Kubernetes does (mark them NotReady, then delete those that do not tolerate
   * the unreachable NoExecute taint). Default false: an edge node keeps running its pods while its link is down, and
   * the cloud keeps them bound and leaves their status alone until the node reports again.
   */
  evictPodsOnUnreachable?: boolean;
  /** First and longest delay between attempts to schedule a pod that fits no node. Default 1 s and 60 s. */
  schedulerBackoffMs?: { initial: number; max: number };
  /** How often served resources are rediscovered (CRD changes also trigger it). Default 30 s. */
  discoveryResyncMs?: number;
  /** How long stopping may take before the manager stops waiting. Default 10 s. */
  shutdownGraceMs?: number;
  /** Informer resync period; 0 turns it off. Default 10 minutes. */
  resyncMs?: number;
}

export interface CompiledOptions {
  controllers: ReadonlySet<ControllerName>;
  workers: Record<ControllerName, number>;
  qps: number;
  burst: number;
  nodeMonitorGracePeriodMs: number;
  evictPodsOnUnreachable: boolean;
  schedulerBackoffMs: { initial: number; max: number };
  discoveryResyncMs: number;
  shutdownGraceMs: number;
  resyncMs: number;
}

const DEFAULT_WORKERS: Record<ControllerName, number> = {
  scheduler: 1,
  replicaset: 5,
  deployment: 5,
  daemonset: 2,
  garbagecollector: 10,
  namespace: 2,
  serviceaccount: 1,
  nodelifecycle: 1,
};

export class OptionsError extends Error {
  override readonly name = 'OptionsError';
  readonly code = 'CONTROLLER_MANAGER_OPTIONS';
}

export function compileOptions(options: ControllerManagerOptions = {}): CompiledOptions {
  const controllers = new Set(options.controllers ?? CONTROLLER_NAMES);
  for (const name of controllers) {
    if (!CONTROLLER_NAMES.includes(name)) throw new OptionsError(`controllers: unknown controller "${String(name)}"; known: ${CONTROLLER_NAMES.join(', ')}`);
  }
  const workers = { ...DEFAULT_WORKERS };
  for (const [name, n] of Object.entries(options.workers ?? {}) as [ControllerName, number][]) {
    if (!Number.isInteger(n) || n < 1) throw new OptionsError(`workers.${name}: must be an integer >= 1 (got ${n})`);
    if (name !== 'scheduler') workers[name] = n;
  }
  const positive = (name: string, value: number | undefined, fallback: number): number => {
    const v = value ?? fallback;
    if (!(v > 0) || !Number.isFinite(v)) throw new OptionsError(`${name}: must be a positive number (got ${v})`);
    return v;
  };
  const backoff = options.schedulerBackoffMs ?? { initial: 1000, max: 60_000 };
  positive('schedulerBackoffMs.initial', backoff.initial, 1000);
  if (!(backoff.max >= backoff.initial)) throw new OptionsError('schedulerBackoffMs.max: must be >= schedulerBackoffMs.initial');
  const resyncMs = options.resyncMs ?? 10 * 60_000;
  if (!(resyncMs >= 0)) throw new OptionsError(`resyncMs: must be >= 0 (got ${resyncMs})`);
  return {
    controllers,
    workers,
    qps: positive('qps', options.qps, 50),
    burst: Math.round(positive('burst', options.burst, 100)),
    nodeMonitorGracePeriodMs: positive('nodeMonitorGracePeriodMs', options.nodeMonitorGracePeriodMs, 40_000),
    evictPodsOnUnreachable: options.evictPodsOnUnreachable ?? false,
    schedulerBackoffMs: backoff,
    discoveryResyncMs: positive('discoveryResyncMs', options.discoveryResyncMs, 30_000),
    shutdownGraceMs: positive('shutdownGraceMs', options.shutdownGraceMs, 10_000),
    resyncMs,
  };
}
