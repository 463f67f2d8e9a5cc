/**
 * The garbage collector's view of the cluster: one shared informer per served resource (from discovery), indexed by
 * uid and by owner uid, so "what is this uid" and "what depends on this uid" are cache lookups across every type.
 */
import type { Logger } from 'pino';
import { isTombstone, type Client, type EventHandlers, type InformerFactory, type ResourceClient, type SharedInformer } from '../../../pkg/kube';
import type { DiscoveredResource, Discovery } from '../discovery';
import { OWNER_UID_INDEX, ownerUidIndex, UID_INDEX, uidIndex } from '../util/indexes';
import type { Obj } from '../util/types';

export interface Found {
  obj: Obj;
  resource: DiscoveredResource;
}

/** Events are not garbage collected (as in Kubernetes): there are many, and they expire anyway. */
const IGNORED = new Set(['v1/events', 'events.k8s.io/v1/events']);

export const collectable = (r: DiscoveredResource): boolean =>
  ['list', 'watch', 'delete'].every((verb) => r.verbs.includes(verb)) && !IGNORED.has(`${r.apiVersion}/${r.plural}`);

export class Graph {
  private readonly informers = new Map<string, { informer: SharedInformer<Obj>; resource: DiscoveredResource }>();

  constructor(
    private readonly client: Client,
    private readonly factory: InformerFactory,
    private readonly log: Logger,
    private readonly handlers: (resource: DiscoveredResource) => EventHandlers<Obj>,
  ) {}

  /** Follows discovery: every collectable resource gets an informer; resources no longer served are dropped. */
  follow(discovery: Discovery): void {
    const sync = (resources: readonly DiscoveredResource[]): void => {
      const served = new Set<string>();
      for (const resource of resources.filter(collectable)) {
        const id = `${resource.apiVersion}/${resource.plural}`;
        served.add(id);
        if (this.informers.has(id)) continue;
        const informer = this.factory.forResource<Obj>(
          { apiVersion: resource.apiVersion, plural: resource.plural, kind: resource.kind },
          { indexers: { [UID_INDEX]: uidIndex, [OWNER_UID_INDEX]: ownerUidIndex } },
        );
        this.informers.set(id, { informer, resource });
        informer.addHandler(this.handlers(resource));
        this.log.debug({ resource: id }, 'garbage collector watches');
      }
      // TODO(#3): the factory cannot stop one informer; a removed CRD's informer keeps retrying in the background.
      for (const id of [...this.informers.keys()]) if (!served.has(id)) this.informers.delete(id);
    };
    sync(discovery.resources);
    discovery.onChange((result) => sync(result.resources));
  }

  /** Resolves once every informer so far has synced, or after `timeoutMs` (a type that cannot be listed must not stop GC). */
  async waitForSync(signal: AbortSignal, timeoutMs: number): Promise<boolean> {
    const timeout = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
    try {
      await Promise.all([...this.informers.values()].map(({ informer }) => informer.waitForSync(timeout)));
      return true;
    } catch (error) {
      if (signal.aborted) throw error;
      return false;
    }
  }

  find(uid: string): Found | undefined {
    for (const { informer, resource } of this.informers.values()) {
      const obj = informer.store.byIndex(UID_INDEX, uid)[0];
      if (obj) return { obj, resource };
    }
    return undefined;
  }

  dependents(uid: string): Found[] {
    const out: Found[] = [];
    for (const { informer, resource } of this.informers.values()) {
      for (const obj of informer.store.byIndex(OWNER_UID_INDEX, uid)) out.push({ obj, resource });
    }
    return out;
  }

  resourceClient(resource: DiscoveredResource): ResourceClient<Obj> {
    return this.client.resource<Obj>({ apiVersion: resource.apiVersion, plural: resource.plural, kind: resource.kind });
  }
}

/** The object behind an informer event. */
export const objectOf = <T>(obj: T | { key: string; obj: T }): T => (isTombstone(obj as never) ? (obj as { obj: T }).obj : (obj as T));
