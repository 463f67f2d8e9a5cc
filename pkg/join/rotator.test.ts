/** Certificate rotation over real mutual TLS on 127.0.0.1. */
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createCA, issueCertificate } from '../pki';
import { JoinError } from './errors';
import { writeNodeCredentials, type NodeCredentials } from './files';
import { joinCluster } from './join-cluster';
import { CertificateRotator, rotationDeadline, type CertificateRotatorOptions } from './rotator';
import { DAY_MS, log, nodeFiles, startTestCloud, type TestCloud } from './testing/bootstrap';
import { createJoinToken } from './token';

let cloud: TestCloud;
let files: ReturnType<typeof nodeFiles>;
beforeAll(async () => {
  cloud = await startTestCloud();
});
afterAll(() => cloud.close());
beforeEach(() => {
  files = nodeFiles();
});
afterEach(() => files.dispose());

async function joined(): Promise<NodeCredentials> {
  const token = createJoinToken(cloud.ca, new Date(Date.now() + 3_600_000));
  return joinCluster({ httpServer: cloud.bootstrap.url, token, nodeName: 'edge-1', log, ...files });
}

function rotator(overrides: Partial<CertificateRotatorOptions> = {}) {
  const rotated: NodeCredentials[] = [];
  const instance = new CertificateRotator({
    httpServer: cloud.bootstrap.url,
    nodeName: 'edge-1',
    log,
    ...files,
    onRotated: (credentials) => void rotated.push(credentials),
    ...overrides,
  });
  return { instance, rotated };
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('rotationDeadline', () => {
  it('falls between 70% and 90% of the lifetime, by the jitter', () => {
    const notBefore = new Date(0);
    const notAfter = new Date(1000 * DAY_MS);
    expect(rotationDeadline(notBefore, notAfter, () => 0).getTime()).toBe(700 * DAY_MS);
    expect(rotationDeadline(notBefore, notAfter, () => 0.5).getTime()).toBe(800 * DAY_MS);
    expect(rotationDeadline(notBefore, notAfter, () => 0.999_999).getTime()).toBeCloseTo(900 * DAY_MS, -5);
  });
});

describe('CertificateRotator', () => {
  it('renews over mutual TLS once the deadline has passed: new key, a certificate the CA signed, files replaced, caller told', async () => {
    const first = await joined();
    const lifetimeMs = first.notAfter.getTime() - first.notBefore.getTime();
    // The node's clock says 85% of the lifetime is gone; random 0.5 puts the deadline at 80%.
    const { instance, rotated } = rotator({ now: () => first.notBefore.getTime() + 0.85 * lifetimeMs, random: () => 0.5 });
    const stop = new AbortController();
    const running = instance.start(stop.signal);
    try {
      await until(() => rotated.length >= 1);
    } finally {
      stop.abort();
      await running;
    }
    const renewed = rotated[0]!;
    expect(renewed.certPem).not.toBe(first.certPem);
    expect(renewed.keyPem).not.toBe(first.keyPem);
    const cert = new X509Certificate(readFileSync(files.certFile));
    expect(cert.toString()).toBe(renewed.certPem);
    expect(cert.verify(new X509Certificate(cloud.ca.certPem).publicKey)).toBe(true);
    expect(cert.subject).toBe('CN=system:node:edge-1\nO=system:nodes');
    expect(readFileSync(files.keyFile, 'utf8')).toBe(renewed.keyPem);
    expect(statSync(files.keyFile).mode & 0o777).toBe(0o600);
    expect(await cloud.registry.getSingleMetricAsString('cloudhub_certificate_requests_total')).toContain('outcome="signed",reason="certificate"');
  });

  it('waits while the certificate is young', async () => {
    await joined();
    const { instance, rotated } = rotator();
    const stop = new AbortController();
    const running = instance.start(stop.signal);
    await new Promise((resolve) => setTimeout(resolve, 400));
    stop.abort();
    await running;
    expect(rotated).toEqual([]);
  });

  it('backs off while cloudcore is unreachable, and renews once it is back', async () => {
    const first = await joined();
    const port = await freePort();
    const { instance, rotated } = rotator({
      httpServer: `https://127.0.0.1:${port}`,
      now: () => first.notAfter.getTime() - 1000,
      retry: { initialMs: 100, maxMs: 400 },
      timeoutMs: 2000,
    });
    const stop = new AbortController();
    const running = instance.start(stop.signal);
    const later = await (async () => {
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(rotated).toEqual([]);
      return startTestCloud({ port, ca: cloud.ca, server: cloud.server });
    })();
    try {
      await until(() => rotated.length >= 1);
    } finally {
      stop.abort();
      await running;
      await later.close();
    }
    expect(new X509Certificate(rotated[0]!.certPem).verify(new X509Certificate(cloud.ca.certPem).publicKey)).toBe(true);
  });

  it('says to join again when cloudcore no longer accepts the certificate', async () => {
    const foreign = await createCA('foreign');
    const stranger = await issueCertificate(foreign, { commonName: 'system:node:edge-1', organizations: ['system:nodes'], usage: 'client', validDays: 1 });
    await writeNodeCredentials(files, { caPem: cloud.ca.certPem, ...stranger });
    const { instance } = rotator();
    const error = await instance.rotateNow().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(JoinError);
    expect(error).toMatchObject({ code: 'REFUSED', httpStatus: 401, reason: 'CLIENT_CERT_INVALID' });
    expect((error as JoinError).message).toContain('join again with a token');
  });

  it('refuses to rotate before the node has joined', async () => {
    await expect(rotator().instance.rotateNow()).rejects.toMatchObject({ code: 'CERTIFICATE_UNUSABLE' });
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}
