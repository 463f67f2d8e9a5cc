/**
 * The authorizer's questions answered by the Kubernetes API (pkg/kube). Answers are cached briefly, so that a node
 * reporting the status of its pods every few seconds costs a few reads per pod per minute rather than one per
 * message. A pod's node never changes once set, so a cached binding is only wrong if the pod is deleted and recreated
 * on another node within `ttlMs`.
 */
import { isNotFound, RESOURCES, type Client, type KubeObject, type ResourceClient } from '../../pkg/kube';
import { createNodeAuthorizer, type NodeAuthorizer, type NodeObjectLookup } from './authorizer';

interface Bound extends KubeObject {
  spec?: { nodeName?: string };
}

export interface KubeLookupOptions {
  /** How long an answer is reused. Default 2000. */
  readonly ttlMs?: number;
  /** Most answers kept; the oldest go first. Default 10,000. */
  readonly maxEntries?: number;
  readonly nowMs?: () => number;
}

export function createKubeNodeAuthorizer(client: Client, options: KubeLookupOptions = {}): NodeAuthorizer {
  return createNodeAuthorizer(new KubeNodeLookup(client, options));
}

export class KubeNodeLookup implements NodeObjectLookup {
  private readonly cache: TtlCache;

  constructor(
    private readonly client: Client,
    options: KubeLookupOptions = {},
  ) {
    this.cache = new TtlCache(options.ttlMs ?? 2000, options.maxEntries ?? 10_000, options.nowMs ?? Date.now);
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
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    return value;
  }
}
