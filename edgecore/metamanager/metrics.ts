/** MetaManager's counters, behind a narrow interface so tests and tools can run without a registry. */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { ApplyOutcome } from './store';

export type ErrorKind =
  /** A change or query was malformed and answered with an error. */
  | 'invalid'
  /** The database failed a read or write. */
  | 'storage'
  /** A cloud answer to a query could not be cached (it is still passed on). */
  | 'cache';

export interface MetaMetrics {
  /** One change handled; `seconds` is the time apply() took, commit included. */
  change(outcome: ApplyOutcome, seconds: number): void;
  error(kind: ErrorKind): void;
  /** A query answered, from the cloud or from the local store. */
  query(from: 'cloud' | 'store'): void;
  /** A query the cloud should have answered but did not; it was answered from the store. */
  remoteFallback(reason: 'timeout' | 'error'): void;
}

export const NOOP_METRICS: MetaMetrics = { change() {}, error() {}, query() {}, remoteFallback() {} };

export function createMetaMetrics(registry: Registry): MetaMetrics {
  const registers = [registry];
  const applied = new Counter({
    name: 'metamanager_changes_applied_total',
    help: 'Changes from the cloud committed to the local store.',
    registers,
  });
  const dropped = new Counter({
    name: 'metamanager_changes_dropped_total',
    help: 'Changes from the cloud acknowledged but not written: a version already stored (duplicate) or older (stale).',
    labelNames: ['reason'],
    registers,
  });
  const commit = new Histogram({
    name: 'metamanager_apply_duration_seconds',
    help: 'Time to apply one change, commit (and its fsync) included.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers,
  });
  const errors = new Counter({
    name: 'metamanager_errors_total',
    help: 'Changes or queries that failed: invalid (bad input), storage (database failure), cache (bad cloud answer).',
    labelNames: ['kind'],
    registers,
  });
  const queries = new Counter({
    name: 'metamanager_queries_total',
    help: 'Queries answered, by where the answer came from (cloud or local store).',
    labelNames: ['source'],
    registers,
  });
  const fallbacks = new Counter({
    name: 'metamanager_remote_query_fallbacks_total',
    help: 'Queries sent to the cloud that were answered from the local store instead (timeout or error).',
    labelNames: ['reason'],
    registers,
  });
  // Bind label children once; these run per message.
  const duplicate = dropped.labels('duplicate');
  const stale = dropped.labels('stale');
  return {
    change(outcome, seconds) {
      commit.observe(seconds);
      if (outcome === 'applied') applied.inc();
      else if (outcome === 'duplicate') duplicate.inc();
      else stale.inc();
    },
    error: (kind) => errors.inc({ kind }),
    query: (source) => queries.inc({ source }),
    remoteFallback: (reason) => fallbacks.inc({ reason }),
  };
}
