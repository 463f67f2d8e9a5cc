/**
 * What the API server serves, from discovery (/api, /apis, each preferred group version), so the garbage collector and
 * the namespace controller work on every type, custom resources included. Refreshed periodically and on request (a
 * CustomResourceDefinition changed); listeners hear about changes.
 */
import type { Logger } from 'pino';
import type { Client } from '../../pkg/kube';
import { sleep } from '../../pkg/timing';
import { groupOf } from './util/meta';

export interface DiscoveredResource {
  /** "v1", "apps/v1", "devices.kubeedge.io/v1beta1". */
  apiVersion: string;
  group: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  verbs: readonly string[];
}

export interface DiscoveryResult {
  resources: DiscoveredResource[];
  /** Group versions whose discovery failed, with why ("metrics.k8s.io/v1beta1: ..."). */
  failures: string[];
}

interface ApiResourceList {
  resources?: { name: string; kind: string; namespaced: boolean; verbs?: string[] }[];
}

interface ApiGroupList {
  groups?: { name: string; preferredVersion?: { groupVersion: string }; versions?: { groupVersion: string }[] }[];
}

export class Discovery {
  private current: DiscoveryResult = { resources: [], failures: [] };
  private readonly listeners = new Set<(result: DiscoveryResult) => void>();
  private wake: (() => void) | undefined;
  private inflight: Promise<DiscoveryResult> | undefined;
  private refreshRequested = false;

  constructor(
    private readonly client: Client,
    private readonly log: Logger,
    private readonly resyncMs: number,
  ) {}

  get resources(): readonly DiscoveredResource[] {
    return this.current.resources;
  }

  /** The served resource of an owner reference: its exact apiVersion, or the same group and kind in the preferred one. */
  resourceFor(apiVersion: string, kind: string): DiscoveredResource | undefined {
    const group = groupOf(apiVersion);
    const exact = this.current.resources.find((r) => r.apiVersion === apiVersion && r.kind === kind);
    return exact ?? this.current.resources.find((r) => r.group === group && r.kind === kind);
  }

  onChange(listener: (result: DiscoveryResult) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Asks the running loop for a refresh now (a CRD was added or removed). */
  requestRefresh(): void {
    if (this.wake) this.wake();
    else this.refreshRequested = true;
  }

  /** A fresh discovery; concurrent callers share one round of requests. */
  refresh(signal?: AbortSignal): Promise<DiscoveryResult> {
    this.inflight ??= this.discover(signal).finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  /** Refreshes every resyncMs (and on request) until the signal aborts. The first refresh is done by the caller. */
  async start(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (this.refreshRequested) this.refreshRequested = false;
      else await this.pause(signal);
      if (signal.aborted) return;
      // Let a burst of CRD events settle, and give a new CRD's API a moment to be served.
      await sleep(300, signal).catch(() => undefined);
      await this.refresh(signal).catch((err: unknown) => this.log.warn({ err }, 'discovery failed; keeping the last result'));
    }
  }

  /** Waits resyncMs, or less if a refresh is requested or the signal aborts. */
  private async pause(signal: AbortSignal): Promise<void> {
    let wake: () => void = () => undefined;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => wake(), this.resyncMs);
      timer.unref();
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
      this.wake = wake;
      signal.addEventListener('abort', wake, { once: true });
    });
    signal.removeEventListener('abort', wake);
    this.wake = undefined;
  }

  private async discover(signal?: AbortSignal): Promise<DiscoveryResult> {
    const get = <T>(path: string): Promise<T> => this.client.transport.request<T>({ method: 'GET', path, ...(signal ? { signal } : {}) });
    const versions: string[] = ['v1'];
    const groups = await get<ApiGroupList>('/apis');
    for (const g of groups.groups ?? []) {
      if (!g.name) continue; // the core group is served under /api, never /apis
      const preferred = g.preferredVersion?.groupVersion ?? g.versions?.[0]?.groupVersion;
      if (preferred) versions.push(preferred);
    }
    const resources: DiscoveredResource[] = [];
    const failures: string[] = [];
    await Promise.all(
      versions.map(async (apiVersion) => {
        try {
          const list = await get<ApiResourceList>(apiVersion === 'v1' ? '/api/v1' : `/apis/${apiVersion}`);
          for (const r of list.resources ?? []) {
            if (r.name.includes('/')) continue; // subresources
            resources.push({ apiVersion, group: groupOf(apiVersion), plural: r.name, kind: r.kind, namespaced: r.namespaced, verbs: r.verbs ?? [] });
          }
        } catch (error) {
          if (signal?.aborted) throw error;
          failures.push(`${apiVersion}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }),
    );
    resources.sort((a, b) => (a.apiVersion + a.plural < b.apiVersion + b.plural ? -1 : 1));
    const changed = JSON.stringify(resources) !== JSON.stringify(this.current.resources);
    if (changed || failures.length > 0) this.log.debug({ resources: resources.length, failures }, 'discovered');
    this.current = { resources, failures: failures.sort() };
    if (changed) for (const listener of this.listeners) listener(this.current);
    return this.current;
  }
}
