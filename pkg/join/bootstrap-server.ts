/**
 * cloudcore's bootstrap HTTPS server (cloudHub.https, port 10002): GET /ca.crt answers the CA certificate (DER, as
 * KubeEdge's does) to anyone, and GET or POST /edge.crt signs a node's CSR (the body, PEM or DER) for a node holding
 * a join token or its current certificate (see certificate-signer.ts). A client certificate is asked for but not
 * required, so that both a joining node (token) and a renewing one (certificate) can connect.
 */
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Registry } from 'prom-client';
import type { Logger } from '../log';
import type { KeyPairPem } from '../pki';
import { decideEdgeCertificate, refusal, type PresentedCertificate, type Refusal } from './certificate-signer';
import { bootstrapMetrics } from './metrics';

/** KubeEdge's limit on a request body. */
export const DEFAULT_MAX_BODY_BYTES = 1 << 20;
/** A body this far past the limit is not even drained: the connection is cut. */
const DRAIN_LIMIT_FACTOR = 4;

export interface BootstrapServerOptions {
  /** cloudHub.https.address. */
  address: string;
  /** cloudHub.https.port; 0 picks a free port (tests). */
  port: number;
  ca: KeyPairPem;
  /** cloudcore's serving certificate, signed by `ca` (ensureCloudPki's `server`). */
  server: KeyPairPem;
  /** cloudHub.edgeCertSigningDuration. */
  edgeCertSigningDurationMs: number;
  log: Logger;
  registry?: Registry;
  /** Default 1 MiB. */
  maxBodyBytes?: number;
  /** Clock for token expiry; injected for tests. */
  now?: () => number;
  /** A request must arrive whole within this. Default 30 s. */
  requestTimeoutMs?: number;
}

