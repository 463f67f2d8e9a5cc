/**
 * The embedded Kubernetes-compatible API server: HTTPS (or plain HTTP for tests), authentication, discovery, OpenAPI,
 * and the generic REST handlers over the store. Every failure is answered as a Kubernetes Status object.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { MAX_BODY_BYTES } from './body';
import {
  aggregatedContentType,
  aggregatedDiscovery,
  aggregatedFormat,
  apiGroupList,
  apiGroupOf,
  apiResourceList,
  apiVersions,
} from './discovery';
import { get, list } from './handlers/read';
import { create, patch, update } from './handlers/write';
import { remove, removeCollection } from './handlers/delete';
import { watch, BOOKMARK_INTERVAL_MS, WATCH_COALESCE_MS } from './handlers/watch';
import { bind, finalize, scale } from './handlers/subresources';
import type { ApiParts, RequestScope, UserInfo } from './handlers/scope';
import type { OpenApiService } from './openapi';
import type { TypeRegistry } from './registry';
import { parseResourcePath, type ResourceRequest } from './request-info';
import { writeJson, writeStatusError, writeText } from './respond';
import { internalError, methodNotAllowed, notFound, pathNotFound, StatusError, unauthorized } from './status';
import type { Store } from './storage';

export interface TlsOptions {
  certPem: string;
  keyPem: string;
  /** Client certificates signed by this CA authenticate as CN (user) and O (groups). */
  clientCaPem: string;
}

export interface ApiServerOptions {
  store: Store;
  registry: TypeRegistry;
  openapi: OpenApiService;
  log: Logger;
  /** Omitted: plain HTTP, for tests that do not exercise TLS. */
  tls?: TlsOptions;
  /** Bearer tokens and whom they stand for. */
  tokens?: ReadonlyMap<string, UserInfo>;
  now?: () => Date;
  maxBodyBytes?: number;
  bookmarkIntervalMs?: number;
  /** See WATCH_COALESCE_MS; 0 writes every batch of events as soon as the writing request has answered. */
  watchCoalesceMs?: number;
  /** Reported by /version. */
  gitVersion?: string;
}

export interface ApiServer {
  readonly server: http.Server;
  listen(port: number, host: string): Promise<AddressInfo>;
  close(): Promise<void>;
}

/** Paths a load balancer or kubelet probe may read without credentials, as the real server allows. */
const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz']);

export function createApiServer(options: ApiServerOptions): ApiServer {
  const parts: ApiParts = {
    store: options.store,
    registry: options.registry,
    log: options.log,
    now: options.now ?? (() => new Date()),
    maxBodyBytes: options.maxBodyBytes ?? MAX_BODY_BYTES,
    watchTiming: {
      bookmarkIntervalMs: options.bookmarkIntervalMs ?? BOOKMARK_INTERVAL_MS,
      coalesceMs: options.watchCoalesceMs ?? WATCH_COALESCE_MS,
    },
  };
  const certificateUsers: CertificateUsers = new WeakMap();
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    serve(parts, options, certificateUsers, req, res).catch((error: unknown) => {
      const status = error instanceof StatusError ? error : internalError(error instanceof Error ? error.message : String(error));
      if (!(error instanceof StatusError)) options.log.error({ err: error, method: req.method, url: req.url }, 'request failed');
      if (res.headersSent) res.end();
      else writeStatusError(res, status);
    });
  };
  const server = options.tls
    ? https.createServer(
        { cert: options.tls.certPem, key: options.tls.keyPem, ca: options.tls.clientCaPem, requestCert: true, rejectUnauthorized: false },
        handler,
      )
    : http.createServer(handler);
  // Watches are long-lived; the server's own timeouts must not cut them.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 65_000;
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return {
    server,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

async function serve(
  parts: ApiParts,
  options: ApiServerOptions,
  certificateUsers: CertificateUsers,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://apiserver');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  if (PUBLIC_PATHS.has(path)) {
    writeText(res, 200, 'ok', 'text/plain; charset=utf-8');
    return;
  }
  const user = authenticate(req, options.tokens, certificateUsers);
  if (!user) throw unauthorized();
  const method = req.method ?? 'GET';

  const info = parseResourcePath(method, path, url.searchParams);
  if (info) {
    await serveResource(parts, req, res, url.searchParams, info, user);
    return;
  }
  if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed(`${method} is not allowed on ${path}`);
  serveInfo(parts, options, req, res, path);
}

