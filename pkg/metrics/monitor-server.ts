import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { formatHostPort, type HostPort } from '../config/address';

/** One thing /healthz asks about. `check` resolves when healthy and throws (with the reason) when not. */
export interface HealthCheck {
  readonly name: string;
  check(): Promise<void> | void;
}

export interface MonitorServerOptions {
  readonly bindAddress: HostPort;
  readonly registry: Registry;
  readonly healthChecks?: readonly HealthCheck[];
  /** A check slower than this counts as failing, so /healthz always answers. Default 2000. */
  readonly healthCheckTimeoutMs?: number;
  /** Aborting closes the server and its open connections. */
  readonly signal: AbortSignal;
}

export interface MonitorServer {
  /** The address actually bound (the real port when 0 was asked for). */
  readonly address: HostPort;
  /** Resolves once the server has closed after the signal aborted. */
  readonly closed: Promise<void>;
}

export class MonitorServerError extends Error {
  override readonly name = 'MonitorServerError';
  readonly code = 'MONITOR_LISTEN_FAILED';
}

const TEXT = 'text/plain; charset=utf-8';

/** Serves GET /metrics (Prometheus text format) and GET /healthz; anything else is 404 or 405. */
export async function startMonitorServer(options: MonitorServerOptions): Promise<MonitorServer> {
  const timeoutMs = options.healthCheckTimeoutMs ?? 2000;
  const server = createServer((request, response) => {
    handle(request, response, options, timeoutMs).catch((error: unknown) => {
      if (!response.headersSent) reply(response, 500, TEXT, `internal error: ${(error as Error).message}\n`);
      else response.destroy();
    });
  });
  const address = await listen(server, options.bindAddress);
  const closed = new Promise<void>((resolve) => server.once('close', resolve));
  const close = () => {
    server.close();
    server.closeAllConnections();
  };
  if (options.signal.aborted) close();
  else options.signal.addEventListener('abort', close, { once: true });
  return { address, closed };
}

function listen(server: Server, bindAddress: HostPort): Promise<HostPort> {
  return new Promise((resolve, reject) => {
    const onError = (cause: Error) => {
      reject(new MonitorServerError(`monitor server cannot listen on ${formatHostPort(bindAddress)}: ${cause.message}`, { cause }));
    };
    server.once('error', onError);
    server.listen({ host: bindAddress.host, port: bindAddress.port }, () => {
      server.off('error', onError);
      const bound = server.address() as AddressInfo;
      resolve({ host: bound.address, port: bound.port });
    });
  });
}

async function handle(request: IncomingMessage, response: ServerResponse, options: MonitorServerOptions, timeoutMs: number) {
  const path = new URL(request.url ?? '/', 'http://monitor').pathname;
  if (path !== '/metrics' && path !== '/healthz') return reply(response, 404, TEXT, 'not found; try /metrics or /healthz\n');
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    return reply(response, 405, TEXT, 'method not allowed; use GET\n');
  }
  if (path === '/metrics') return reply(response, 200, options.registry.contentType, await options.registry.metrics());
  const failures = await failingChecks(options.healthChecks ?? [], timeoutMs);
  if (failures.length === 0) return reply(response, 200, TEXT, 'ok\n');
  return reply(response, 503, TEXT, `unhealthy\n${failures.join('\n')}\n`);
}

/** Runs every check at once; each failure reads `name: reason`. */
async function failingChecks(checks: readonly HealthCheck[], timeoutMs: number): Promise<string[]> {
  const results = await Promise.all(
    checks.map(async (check) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs}ms`)), timeoutMs);
      });
      try {
        await Promise.race([Promise.resolve().then(() => check.check()), timeout]);
        return undefined;
      } catch (error) {
        return `${check.name}: ${error instanceof Error ? error.message : String(error)}`;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return results.filter((failure): failure is string => failure !== undefined);
}

function reply(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
  response.end(body);
}
