/**
 * Raw REST calls and watches through client-node's own HTTP stack: its RequestContext, fetch library and kubeconfig
 * authentication (certificates, tokens, exec plugins, proxies), so behaviour matches its generated clients. Bodies are
 * plain JSON both ways, never run through its model serializer.
 */
import type { Agent as HttpAgent } from 'node:http';
import { Agent } from 'node:https';
import { IsomorphicFetchHttpLibrary, ServerConfiguration, Watch, type HttpMethod, type KubeConfig } from './client-node';
import { KubeApiError, type KubeStatus } from './errors';

export type QueryValue = string | number | boolean | undefined;

export interface RestRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, QueryValue>;
  /** Serialized as JSON. */
  body?: unknown;
  /** Default application/json. */
  contentType?: string;
  signal?: AbortSignal;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface WatchEvent<T> {
  type: WatchEventType;
  object: T;
}

export interface WatchRequest {
  path: string;
  query: Record<string, QueryValue>;
  signal: AbortSignal;
}

/** The transport a Client needs; narrow so tests of code above it can hand in a double. */
export interface RestTransport {
  request<T>(request: RestRequest): Promise<T>;
  /**
   * Streams events to `onEvent` until the server ends the watch (resolves) or it fails: an ERROR event or an HTTP error
   * rejects with KubeApiError (410 for expired history), a dropped connection with code 0. Aborting rejects with the
   * signal's reason.
   */
  watch<T>(request: WatchRequest, onEvent: (event: WatchEvent<T>) => void): Promise<void>;
}

export class KubeConfigTransport implements RestTransport {
  private readonly server: ServerConfiguration<Record<string, string>>;
  private readonly http = new IsomorphicFetchHttpLibrary();
  private readonly watcher: Watch;
  private keptAlive: { credentials: string; agent: Agent } | undefined;

  constructor(private readonly kubeConfig: KubeConfig) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new TypeError('the kubeconfig has no current cluster');
    this.server = new ServerConfiguration(cluster.server.replace(/\/+$/, ''), {});
    this.watcher = new Watch(kubeConfig);
  }

  async request<T>(request: RestRequest): Promise<T> {
    const what = `${request.method} ${request.path}`;
    const context = this.server.makeRequestContext(request.path, request.method as HttpMethod);
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) context.setQueryParam(name, String(value));
    }
    context.setHeaderParam('Accept', 'application/json');
    if (request.body !== undefined) {
      context.setHeaderParam('Content-Type', request.contentType ?? 'application/json');
      context.setBody(JSON.stringify(request.body));
    }
    if (request.signal) context.setSignal(request.signal);
    let status: number;
    let text: string;
    try {
      // Authentication, TLS agent and (RateLimitedKubeConfig) the rate limit.
      await this.kubeConfig.applySecurityAuthentication(context);
      const agent = context.getAgent();
      if (agent) context.setAgent(this.reuse(agent));
      const response = await this.http.send(context).toPromise();
      status = response.httpStatusCode;
      text = await response.body.text();
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      throw KubeApiError.unreachable(what, error);
    }
    if (status < 200 || status > 299) throw KubeApiError.fromResponse(status, text, what);
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new KubeApiError(status, 'InvalidResponse', `${what}: the answer is not JSON: ${text.slice(0, 200)}`, undefined, { cause: error });
    }
  }

  /**
   * client-node makes a new agent for every request, so every request would pay a TCP and TLS handshake (about 40% of
   * cloudcore's busy time under a stream of status patches, and a ceiling near 100 writes/s). A plain HTTPS agent is
   * swapped for one kept-alive agent with the same TLS settings, made again only when those change (rotated
   * credentials). Proxy agents are left as they are.
   */
  private reuse(agent: HttpAgent): HttpAgent {
    if (!(agent instanceof Agent) || agent.constructor !== Agent) return agent;
    const { ca, cert, key, pfx, passphrase, rejectUnauthorized, servername } = agent.options;
    const credentials = JSON.stringify([ca, cert, key, pfx, passphrase, rejectUnauthorized, servername], (_key, value: unknown) =>
      // Buffers arrive as {type, data} here (toJSON runs first); base64 keeps the key short.
      isJsonBuffer(value) ? Buffer.from(value.data).toString('base64') : value,
    );
    if (this.keptAlive?.credentials !== credentials) {
      this.keptAlive?.agent.destroy();
      this.keptAlive = { credentials, agent: new Agent({ ...agent.options, keepAlive: true }) };
    }
    return this.keptAlive.agent;
  }

  watch<T>({ path, query, signal }: WatchRequest, onEvent: (event: WatchEvent<T>) => void): Promise<void> {
    const what = `watch ${path}`;
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      let connection: AbortController | undefined;
      let settled = false;
      const finish = (error?: unknown): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        connection?.abort();
        if (error === undefined) resolve();
        else reject(error);
      };
      const onAbort = (): void => finish(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });

      const onLine = (type: string, object: unknown): void => {
        if (settled) return;
        try {
          if (type === 'ERROR') finish(KubeApiError.fromStatus((object ?? {}) as KubeStatus, what));
          else onEvent({ type: type as WatchEventType, object: object as T });
        } catch (error) {
          // client-node's Watch swallows callback errors as "parse errors"; end the watch with it instead.
          finish(error);
        }
      };
      const onDone = (error: unknown): void => {
        if (error === null || error === undefined) return finish();
        if (signal.aborted) return finish(signal.reason);
        const code = (error as { statusCode?: unknown }).statusCode;
        finish(typeof code === 'number' ? KubeApiError.fromResponse(code, '', what) : KubeApiError.unreachable(what, error));
      };
      // Watch resolves with the connection's controller only once the response headers arrive.
      this.watcher.watch(path, query, onLine, onDone).then(
        (controller) => {
          connection = controller;
          if (settled) controller.abort();
        },
        (error: unknown) => finish(signal.aborted ? signal.reason : KubeApiError.unreachable(what, error)),
      );
    });
  }
}

function isJsonBuffer(value: unknown): value is { type: 'Buffer'; data: number[] } {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'Buffer' && Array.isArray((value as { data?: unknown }).data);
}
