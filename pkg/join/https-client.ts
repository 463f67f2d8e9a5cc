/**
 * The edge's one HTTPS request to the bootstrap server. Before the CA is known the server cannot be verified (the
 * caller then checks what it got against the token's hash); after that, only a server certificate signed by that CA,
 * for the host in edgeHub.httpServer, is accepted.
 */
import { request as httpsRequest } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { JoinError } from './errors';

const MAX_RESPONSE_BYTES = 1 << 20;

export interface BootstrapRequest {
  /** edgeHub.httpServer, such as https://192.0.2.10:10002. */
  httpServer: string;
  path: '/ca.crt' | '/edge.crt';
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** 'insecure' only for /ca.crt, whose answer the caller checks against the token. */
  trust: 'insecure' | { caPem: string };
  /** The node's current certificate, for renewal over mutual TLS. */
  clientCertificate?: { certPem: string; keyPem: string };
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface BootstrapResponse {
  status: number;
  contentType: string;
  body: Buffer;
}

export async function bootstrapRequest(request: BootstrapRequest): Promise<BootstrapResponse> {
  let url: URL;
  try {
    url = new URL(request.path, request.httpServer);
  } catch (cause) {
    throw new JoinError('UNREACHABLE', `edgeHub.httpServer ${JSON.stringify(request.httpServer)} is not a URL; write https://<cloudcore address>:10002`, { cause });
  }
  const signals = [AbortSignal.timeout(request.timeoutMs), ...(request.signal ? [request.signal] : [])];
  const signal = AbortSignal.any(signals);
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  try {
    return await new Promise<BootstrapResponse>((resolve, reject) => {
      const outgoing = httpsRequest(
        url,
        {
          method: request.method,
          agent: false,
          signal,
          headers: { ...request.headers, ...(body ? { 'Content-Length': String(body.length) } : {}) },
          ...(request.trust === 'insecure' ? { rejectUnauthorized: false } : { ca: request.trust.caPem, rejectUnauthorized: true }),
          ...(request.clientCertificate ? { cert: request.clientCertificate.certPem, key: request.clientCertificate.keyPem } : {}),
        },
        (response) => readResponse(response).then(resolve, reject),
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  } catch (cause) {
    if (cause instanceof JoinError) throw cause;
    if (request.signal?.aborted) throw request.signal.reason;
    const why = signal.aborted ? `no answer within ${request.timeoutMs} ms` : (cause as Error).message;
    throw new JoinError(
      'UNREACHABLE',
      `cannot reach cloudcore's bootstrap server at ${url.origin}: ${why}; check edgeHub.httpServer and that cloudcore's HTTPS port is open`,
      { cause },
    );
  }
}

function readResponse(response: IncomingMessage): Promise<BootstrapResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_RESPONSE_BYTES) {
        response.destroy();
        reject(new JoinError('BAD_RESPONSE', `the bootstrap server's answer is over ${MAX_RESPONSE_BYTES} bytes; is edgeHub.httpServer cloudcore?`));
        return;
      }
      chunks.push(chunk);
    });
    response.on('end', () =>
      resolve({ status: response.statusCode ?? 0, contentType: String(response.headers['content-type'] ?? ''), body: Buffer.concat(chunks) }),
    );
    response.on('error', reject);
  });
}