export interface BootstrapServer {
  /** The bound port (the real one when 0 was asked for). */
  readonly port: number;
  /** https://host:port, with 127.0.0.1 for a wildcard address. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startBootstrapServer(options: BootstrapServerOptions): Promise<BootstrapServer> {
  const caDer = new X509Certificate(options.ca.certPem).raw;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const metrics = bootstrapMetrics(options.registry);
  const log = options.log;

  const server: Server = createServer(
    {
      cert: options.server.certPem,
      key: options.server.keyPem,
      ca: [options.ca.certPem],
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    },
    (request, response) => {
      route(request, response).catch((error: unknown) => {
        // A client that hung up mid-request is its own business; anything else is a bug worth seeing.
        if (request.destroyed && !request.complete) log.debug({ err: error, path: request.url }, 'bootstrap client went away');
        else log.error({ err: error, path: request.url }, 'bootstrap request failed');
        if (!response.headersSent) sendJson(response, 500, { reason: 'INTERNAL', message: `internal error: ${(error as Error).message}` });
        else response.destroy();
      });
    },
  );
  server.requestTimeout = options.requestTimeoutMs ?? 30_000;
  server.headersTimeout = Math.min(server.requestTimeout, 10_000);

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'https://bootstrap').pathname;
    if (path === '/ca.crt') {
      if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(request, response, methodNotAllowed('GET'), 'GET, HEAD');
      response.writeHead(200, { 'Content-Type': 'application/pkix-cert', 'Content-Length': caDer.length, 'Cache-Control': 'no-store' });
      response.end(request.method === 'HEAD' ? undefined : caDer);
      return;
    }
    if (path === '/edge.crt') {
      // KubeEdge's edge sends GET with the CSR as its body; POST is what HTTP means, so both are accepted.
      if (request.method !== 'GET' && request.method !== 'POST') return refuse(request, response, methodNotAllowed('GET or POST'), 'GET, POST');
      const body = await readBody(request, maxBodyBytes);
      if (body === 'too-large') {
        response.setHeader('Connection', 'close');
        return refuse(request, response, refusal(413, 'BODY_TOO_LARGE', `the request body is over ${maxBodyBytes} bytes; a CSR is a few hundred`));
      }
      const outcome = await decideEdgeCertificate(
        {
          nodeName: header(request, 'nodename'),
          authorization: header(request, 'authorization'),
          clientCertificate: presentedCertificate(request),
          body,
        },
        { ca: options.ca, validityMs: options.edgeCertSigningDurationMs, ...(options.now ? { now: options.now } : {}) },
      );
      if (!outcome.ok) return refuse(request, response, outcome);
      metrics.signed(outcome.via);
      log.info({ node: outcome.node, via: outcome.via, notAfter: outcome.notAfter.toISOString() }, 'signed a node certificate');
      response.writeHead(200, { 'Content-Type': 'application/pkix-cert', 'Content-Length': outcome.certDer.length, 'Cache-Control': 'no-store' });
      response.end(outcome.certDer);
      return;
    }
    refuse(request, response, refusal(404, 'NOT_FOUND', `no such path ${JSON.stringify(path)}; this server answers GET /ca.crt and GET or POST /edge.crt`));
  }

  function refuse(request: IncomingMessage, response: ServerResponse, outcome: Refusal, allow?: string): void {
    metrics.refused(outcome.reason);
    // Failed authentication or a node asking beyond itself is worth an operator's eye; the rest is noise.
    const level = outcome.httpStatus === 401 || outcome.httpStatus === 403 ? 'warn' : 'info';
    const context = { node: header(request, 'nodename'), remote: request.socket.remoteAddress, reason: outcome.reason, status: outcome.httpStatus };
    log[level](context, `refused a bootstrap request: ${outcome.message}`);
    if (allow !== undefined) response.setHeader('Allow', allow);
    sendJson(response, outcome.httpStatus, { reason: outcome.reason, message: outcome.message });
  }

  await listen(server, options.port, options.address);
  const port = (server.address() as AddressInfo).port;
  const host = options.address === '0.0.0.0' || options.address === '::' || options.address === '' ? '127.0.0.1' : options.address;
  const url = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log.info({ url }, 'bootstrap server listening');
  return {
    port,
    url,
    async close() {
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}

function listen(server: Server, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (cause: Error) => reject(new Error(`bootstrap server cannot listen on ${address}:${port} (cloudHub.https): ${cause.message}`, { cause }));
    server.once('error', onError);
    server.listen(port, address, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function methodNotAllowed(allowed: string): Refusal {
  return refusal(405, 'METHOD_NOT_ALLOWED', `method not allowed; use ${allowed}`);
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function presentedCertificate(request: IncomingMessage): PresentedCertificate | undefined {
  const socket = request.socket as TLSSocket;
  const peer = socket.getPeerCertificate();
  if (peer === null || peer === undefined || Object.keys(peer).length === 0) return undefined;
  const cn = peer.subject?.CN as string | string[] | undefined;
  return {
    authorized: socket.authorized,
    commonName: (Array.isArray(cn) ? cn[0] : cn) ?? '',
    ...(socket.authorizationError ? { error: String(socket.authorizationError) } : {}),
  };
}

/**
 * The body, or 'too-large' as soon as it passes `limitBytes`. A too-large body is then drained (so the client reads
 * the 413 instead of a reset) up to a few times the limit, after which the connection is cut.
 */
function readBody(request: IncomingMessage, limitBytes: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    const chunks: Buffer[] = [];
    let size = 0;
    let overflowed = false;
    const overflow = () => {
      overflowed = true;
      chunks.length = 0;
      resolve('too-large');
    };
    if (Number.isFinite(declared) && declared > limitBytes) overflow();
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (overflowed) {
        if (size > DRAIN_LIMIT_FACTOR * limitBytes) request.socket.destroy();
        return;
      }
      if (size > limitBytes) return overflow();
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (!overflowed) resolve(Buffer.concat(chunks));
    });
    request.on('error', (error) => {
      if (!overflowed) reject(error);
    });
  });
}

function sendJson(response: ServerResponse, status: number, body: { reason: string; message: string }): void {
  const text = `${JSON.stringify(body)}\n`;
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  response.end(text);
}
