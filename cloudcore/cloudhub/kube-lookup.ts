/**
 * The authorizer's questions answered by the Kubernetes API (pkg/kube). Answers are cached briefly, so that a node
 * reporting the status of its pods every few seconds costs a few reads per pod per minute rather than one per
 * message. A pod's node never changes once set, so a cached binding is only wrong if the pod is deleted and recreated
 * on another node within `ttlMs`.
 *
 * Bindings are also learnt from what EdgeController sends down (noteDownstream): it sends every pod bound to an edge
 * node to that node, and a delete when the pod goes or leaves. So the status and events of a pod just sent to its
 * node are authorized without a read of the API server. That read mattered: upstream messages of one node are
 * handled one at a time, and in a burst of 50 new pods each pod's first event waited for its own GET on the busy API
 * server, which delayed every status behind it (about 200 ms per pod on a loaded 2-core machine).
 */
import { isNotFound, RESOURCES, type Client, type KubeObject, type ResourceClient } from '../../pkg/kube';
import { Operation, parseEdgeResource, splitNodeResource, type Message } from '../../pkg/message';
import { createNodeAuthorizer, type NodeAuthorizer, type NodeObjectLookup } from './authorizer';

interface Bound extends KubeObject {
  spec?: { nodeName?: string };
}

export interface KubeLookupOptions {
  /** How long an answer is reused. Default 2000. */
  readonly ttlMs?: number;
  /** Most answers kept; the oldest go first. Default 10,000. */
  readonly maxEntries?: number;
  /**
   * How long a binding learnt from a message sent down is used. Default 600,000: it stays right until the pod's
   * delete goes down too (which forgets it), so this only bounds what a missed delete could cost.
   */
  readonly sentTtlMs?: number;
  readonly nowMs?: () => number;
}

export function createKubeNodeAuthorizer(client: Client, options: KubeLookupOptions = {}): NodeAuthorizer {
  return createNodeAuthorizer(new KubeNodeLookup(client, options));
}

export class KubeNodeLookup implements NodeObjectLookup {
  private readonly cache: TtlCache;
  private readonly sentTtlMs: number;

  constructor(
    private readonly client: Client,
    options: KubeLookupOptions = {},
  ) {
    this.cache = new TtlCache(options.ttlMs ?? 2000, options.maxEntries ?? 10_000, options.nowMs ?? Date.now);
    this.sentTtlMs = options.sentTtlMs ?? 600_000;
  }

  /**
   * A message on its way to a node: EdgeController's insert or update of a pod says the pod is bound to that node;
   * its delete says the binding may be gone (forgotten, so the next question reads the API server).
   */
  noteDownstream(message: Message): void {
    const route = message.route;
    if (route?.source !== 'edgecontroller' || route.group !== 'resource' || message.header?.parentId) return;
    const target = splitNodeResource(route.resource);
    const object = target && parseEdgeResource(target.rest);
    if (!target || object?.type !== 'pod' || object.name === '' || object.namespace === '') return;
    const key = `pod/${object.namespace}/${object.name}`;
    if (route.operation === Operation.OPERATION_INSERT || route.operation === Operation.OPERATION_UPDATE) {
      this.cache.set(key, Promise.resolve(target.node), this.sentTtlMs);
    } else if (route.operation === Operation.OPERATION_DELETE) {
      this.cache.delete(key);
    }
  }

  podNode(namespace: string, name: string): Promise<string | null> {
    return this.cache.get(`pod/${namespace}/${name}`, () => this.boundNode(this.client.resource<Bound>(RESOURCES.pods), namespace, name));
  }

  deviceNode(namespace: string, name: string): Promise<string | null> {
    return this.cache.get(`device/${namespace}/${name}`, () => this.boundNode(this.client.resource<Bound>(RESOURCES.devices), namespace, name));
  }

  podNamespaces(node: string): Promise<ReadonlySet<string>> {
    return this.cache.get(`podns/${node}`, async () => {
      const pods = await this.client.resource<Bound>(RESOURCES.pods).list({ fieldSelector: `spec.nodeName=${node}` });
      return namespacesOf(pods.items);
    });
  }

  deviceNamespaces(node: string): Promise<ReadonlySet<string>> {
    return this.cache.get(`devicens/${node}`, async () => {
      let devices: Bound[];
      try {
        devices = (await this.client.resource<Bound>(RESOURCES.devices).list()).items;
      } catch (error) {
        if (isNotFound(error)) return new Set<string>(); // the Device CRD is not installed: no devices anywhere
        throw error;
      }
      return namespacesOf(devices.filter((device) => device.spec?.nodeName === node));
    });
  }

  private async boundNode(resource: ResourceClient<Bound>, namespace: string, name: string): Promise<string | null> {
    try {
      const object = await resource.get(name, { namespace });
      return object.spec?.nodeName ?? '';
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }
}

function namespacesOf(objects: readonly KubeObject[]): ReadonlySet<string> {
  return new Set(objects.map((object) => object.metadata?.namespace ?? '').filter((namespace) => namespace !== ''));
}

/** Answers by key for ttlMs; concurrent asks for one key share one request; failures are not kept. */
class TtlCache {
  private readonly entries = new Map<string, { value: Promise<unknown>; expiresMs: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly nowMs: () => number,
  ) {}

  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = this.nowMs();
    const hit = this.entries.get(key);
    if (hit !== undefined && hit.expiresMs > now) return hit.value as Promise<T>;
    if (hit !== undefined) this.entries.delete(key);
    const value = load();
    this.entries.set(key, { value, expiresMs: now + this.ttlMs });
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    this.trim();
    return value;
  }

  /** Keeps `value` for `ttlMs` (a known answer, not a request in flight). */
  set(key: string, value: Promise<unknown>, ttlMs: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresMs: this.nowMs() + ttlMs });
    this.trim();
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  private trim(): void {
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }
}
