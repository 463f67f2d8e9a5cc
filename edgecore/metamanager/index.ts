/**
 * MetaManager: the edge's durable store of everything the cloud sent (SQLite through knex), the only writer of it.
 * It acknowledges a change only after the commit, drops duplicate and stale versions, tells edged what changed, and
 * answers queries from edge modules from the cloud (online) or the store (offline).
 */
import type { Registry } from 'prom-client';
import type { DaemonModule } from '../../pkg/cli';
import type { Logger } from '../../pkg/log';
import { MetaError } from './errors';
import { DEFAULT_REMOTE_QUERY_TYPES } from './handle-query';
import { createMetaMetrics, NOOP_METRICS } from './metrics';
import { MetaManagerModule } from './module';
import { openMetaStore } from './sqlite-store';
import type { MetaReader } from './store';

export interface MetaManagerOptions {
  /** config.database.dataSource: the SQLite file. */
  readonly dataSource: string;
  /** config.modules.metaManager.remoteQueryTimeoutMs: longest wait for the cloud to answer a query. */
  readonly queryTimeoutMs: number;
  readonly log: Logger;
  /** Where the metamanager_* metrics go; none when absent. */
  readonly registry?: Registry;
  /** Types fetched from the cloud while connected. @default DEFAULT_REMOTE_QUERY_TYPES (KubeEdge's list) */
  readonly remoteQueryTypes?: readonly string[];
  /** Tombstones older than this are forgotten at start. @default 7 days */
  readonly tombstoneRetentionMs?: number;
  /** @default 64 */
  readonly maxConcurrentQueries?: number;
}

export interface MetaManager extends DaemonModule {
  /** Read access for other edge modules. */
  readonly store: MetaReader;
  /** Closes the database; the module does it when it stops, call it if the module never ran. Idempotent. */
  close(): Promise<void>;
}

export const DEFAULT_TOMBSTONE_RETENTION_MS = 7 * 24 * 3600_000;

/**
 * Opens (creating or migrating) the store, then returns the module. Async so that a damaged, foreign or unreadable
 * database fails edgecore's start with a MetaError naming database.dataSource, instead of a module that crashes and
 * restarts forever.
 */
export async function createMetaManager(options: MetaManagerOptions): Promise<MetaManager> {
  if (!Number.isSafeInteger(options.queryTimeoutMs) || options.queryTimeoutMs <= 0) {
    throw new MetaError(
      'INVALID',
      `modules.metaManager.remoteQueryTimeout: ${options.queryTimeoutMs} ms is not a positive duration; write one such as 60s`,
    );
  }
  const log = options.log.child({ module: 'metamanager' });
  const store = await openMetaStore({ dataSource: options.dataSource, log });
  try {
    const retentionMs = options.tombstoneRetentionMs ?? DEFAULT_TOMBSTONE_RETENTION_MS;
    const pruned = await store.pruneTombstones(Date.now() - retentionMs);
    if (pruned > 0) log.info({ pruned }, 'forgot old tombstones');
  } catch (error) {
    await store.close();
    throw error;
  }
  log.info({ dataSource: options.dataSource }, 'metamanager store open');
  return new MetaManagerModule({
    store,
    metrics: options.registry ? createMetaMetrics(options.registry) : NOOP_METRICS,
    queryTimeoutMs: options.queryTimeoutMs,
    remoteQueryTypes: new Set(options.remoteQueryTypes ?? DEFAULT_REMOTE_QUERY_TYPES),
    maxConcurrentQueries: options.maxConcurrentQueries ?? 64,
    maxPendingNotices: 1024,
  });
}

export { MetaError, type MetaErrorCode } from './errors';
export { DEFAULT_REMOTE_QUERY_TYPES, EDGEHUB } from './handle-query';
export { EDGED, METAMANAGER } from './handle-change';
export { METAMANAGER_GROUP } from './module';
export { CLUSTER_SCOPE, parseEdgeResource, resourceKey, type EdgeResource, type ObjectResource } from './resource';
export { openMetaStore, type OpenMetaStoreOptions } from './sqlite-store';
export type { ApplyOutcome, Change, ListQuery, MetaReader, MetaStore, StoredObject } from './store';
