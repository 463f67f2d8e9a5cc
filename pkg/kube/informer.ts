/**
 * A shared informer: one list+watch of a resource (client-go's reflector) feeding an indexed cache and any number of
 * handlers. Reflector rules:
 * - list (in pages), then watch from the list's resourceVersion, asking for bookmarks;
 * - a watch that ends normally is resumed from the last resourceVersion seen (events and bookmarks alike), so a server
 *   restart loses nothing as long as the server still has that history;
 * - 410 Gone (an ERROR event or an HTTP 410) means the history is compacted: relist, and hand the handlers only the
 *   differences, with DeletedFinalStateUnknown tombstones for objects that vanished meanwhile;
 * - any other failure waits a jittered back-off (800 ms doubling to 30 s) and retries.
 * Handlers run synchronously inside event processing and must only turn events into queue keys.
 *
 * Built on client-node's Watch (one watch request) and our own list, not on its makeInformer/ListWatch, because
 * ListWatch (1.4) stops for good on any error other than 410 (no retry, no back-off), never asks for bookmarks, has
 * no tombstones, no old object on update, no custom indexes, no resync and no AbortSignal; and the list functions it
 * is given (the generated APIs) decode through the model serializer while watch events stay raw JSON, so cached
 * objects differ in shape (Dates vs strings, unknown fields dropped) depending on how they arrived.
 */
import type { Logger } from 'pino';
import { Backoff, sleep } from '../timing';
import { DeletedFinalStateUnknown, Indexer, type CacheReader, type IndexFunc } from './cache';
import type { Client, ResourceClient } from './client';
import { isGone, isTooLargeResourceVersion } from './errors';
import { noInformerMetrics, type InformerMetrics } from './metrics';
import { objectKey, resourceName, type KubeList, type KubeObject, type ResourceRef } from './resource';
import type { WatchEvent } from './rest';

/** Which objects an informer follows. Informers with equal specs are shared. */
export interface InformerSpec extends ResourceRef {
  /** Omitted: all namespaces (or a cluster-scoped resource). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface EventHandlers<T> {
  add?(obj: T): void;
  /** Also called with old === new on resync. */
  update?(oldObj: T, newObj: T): void;
  delete?(obj: T | DeletedFinalStateUnknown<T>): void;
}

export interface InformerOptions<T> {
  client: Client;
  spec: InformerSpec;
  log: Logger;
  indexers?: Readonly<Record<string, IndexFunc<T>>>;
  /** Calls every update handler with each cached object this often; 0 turns it off. */
  resyncMs?: number;
  /** Objects per list page. Default 500. */
  pageSize?: number;
  /** Re-list/re-watch back-off. Default 800 ms to 30 s. */
  backoff?: { initialMs: number; maxMs: number };
  metrics?: InformerMetrics;
}

export class SharedInformer<T extends KubeObject> {
  readonly name: string;
  private readonly indexer: Indexer<T>;
  private readonly resource: ResourceClient<T>;
  private readonly handlers = new Set<EventHandlers<T>>();
  private readonly log: Logger;
  private readonly metrics: InformerMetrics;
  private synced = false;
  private syncWaiters: (() => void)[] = [];
  private running = false;
  private lastResourceVersion: string | undefined;

  constructor(private readonly options: InformerOptions<T>) {
    this.name = resourceName(options.spec) + (options.spec.namespace ? ` in ${options.spec.namespace}` : '');
    this.resource = options.client.resource<T>(options.spec);
    this.indexer = new Indexer<T>(options.indexers);
    this.log = options.log.child({ informer: this.name });
    this.metrics = options.metrics ?? noInformerMetrics;
  }

  /** The cache. Read-only: objects in it are shared with every handler and must not be modified. */
  get store(): CacheReader<T> {
    return this.indexer;
  }

