/** Test PKI: a CA, a cloudcore server certificate for 127.0.0.1, and node certificates written where edgehub reads. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { loopbackServerRequest, nodeCertificateRequest } from '../../../pkg/join';
import { createCA, issueCertificate, type CertificateAuthority, type KeyPairPem } from '../../../pkg/pki';

export interface TlsFixture {
  dir: string;
  ca: CertificateAuthority;
  server: KeyPairPem;
  files: { tlsCaFile: string; tlsCertFile: string; tlsPrivateKeyFile: string };
  /** Issues a certificate for `node` and writes it (and its key, mode 0600) to the node's files. */
  writeNodeCertificate(node: string): Promise<{ fingerprint: string }>;
  cleanup(): Promise<void>;
}

export async function createTlsFixture(node: string): Promise<TlsFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'edgehub-'));
  const ca = await createCA('kubeedge-test-ca', 1);
  const server = await issueCertificate(ca, loopbackServerRequest(1));
  const files = {
    tlsCaFile: join(dir, 'rootCA.crt'),
    tlsCertFile: join(dir, 'server.crt'),
    tlsPrivateKeyFile: join(dir, 'server.key'),
  };
  await writeFile(files.tlsCaFile, ca.certPem);
  const fixture: TlsFixture = {
    dir,
    ca,
    server,
    files,
    async writeNodeCertificate(name) {
      const pair = await issueCertificate(ca, nodeCertificateRequest(name, 1));
      await writeFile(files.tlsPrivateKeyFile, pair.keyPem, { mode: 0o600 });
      await writeFile(files.tlsCertFile, pair.certPem);
      return { fingerprint: new X509Certificate(pair.certPem).fingerprint256 };
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
  await fixture.writeNodeCertificate(node);
  return fixture;
}
