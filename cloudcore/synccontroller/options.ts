/** The SyncController's options, checked and defaulted once. */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Client } from '../../pkg/kube';
import type { DeliveredIndex } from '../../pkg/reliablesync';

/**
 * Which nodes the periodic pass covers.
 * - 'connected' (default): nodes cloudhub reported CONNECTED to this cloudcore and not DISCONNECTED since. With two
 *   cloudcores each reconciles only the nodes it holds; a node that is away is reconciled when it comes back.
 * - 'all': every node that has records, as KubeEdge does (messages for nodes held elsewhere are left to cloudhub).
 */
export type PeriodicScope = 'connected' | 'all';

export interface SyncControllerOptions {
  client: Client;
  log: Logger;
  registry?: Registry;
  /** config.modules.syncController.periodMs. Default 5,000. */
  periodMs?: number;
  periodicScope?: PeriodicScope;
  /**
   * The records index; pass the one cloudhub reads deliveredVersion from so both share one cache. The controller runs
   * it (start/stop) while it runs. Default: its own.
   */
  index?: DeliveredIndex;
  /** Nodes reconciled at once. Default 4. */
  workers?: number;
  /** Messages one node's pass sends at most before yielding to other nodes. Default 500. */
  maxSendsPerPass?: number;
  /** Longest wait for a kind's object cache to fill before a node's pass fails and backs off. Default 30 s. */
  cacheSyncTimeoutMs?: number;
  /** Per-node back-off after a failed pass. Default 1 s doubling to 5 min. */
  retry?: { initialMs: number; maxMs: number };
}

export interface CompiledSyncOptions {
  periodMs: number;
  periodicScope: PeriodicScope;
  workers: number;
  maxSendsPerPass: number;
  cacheSyncTimeoutMs: number;
  retry: { initialMs: number; maxMs: number };
}

const positive = (value: number, field: string, hint: string): number => {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`synccontroller: ${field} must be a positive number (${hint}); got ${String(value)}`);
  return value;
};
const count = (value: number, field: string): number => {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`synccontroller: ${field} must be an integer >= 1; got ${String(value)}`);
  return value;
};

export function compileSyncOptions(options: SyncControllerOptions): CompiledSyncOptions {
  if (!options.client) throw new TypeError('synccontroller: client is required (a Kubernetes Client from pkg/kube createClient)');
  if (!options.log) throw new TypeError('synccontroller: log is required');
  const scope = options.periodicScope ?? 'connected';
  if (scope !== 'connected' && scope !== 'all') throw new RangeError(`synccontroller: periodicScope must be "connected" or "all"; got ${JSON.stringify(scope)}`);
  const retry = options.retry ?? { initialMs: 1000, maxMs: 300_000 };
  positive(retry.initialMs, 'retry.initialMs', 'milliseconds');
  if (!(retry.maxMs >= retry.initialMs)) throw new RangeError(`synccontroller: retry.maxMs must be >= retry.initialMs; got ${retry.maxMs} < ${retry.initialMs}`);
  return {
    periodMs: positive(options.periodMs ?? 5000, 'periodMs', 'milliseconds; modules.syncController.period in cloudcore.yaml'),
    periodicScope: scope,
    workers: count(options.workers ?? 4, 'workers'),
    maxSendsPerPass: count(options.maxSendsPerPass ?? 500, 'maxSendsPerPass'),
    cacheSyncTimeoutMs: positive(options.cacheSyncTimeoutMs ?? 30_000, 'cacheSyncTimeoutMs', 'milliseconds'),
    retry,
  };
}
