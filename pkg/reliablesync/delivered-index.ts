/**
 * An informer-backed view of every ObjectSync and ClusterObjectSync: what each node has acknowledged, answered from
 * memory. cloudhub asks it whether a message is newer than what the node has (`deliveredVersion`); the SyncController
 * walks a node's records (`recordsOf`). Until the first list is in, it knows nothing (`hasSynced` is false).
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { InformerFactory, type Client, type SharedInformer } from '../kube';
import { CLUSTER_OBJECT_SYNCS, OBJECT_SYNCS, objectSyncName, parseObjectSyncName, type ObjectSyncRecord } from './records';

export interface DeliveredIndexOptions {
  client: Client;
  log: Logger;
  registry?: Registry;
  /** Informer re-list/re-watch back-off; tests shorten it. */
  backoff?: { initialMs: number; maxMs: number };
}

const BY_NAME = 'reliablesync/name';
const BY_NODE = 'reliablesync/node';
const byName = (record: ObjectSyncRecord): string[] => (record.metadata?.name ? [record.metadata.name] : []);
const byNode = (record: ObjectSyncRecord): string[] => {
  const parsed = record.metadata?.name ? parseObjectSyncName(record.metadata.name) : undefined;
  return parsed ? [parsed.node] : [];
};

interface Informers {
  namespaced: SharedInformer<ObjectSyncRecord>;
  cluster: SharedInformer<ObjectSyncRecord>;
}

export class DeliveredIndex {
  private informers: Informers | undefined;
  private running = false;
  private syncWaiters: (() => void)[] = [];

  constructor(private readonly options: DeliveredIndexOptions) {}

  /**
   * Runs the informers until the signal aborts. May be called again after it ended (a restarted module): each run
   * lists afresh. Records must exist as resources (ensureReliableSyncCRDs) or the informers retry until they do.
   */
  async start(signal: AbortSignal): Promise<void> {
    if (this.running) throw new Error('the delivered index is already running');
    this.running = true;
    const factory = new InformerFactory({
      client: this.options.client,
      log: this.options.log.child({ component: 'delivered-index' }),
      // Nothing here acts on resync; the watch keeps the cache current.
      resyncMs: 0,
      ...(this.options.registry ? { registry: this.options.registry } : {}),
      ...(this.options.backoff ? { backoff: this.options.backoff } : {}),
    });
    const indexers = { [BY_NAME]: byName, [BY_NODE]: byNode };
    this.informers = {
      namespaced: factory.forResource<ObjectSyncRecord>(OBJECT_SYNCS, { indexers }),
      cluster: factory.forResource<ObjectSyncRecord>(CLUSTER_OBJECT_SYNCS, { indexers }),
    };
    this.syncWaiters.splice(0).forEach((wake) => wake());
    try {
      await factory.start(signal);
    } finally {
      this.informers = undefined;
      this.running = false;
    }
  }

  hasSynced(): boolean {
    return !!this.informers && this.informers.namespaced.hasSynced() && this.informers.cluster.hasSynced();
  }

  /** Resolves once both informers have listed; rejects with the signal's reason if it aborts first. */
  async waitForSync(signal: AbortSignal): Promise<void> {
    while (!this.informers) {
      if (signal.aborted) throw signal.reason;
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        this.syncWaiters.push(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    }
    const { namespaced, cluster } = this.informers;
    await Promise.all([namespaced.waitForSync(signal), cluster.waitForSync(signal)]);
  }

  /** The record of `uid` for `node`, as cached. Shared with the cache: do not modify it. */
  record(node: string, uid: string): ObjectSyncRecord | undefined {
    if (!this.informers) return undefined;
    let name: string;
    try {
      name = objectSyncName(node, uid);
    } catch {
      return undefined;
    }
    return this.informers.cluster.store.get(name) ?? this.informers.namespaced.store.byIndex(BY_NAME, name)[0];
  }

  /** The resourceVersion `node` acknowledged for the object `uid`; undefined when nothing is recorded (or not synced yet). */
  deliveredVersion(node: string, uid: string): string | undefined {
    return this.record(node, uid)?.status?.objectResourceVersion;
  }

  /** Every record of `node`, namespaced and cluster-scoped. Shared with the cache: do not modify them. */
  recordsOf(node: string): ObjectSyncRecord[] {
    if (!this.informers) return [];
    return [...this.informers.namespaced.store.byIndex(BY_NODE, node), ...this.informers.cluster.store.byIndex(BY_NODE, node)];
  }

  /** Every node that has at least one record. */
  nodes(): string[] {
    if (!this.informers) return [];
    const nodes = new Set<string>();
    for (const informer of [this.informers.namespaced, this.informers.cluster]) {
      for (const record of informer.store.list()) for (const node of byNode(record)) nodes.add(node);
    }
    return [...nodes];
  }
}
