/**
 * The typed facade controllers use: one ResourceClient per resource, generic over the object type, for namespaced and
 * cluster-scoped resources alike. Failures are KubeApiError (see errors.ts).
 */
import type { KubeConfig } from './client-node';
import type { KubeStatus } from './errors';
import { resourceName, resourcePath, type KubeList, type KubeObject, type ResourceRef } from './resource';
import { KubeConfigTransport, type QueryValue, type RestTransport, type WatchEvent } from './rest';

export interface CallOptions {
  /** Required for namespaced resources (unless the object carries it); omitted for cluster-scoped ones. */
  namespace?: string;
  signal?: AbortSignal;
}

export interface WriteOptions extends CallOptions {
  /** Defaults to the client's fieldManager. */
  fieldManager?: string;
  dryRun?: boolean;
}

export interface ListOptions extends CallOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  /** "0" lets the server answer from its cache; omitted means a consistent (quorum) read. */
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}

export type PatchType = 'merge' | 'strategic' | 'json';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
};

export interface PatchOptions extends WriteOptions {
  type: PatchType;
  /** e.g. "status". */
  subresource?: string;
}

export interface DeleteOptions extends CallOptions {
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  gracePeriodSeconds?: number;
  /** The delete fails with 409 Conflict unless the object still has this uid / resourceVersion. */
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface WatchOptions {
  namespace?: string;
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  allowWatchBookmarks?: boolean;
  /** The server ends the watch after this; clients re-watch. */
  timeoutSeconds?: number;
  signal: AbortSignal;
}

export interface ClientOptions {
  /** Sent on every write, as kubectl sends "kubectl-client-side-apply". Default "kubeedge-ts". */
  fieldManager?: string;
}

export class Client {
  readonly fieldManager: string;

  constructor(
    readonly transport: RestTransport,
    options: ClientOptions = {},
  ) {
    this.fieldManager = options.fieldManager ?? 'kubeedge-ts';
  }

  resource<T extends KubeObject = KubeObject>(ref: ResourceRef): ResourceClient<T> {
    return new ResourceClient<T>(this, ref);
  }
}

/** A Client over a kubeconfig (use loadKubeConfig's, so requests are rate-limited). */
export function createClient(kubeConfig: KubeConfig, options: ClientOptions = {}): Client {
  return new Client(new KubeConfigTransport(kubeConfig), options);
}

export class ResourceClient<T extends KubeObject> {
  constructor(
    private readonly client: Client,
    readonly ref: ResourceRef,
  ) {}

  get name(): string {
    return resourceName(this.ref);
  }

  async get(name: string, options: CallOptions = {}): Promise<T> {
    return this.call('GET', options.namespace, name, undefined, {}, options.signal);
  }

  async list(options: ListOptions = {}): Promise<KubeList<T>> {
    const { labelSelector, fieldSelector, limit, resourceVersion, resourceVersionMatch } = options;
    const query = { labelSelector, fieldSelector, limit, continue: options.continue, resourceVersion, resourceVersionMatch };
    return this.call('GET', options.namespace, undefined, undefined, query, options.signal);
  }

  async create(object: T, options: WriteOptions = {}): Promise<T> {
    return this.write('POST', object, undefined, options);
  }

  /** PUT: fails with 409 Conflict when metadata.resourceVersion is stale. */
  async update(object: T, options: WriteOptions = {}): Promise<T> {
    return this.write('PUT', object, nameOf(object, this.name), options);
  }

  /** PUT to the status subresource: only status changes are kept. */
  async updateStatus(object: T, options: WriteOptions = {}): Promise<T> {
    return this.write('PUT', object, nameOf(object, this.name), options, 'status');
  }

  async patch(name: string, patch: unknown, options: PatchOptions): Promise<T> {
    const contentType = PATCH_CONTENT_TYPES[options.type];
    if (!contentType) throw new TypeError(`${this.name}: unknown patch type "${String(options.type)}"; use merge, strategic or json`);
    return this.client.transport.request<T>({
      method: 'PATCH',
      path: resourcePath(this.ref, options.namespace, name, options.subresource),
      query: this.writeQuery(options),
      body: patch,
      contentType,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /** Answers the object (when finalizers or a grace period keep it for now) or a Success Status. */
  async delete(name: string, options: DeleteOptions = {}): Promise<T | KubeStatus> {
    const body = {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      propagationPolicy: options.propagationPolicy,
      gracePeriodSeconds: options.gracePeriodSeconds,
      preconditions: options.preconditions,
      dryRun: options.dryRun ? ['All'] : undefined,
    };
    return this.client.transport.request<T | KubeStatus>({
      method: 'DELETE',
      path: resourcePath(this.ref, options.namespace, name),
      body,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /** One watch; see RestTransport.watch. The informer is what re-watches and relists. */
  async watch(options: WatchOptions, onEvent: (event: WatchEvent<T>) => void): Promise<void> {
    const { resourceVersion, labelSelector, fieldSelector, timeoutSeconds } = options;
    const query = {
      resourceVersion,
      labelSelector,
      fieldSelector,
      timeoutSeconds,
      allowWatchBookmarks: options.allowWatchBookmarks ? 'true' : undefined,
    };
    return this.client.transport.watch<T>({ path: resourcePath(this.ref, options.namespace), query, signal: options.signal }, onEvent);
  }

  private async write(method: 'POST' | 'PUT', object: T, name: string | undefined, options: WriteOptions, subresource?: string): Promise<T> {
    const namespace = options.namespace ?? object.metadata?.namespace;
    return this.call(method, namespace, name, object, this.writeQuery(options), options.signal, subresource);
  }

  private writeQuery(options: WriteOptions): Record<string, QueryValue> {
    return { fieldManager: options.fieldManager ?? this.client.fieldManager, dryRun: options.dryRun ? 'All' : undefined };
  }

  private async call<R>(
    method: 'GET' | 'POST' | 'PUT',
    namespace: string | undefined,
    name: string | undefined,
    body: unknown,
    query: Record<string, QueryValue>,
    signal: AbortSignal | undefined,
    subresource?: string,
  ): Promise<R> {
    return this.client.transport.request<R>({
      method,
      path: resourcePath(this.ref, namespace, name, subresource),
      query,
      ...(body !== undefined ? { body } : {}),
      ...(signal ? { signal } : {}),
    });
  }
}

function nameOf(object: KubeObject, what: string): string {
  const name = object.metadata?.name;
  if (!name) throw new TypeError(`${what}: the object has no metadata.name`);
  return name;
}
