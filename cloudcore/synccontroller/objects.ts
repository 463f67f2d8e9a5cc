/**
 * Reads the objects records name: from informer caches (one per kind, created the first time a record names it), so a
 * pass over thousands of records costs no API calls; and, before anything is deleted on an edge node, from the API
 * server itself, so a cache that lags behind a just-created object never causes a wrong delete.
 */
import { isNotFound, type Client, type InformerFactory, type KubeObject } from '../../pkg/kube';
import type { ResolvedKind } from './kinds';

export interface ObjectReaderOptions {
  client: Client;
  factory: InformerFactory;
  /** Longest wait for a new kind's cache to fill; the node's pass fails (and is retried) after it. */
  cacheSyncTimeoutMs: number;
}

export class ObjectReader {
  constructor(private readonly options: ObjectReaderOptions) {}

  /** The cached object, once the kind's cache has synced. Shared with the cache: do not modify it. */
  async cached(kind: ResolvedKind, namespace: string | undefined, name: string, signal: AbortSignal): Promise<KubeObject | undefined> {
    const informer = this.options.factory.forResource<KubeObject>({ apiVersion: kind.apiVersion, plural: kind.plural, kind: kind.kind });
    if (!informer.hasSynced()) {
      const timeout = AbortSignal.timeout(this.options.cacheSyncTimeoutMs);
      try {
        await informer.waitForSync(AbortSignal.any([signal, timeout]));
      } catch (error) {
        if (signal.aborted) throw error;
        throw new Error(`the cache of ${kind.plural}.${kind.apiVersion} did not fill within ${this.options.cacheSyncTimeoutMs} ms (can cloudcore list them?)`, {
          cause: error,
        });
      }
    }
    return informer.store.get(namespace ? `${namespace}/${name}` : name);
  }

  /** The object as the API server has it now (a quorum read), or undefined when it does not exist. */
  async live(kind: ResolvedKind, namespace: string | undefined, name: string, signal: AbortSignal): Promise<KubeObject | undefined> {
    try {
      return await this.options.client.resource<KubeObject>(kind).get(name, { ...(namespace ? { namespace } : {}), signal });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}