  /** The resourceVersion the cache is at. */
  get resourceVersion(): string | undefined {
    return this.lastResourceVersion;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves after the first list is in the cache; rejects with the signal's reason if it aborts first. */
  waitForSync(signal: AbortSignal): Promise<void> {
    if (this.synced) return Promise.resolve();
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      this.syncWaiters.push(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  addIndexers(indexers: Readonly<Record<string, IndexFunc<T>>>): void {
    this.indexer.addIndexers(indexers);
  }

  /** Registers handlers; objects already cached are replayed to them as adds. Returns the unregister function. */
  addHandler(handlers: EventHandlers<T>): () => void {
    this.handlers.add(handlers);
    for (const obj of this.indexer.list()) this.call('add', () => handlers.add?.(obj));
    return () => void this.handlers.delete(handlers);
  }

  /** Runs until the signal aborts. Never rejects for API failures: it retries them. */
  async start(signal: AbortSignal): Promise<void> {
    if (this.running) throw new Error(`informer ${this.name} is already running`);
    this.running = true;
    const resyncMs = this.options.resyncMs ?? 0;
    const resync = resyncMs > 0 ? setInterval(() => this.resync(), resyncMs) : undefined;
    resync?.unref();
    try {
      await this.listAndWatch(signal);
    } finally {
      clearInterval(resync);
      this.running = false;
    }
  }

  private async listAndWatch(signal: AbortSignal): Promise<void> {
    const backoff = new Backoff({ ...(this.options.backoff ?? { initialMs: 800, maxMs: 30_000 }), jitter: 0.5 });
    let needList = true;
    let goneInARow = 0;
    while (!signal.aborted) {
      try {
        if (needList) {
          await this.list(signal);
          needList = false;
        }
        const started = Date.now();
        let events = 0;
        this.metrics.watched();
        await this.resource.watch(
          {
            namespace: this.options.spec.namespace,
            labelSelector: this.options.spec.labelSelector,
            fieldSelector: this.options.spec.fieldSelector,
            resourceVersion: this.lastResourceVersion,
            allowWatchBookmarks: true,
            // Like client-go: end each watch after 5-10 minutes, so a silently dead connection is noticed.
            timeoutSeconds: 300 + Math.floor(Math.random() * 300),
            signal,
          },
          (event) => {
            if (events++ === 0) backoff.reset();
            goneInARow = 0;
            this.onEvent(event);
          },
        );
        goneInARow = 0;
        // Ended normally: resume at once, unless it closed straight away with nothing (a server going down).
        if (events > 0 || Date.now() - started > 1000) backoff.reset();
        else await sleep(backoff.next(), signal);
      } catch (error) {
        if (signal.aborted) break;
        // Our resourceVersion is unusable (compacted away, or ahead of a server that lost writes): relist.
        const stale = isGone(error) ? 'gone' : isTooLargeResourceVersion(error) ? 'too_large' : undefined;
        if (stale) {
          needList = true;
          this.metrics.relisted(stale);
          // The first time, relist at once; again and again in a row, back off like any other failure.
          if (goneInARow++ === 0) {
            this.log.info({ resourceVersion: this.lastResourceVersion, err: error }, 'watch resourceVersion unusable; relisting');
            continue;
          }
        }
        const delayMs = backoff.next();
        this.log.warn({ err: error, delayMs, listing: needList }, 'list/watch failed; retrying');
        await sleep(delayMs, signal).catch(() => undefined);
      }
    }
  }

  /** Lists every page, then replaces the cache with the result and tells the handlers what changed. */
  private async list(signal: AbortSignal): Promise<void> {
    const { namespace, labelSelector, fieldSelector } = this.options.spec;
    const items: T[] = [];
    let resourceVersion: string | undefined;
    let limit: number | undefined = this.options.pageSize ?? 500;
    let cont: string | undefined;
    this.metrics.listed();
    for (;;) {
      let page: KubeList<T>;
      try {
        page = await this.resource.list({ namespace, labelSelector, fieldSelector, limit, continue: cont, signal });
      } catch (error) {
        if (!(cont && isGone(error))) throw error;
        // The continue token expired between pages: start again with one unpaged list.
        items.length = 0;
        resourceVersion = limit = cont = undefined;
        continue;
      }
      resourceVersion ??= page.metadata.resourceVersion;
      items.push(...page.items.map((item) => withTypeMeta(item, page, this.options.spec)));
      cont = page.metadata.continue || undefined;
      if (!cont) break;
    }
    this.replace(items, resourceVersion);
  }

  private replace(items: T[], resourceVersion: string | undefined): void {
    const seen = new Set<string>();
    for (const obj of items) {
      const key = objectKey(obj);
      seen.add(key);
      const old = this.indexer.set(key, obj);
      if (!old) this.emit('add', (h) => h.add?.(obj));
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) this.emit('update', (h) => h.update?.(old, obj));
    }
    for (const key of this.indexer.keys()) {
      if (seen.has(key)) continue;
      const old = this.indexer.delete(key)!;
      const tombstone = new DeletedFinalStateUnknown(key, old);
      this.emit('delete', (h) => h.delete?.(tombstone));
    }
    this.lastResourceVersion = resourceVersion;
    this.metrics.objects(this.indexer.size);
    if (!this.synced) {
      this.synced = true;
      this.syncWaiters.splice(0).forEach((resolve) => resolve());
      this.log.debug({ objects: this.indexer.size, resourceVersion }, 'synced');
    }
  }

  private onEvent({ type, object }: WatchEvent<T>): void {
    this.metrics.event(type);
    const resourceVersion = object?.metadata?.resourceVersion;
    if (type === 'ADDED' || type === 'MODIFIED') {
      const old = this.indexer.set(objectKey(object), object);
      if (old) this.emit('update', (h) => h.update?.(old, object));
      else this.emit('add', (h) => h.add?.(object));
    } else if (type === 'DELETED') {
      if (this.indexer.delete(objectKey(object))) this.emit('delete', (h) => h.delete?.(object));
    } else if (type !== 'BOOKMARK') {
      this.log.warn({ type }, 'unknown watch event type; ignored');
    }
    if (resourceVersion) this.lastResourceVersion = resourceVersion;
    this.metrics.objects(this.indexer.size);
  }

  private resync(): void {
    for (const obj of this.indexer.list()) this.emit('update', (h) => h.update?.(obj, obj));
  }

  private emit(what: string, call: (h: EventHandlers<T>) => void): void {
    for (const handlers of this.handlers) this.call(what, () => call(handlers));
  }

  /** A throwing (or rejecting) handler is logged; the others and the informer carry on. */
  private call(what: string, fn: () => unknown): void {
    try {
      const result = fn();
      if (result && typeof (result as Promise<unknown>).catch === 'function') {
        (result as Promise<unknown>).catch((err: unknown) => this.log.error({ err, handler: what }, 'event handler rejected'));
      }
    } catch (err) {
      this.log.error({ err, handler: what }, 'event handler threw');
    }
  }
}

/** List items usually come without apiVersion/kind; fill them from the list so objects look like watch objects. */
function withTypeMeta<T extends KubeObject>(item: T, list: KubeList<T>, ref: ResourceRef): T {
  if (item.apiVersion && item.kind) return item;
  const kind = ref.kind ?? (list.kind?.endsWith('List') ? list.kind.slice(0, -4) : undefined);
  return { ...item, apiVersion: item.apiVersion ?? list.apiVersion ?? ref.apiVersion, ...(kind ? { kind: item.kind ?? kind } : {}) };
}
