/**
 * Which REST resource serves an apiVersion + kind (records name objects by kind; REST paths need the plural and the
 * scope). Asked of the API server's discovery, one request per group version, cached; a kind that is not served is
 * looked up again after `retryUnknownMs` (its CRD may be installed later).
 */
import { isNotFound, type Client, type ResourceRef } from '../../pkg/kube';

export interface ResolvedKind extends ResourceRef {
  kind: string;
  namespaced: boolean;
}

interface ApiResourceList {
  resources?: { name: string; kind: string; namespaced: boolean }[];
}

interface Entry {
  fetchedAt: number;
  /** Undefined: the group version is not served. */
  kinds: Promise<Map<string, ResolvedKind> | undefined>;
}

export class KindResolver {
  private readonly groupVersions = new Map<string, Entry>();

  constructor(
    private readonly client: Client,
    private readonly retryUnknownMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The resource of this kind, or undefined when the API server does not serve it. Throws when discovery fails. */
  async resolve(apiVersion: string, kind: string, signal?: AbortSignal): Promise<ResolvedKind | undefined> {
    let entry = this.groupVersions.get(apiVersion);
    if (entry && this.now() - entry.fetchedAt >= this.retryUnknownMs && !(await entry.kinds)?.has(kind)) entry = undefined;
    if (!entry) {
      entry = { fetchedAt: this.now(), kinds: this.discover(apiVersion, signal) };
      this.groupVersions.set(apiVersion, entry);
      // A failed discovery is not remembered: the next call asks again.
      entry.kinds.catch(() => this.groupVersions.delete(apiVersion));
    }
    return (await entry.kinds)?.get(kind);
  }

  private async discover(apiVersion: string, signal?: AbortSignal): Promise<Map<string, ResolvedKind> | undefined> {
    const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    let list: ApiResourceList;
    try {
      list = await this.client.transport.request<ApiResourceList>({ method: 'GET', path, ...(signal ? { signal } : {}) });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    const kinds = new Map<string, ResolvedKind>();
    for (const r of list.resources ?? []) {
      if (r.name.includes('/')) continue; // subresources share their parent's kind
      kinds.set(r.kind, { apiVersion, plural: r.name, kind: r.kind, namespaced: r.namespaced });
    }
    return kinds;
  }
}
