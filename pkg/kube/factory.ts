/**
 * The shared informer factory: every controller asks it for the informers it needs, and each distinct
 * (resource, namespace, selectors) gets one list+watch and one cache, whoever asks.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { aborted } from '../timing';
import { isTombstone, type DeletedFinalStateUnknown, type IndexFunc } from './cache';
import type { Client } from './client';
import { SharedInformer, type EventHandlers, type InformerSpec } from './informer';
import { informerMetrics } from './metrics';
import { objectKey, resourceName, type KubeObject } from './resource';
import type { WorkQueue } from './workqueue';

export interface InformerFactoryOptions {
  client: Client;
  log: Logger;
  registry?: Registry;
  /** Default resync period for every informer; 0 turns it off. Default 10 minutes. */
  resyncMs?: number;
  /** Passed to every informer; tests shorten it. */
  backoff?: { initialMs: number; maxMs: number };
}

export interface ForResourceOptions<T> {
  /** Added to the shared informer (an index name already there must be the same function). */
  indexers?: Readonly<Record<string, IndexFunc<T>>>;
  /** Used only by the first caller for this spec, which creates the informer. */
  resyncMs?: number;
}

export const DEFAULT_RESYNC_MS = 10 * 60_000;

export class InformerFactory {
  private readonly informers = new Map<string, SharedInformer<KubeObject>>();
  private readonly running = new Set<Promise<void>>();
  private signal: AbortSignal | undefined;

  constructor(private readonly options: InformerFactoryOptions) {}

  /** The shared informer for this spec. If the factory is already started, the new informer starts at once. */
  forResource<T extends KubeObject = KubeObject>(spec: InformerSpec, options: ForResourceOptions<T> = {}): SharedInformer<T> {
    const id = specId(spec);
    let informer = this.informers.get(id) as SharedInformer<T> | undefined;
    if (!informer) {
      informer = new SharedInformer<T>({
        client: this.options.client,
        spec: { ...spec },
        log: this.options.log,
        resyncMs: options.resyncMs ?? this.options.resyncMs ?? DEFAULT_RESYNC_MS,
        ...(this.options.backoff ? { backoff: this.options.backoff } : {}),
        ...(this.options.registry ? { metrics: informerMetrics(this.options.registry, resourceName(spec)) } : {}),
      });
      this.informers.set(id, informer as unknown as SharedInformer<KubeObject>);
      if (this.signal && !this.signal.aborted) this.run(informer, this.signal);
    }
    if (options.indexers) informer.addIndexers(options.indexers);
    return informer;
  }

  /** Starts every informer (and those added later); resolves once the signal has aborted and all have stopped. */
  async start(signal: AbortSignal): Promise<void> {
    if (this.signal) throw new Error('informer factory already started');
    this.signal = signal;
    for (const informer of this.informers.values()) this.run(informer, signal);
    await aborted(signal);
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Resolves when every informer created so far has synced. */
  async waitForSync(signal: AbortSignal): Promise<void> {
    await Promise.all([...this.informers.values()].map((informer) => informer.waitForSync(signal)));
  }

  private run(informer: { readonly name: string; start(signal: AbortSignal): Promise<void> }, signal: AbortSignal): void {
    const done = informer
      .start(signal)
      .catch((err: unknown) => this.options.log.error({ err, informer: informer.name }, 'informer stopped with an error'))
      .finally(() => this.running.delete(done));
    this.running.add(done);
  }
}

function specId(spec: InformerSpec): string {
  return JSON.stringify([spec.apiVersion, spec.plural, spec.namespace ?? '', spec.labelSelector ?? '', spec.fieldSelector ?? '']);
}

/** The key of an object or of a tombstone. */
export function keyOf<T extends KubeObject>(obj: T | DeletedFinalStateUnknown<T>): string {
  return isTombstone(obj) ? obj.key : objectKey(obj);
}

/**
 * Handlers that only enqueue keys: the object's own key by default, or whatever `toKeys` maps it to (an owned object
 * to its owner's key, a configmap to the pods that use it). An update enqueues the keys of both versions.
 */
export function enqueueHandlers<T extends KubeObject>(
  queue: WorkQueue<string>,
  toKeys: (obj: T) => readonly string[] = (obj) => [objectKey(obj)],
): EventHandlers<T> {
  const enqueue = (obj: T): void => {
    for (const key of toKeys(obj)) queue.add(key);
  };
  return {
    add: enqueue,
    update: (oldObj, newObj) => {
      enqueue(newObj);
      if (oldObj !== newObj) enqueue(oldObj);
    },
    delete: (obj) => enqueue(isTombstone(obj) ? obj.obj : obj),
  };
}
