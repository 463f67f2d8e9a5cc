/** Raw TLS and HTTP/2 connections to the tunnel port, for what grpc-js would never send. */
import { connect as http2Connect, type ClientHttp2Session } from 'node:http2';
import { connect as tlsConnect } from 'node:tls';
import type { HostPort } from '../../../pkg/config';
import type { KeyPairPem } from '../../../pkg/pki';

const TLS_TIMEOUT_MS = 3000;

/**
 * Completes a TLS handshake with `certificate`, sends the HTTP/2 preface and waits for the server's verdict:
 * 'accepted' when it answers (its SETTINGS frame), 'refused' when it closes the connection without a word (Node's TLS
 * server drops a client whose certificate fails verification), or the client-side error code.
 */
export function tlsVerdict(address: HostPort, caPem: string, certificate: KeyPairPem): Promise<string> {
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host: address.host,
      port: address.port,
      ca: caPem,
      cert: certificate.certPem,
      key: certificate.keyPem,
      servername: 'localhost',
      ALPNProtocols: ['h2'],
    });
    const settle = (verdict: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(verdict);
    };
    const timer = setTimeout(() => settle('no answer'), TLS_TIMEOUT_MS);
    socket.on('error', (error: NodeJS.ErrnoException) => settle(error.code ?? error.message));
    // With TLS 1.3 the server judges the client certificate after the client considers the handshake done.
    socket.on('secureConnect', () => socket.write(Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')));
    socket.on('data', () => settle('accepted'));
    socket.on('close', () => settle('refused'));
  });
}

/** An HTTP/2 session over mutual TLS, for sending hand-made gRPC frames. */
export function http2Session(address: HostPort, caPem: string, certificate: KeyPairPem): ClientHttp2Session {
  return http2Connect(`https://localhost:${address.port}`, {
    host: address.host,
    ca: caPem,
    cert: certificate.certPem,
    key: certificate.keyPem,
    servername: 'localhost',
  });
}

export interface RawStreamResult {
  grpcStatus: number | undefined;
  grpcMessage: string;
}

/**
 * Opens a Tunnel stream, writes `body` (gRPC length-prefixed frames, valid or not) and resolves with the status the
 * server ends it with. With `end` false the stream stays open after the body, as a live edge's would.
 */
export function rawTunnelCall(session: ClientHttp2Session, body: Buffer, end = false): Promise<RawStreamResult> {
  return new Promise((resolve, reject) => {
    const stream = session.request({
      ':method': 'POST',
      ':path': '/kubeedge.tunnel.v1.CloudHubService/Tunnel',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    let settled = false;
    const settle = (result: RawStreamResult) => {
      if (settled) return;
      settled = true;
      stream.close();
      resolve(result);
    };
    const read = (headers: Record<string, unknown>) => {
      if (headers['grpc-status'] === undefined) return;
      settle({ grpcStatus: Number(headers['grpc-status']), grpcMessage: decodeURIComponent(String(headers['grpc-message'] ?? '')) });
    };
    stream.on('response', read);
    stream.on('trailers', read);
    stream.on('data', () => undefined);
    stream.on('close', () => settle({ grpcStatus: undefined, grpcMessage: `stream closed (code ${stream.rstCode})` }));
    stream.on('error', (error) => (settled ? undefined : reject(error)));
    if (end) stream.end(body);
    else stream.write(body);
  });
}

/** One gRPC message: compressed flag 0, big-endian length, payload. */
export function grpcFrame(payload: Buffer, declaredLength = payload.length): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(declaredLength, 1);
  return Buffer.concat([header, payload]);
}
