/** A CA, cloudcore's certificate and a running bootstrap server on 127.0.0.1, for this package's tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import { testLogger } from '../../kube/testing/log';
import { createMetricsRegistry } from '../../metrics';
import { createCA, issueCertificate, withFingerprint, type CertificateAuthority, type KeyPairPem } from '../../pki';
import { startBootstrapServer, type BootstrapServer, type BootstrapServerOptions } from '../bootstrap-server';
import { loopbackServerRequest } from '../certificate-signer';
import type { CredentialFiles } from '../files';

export const log = testLogger();
export const DAY_MS = 86_400_000;

export interface TestCloud {
  ca: CertificateAuthority;
  server: KeyPairPem;
  registry: Registry;
  bootstrap: BootstrapServer;
  close(): Promise<void>;
}

export async function startTestCloud(overrides: Partial<BootstrapServerOptions> = {}): Promise<TestCloud> {
  const ca = overrides.ca ? withFingerprint(overrides.ca) : await createCA('KubeEdge');
  const server =
    overrides.server ?? (await issueCertificate(ca, loopbackServerRequest(1)));
  const registry = createMetricsRegistry();
  const bootstrap = await startBootstrapServer({
    address: '127.0.0.1',
    port: 0,
    edgeCertSigningDurationMs: 365 * DAY_MS,
    log,
    registry,
    ...overrides,
    ca,
    server,
  });
  return { ca, server, registry, bootstrap, close: () => bootstrap.close() };
}

/** A fresh folder and the three credential paths in subfolders of it that do not exist yet. */
export function nodeFiles(): CredentialFiles & { dir: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'join-node-'));
  return {
    dir,
    caFile: join(dir, 'ca', 'rootCA.crt'),
    certFile: join(dir, 'certs', 'server.crt'),
    keyFile: join(dir, 'certs', 'server.key'),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The body as JSON, for refusals. */
  json(): { reason: string; message: string };
}

/** Any request, any method, with or without a client certificate; the server is not verified (tests only). */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer; cert?: KeyPairPem; chunked?: boolean } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: options.method ?? 'GET',
        agent: false,
        rejectUnauthorized: false,
        // Explicit, as Go's client sends it: Node would send a GET body with neither length nor chunking.
        headers: { ...options.headers, ...(options.body !== undefined && !options.chunked ? { 'Content-Length': String(Buffer.byteLength(options.body)) } : {}) },
        ...(options.cert ? { cert: options.cert.certPem, key: options.cert.keyPem } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body, json: () => JSON.parse(body.toString()) as never });
        });
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    if (options.chunked && options.body !== undefined) {
      // Many small writes with no Content-Length: the server must stop at its limit while the body streams in.
      const body = Buffer.from(options.body);
      for (let at = 0; at < body.length; at += 64 * 1024) outgoing.write(body.subarray(at, at + 64 * 1024));
      outgoing.end();
    } else {
      outgoing.end(options.body);
    }
  });
}