/** Non-resource GETs: version, discovery, OpenAPI. */
function serveInfo(parts: ApiParts, options: ApiServerOptions, req: http.IncomingMessage, res: http.ServerResponse, path: string): void {
  const segments = path.split('/').filter(Boolean);
  const registry = parts.registry;
  if (path === '/version') {
    writeJson(res, 200, versionInfo(options.gitVersion));
    return;
  }
  if (path === '/api' || path === '/apis') {
    const format = aggregatedFormat(req.headers.accept);
    if (format) {
      writeText(res, 200, JSON.stringify(aggregatedDiscovery(registry, path === '/api', format)), aggregatedContentType(format));
    } else {
      writeJson(res, 200, path === '/api' ? apiVersions(req.headers.host ?? '127.0.0.1') : apiGroupList(registry));
    }
    return;
  }
  if (segments[0] === 'api' && segments.length === 2) {
    const resources = apiResourceList(registry, '', segments[1]!);
    if (!resources) throw pathNotFound();
    writeJson(res, 200, resources);
    return;
  }
  if (segments[0] === 'apis' && segments.length === 2) {
    const group = apiGroupOf(registry, segments[1]!);
    if (!group) throw pathNotFound();
    writeJson(res, 200, group);
    return;
  }
  if (segments[0] === 'apis' && segments.length === 3) {
    const resources = apiResourceList(registry, segments[1]!, segments[2]!);
    if (!resources) throw pathNotFound();
    writeJson(res, 200, resources);
    return;
  }
  if (segments[0] === 'openapi' && segments[1] === 'v3') {
    const doc = segments.length === 2 ? options.openapi.root() : options.openapi.document(segments.slice(2).join('/'));
    if (!doc) throw pathNotFound();
    writeText(res, 200, doc, 'application/json');
    return;
  }
  throw pathNotFound();
}

async function serveResource(
  parts: ApiParts,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  query: URLSearchParams,
  info: ResourceRequest,
  user: UserInfo,
): Promise<void> {
  const type = parts.registry.lookup(info.group, info.version, info.resource);
  if (!type) throw pathNotFound();
  if (!type.namespaced && info.namespace) throw pathNotFound();
  const scope: RequestScope = { parts, req, res, query, info, type, user };
  const { verb, subresource } = info;
  if (subresource === '') {
    if (!type.verbs.includes(verb)) throw methodNotAllowed(`${verb} is not supported on ${type.plural}`);
    if (verb === 'create' && info.name) throw methodNotAllowed(`POST is not allowed on a named ${type.singular}; POST to the collection`);
    switch (verb) {
      case 'get':
        return get(scope);
      case 'list':
        return list(scope);
      case 'watch':
        return watch(scope, parts.watchTiming);
      case 'create':
        return create(scope);
      case 'update':
        return update(scope);
      case 'patch':
        return patch(scope);
      case 'delete':
        return remove(scope);
      case 'deletecollection':
        return removeCollection(scope);
    }
  }
  if (!type.subresources.includes(subresource)) throw notFound(type, `${info.name}/${subresource}`);
  switch (subresource) {
    case 'status':
      if (verb === 'get') return get(scope);
      if (verb === 'update') return update(scope);
      if (verb === 'patch') return patch(scope);
      break;
    case 'scale':
      return scale(scope);
    case 'binding':
      if (verb === 'create') return bind(scope);
      break;
    case 'finalize':
      if (verb === 'update') return finalize(scope);
      break;
  }
  throw methodNotAllowed(`${verb} is not supported on ${type.plural}/${subresource}`);
}

/** Who each TLS connection's verified client certificate names; read once per connection, not per request. */
type CertificateUsers = WeakMap<TLSSocket, UserInfo | null>;

/** A verified client certificate (CN = user, O = groups), or a known bearer token. */
function authenticate(
  req: http.IncomingMessage,
  tokens: ReadonlyMap<string, UserInfo> | undefined,
  certificateUsers: CertificateUsers,
): UserInfo | undefined {
  const socket = req.socket as TLSSocket;
  if (socket.encrypted && socket.authorized) {
    let user = certificateUsers.get(socket);
    if (user === undefined) {
      const peer = socket.getPeerCertificate();
      const org = peer?.subject?.O as string | string[] | undefined;
      user = peer?.subject?.CN ? { name: String(peer.subject.CN), groups: org === undefined ? [] : Array.isArray(org) ? org : [org] } : null;
      certificateUsers.set(socket, user);
    }
    if (user) return user;
  }
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ') && tokens) return tokens.get(header.slice('Bearer '.length).trim());
  // Without TLS (tests only) a request with no credentials is still anonymous, and refused.
  return undefined;
}

function versionInfo(gitVersion = 'v1.32.0-kubeedge-ts'): Record<string, string> {
  const [major, minor] = gitVersion.replace(/^v/, '').split('.');
  return {
    major: major ?? '1',
    minor: minor ?? '32',
    gitVersion,
    gitCommit: '',
    gitTreeState: 'clean',
    buildDate: '',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsc',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}
