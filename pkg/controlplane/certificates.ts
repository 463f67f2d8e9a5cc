/**
 * The embedded control plane's certificates, kept in `<dataDir>/pki`: a CA, the API server's serving certificate and an
 * admin client certificate (CN=kubernetes-admin, O=system:masters, as kubeadm issues it). Existing files are reused,
 * so restarts keep every kubeconfig valid; a serving certificate that lacks a requested address is reissued.
 */
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCA, issueCertificate, withFingerprint, type CertificateAuthority, type KeyPairPem } from '../pki';

export interface ControlPlaneCertificates {
  ca: CertificateAuthority;
  server: KeyPairPem;
  admin: KeyPairPem;
}

export async function ensureCertificates(dataDir: string, serverAddresses: { ips: string[]; dnsNames: string[] }): Promise<ControlPlaneCertificates> {
  const dir = join(dataDir, 'pki');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ca = withFingerprint(await loadOr(dir, 'ca', () => createCA('kubeedge-ts-apiserver-ca')));
  let server = await loadOr(dir, 'apiserver', () => issueServer(ca, serverAddresses));
  if (!covers(server.certPem, serverAddresses)) {
    server = await issueServer(ca, serverAddresses);
    save(dir, 'apiserver', server);
  }
  const admin = await loadOr(dir, 'admin', () =>
    issueCertificate(ca, { commonName: 'kubernetes-admin', organizations: ['system:masters'], usage: 'client', validDays: 365 }),
  );
  return { ca, server, admin };
}

function issueServer(ca: KeyPairPem, addresses: { ips: string[]; dnsNames: string[] }): Promise<KeyPairPem> {
  return issueCertificate(ca, {
    commonName: 'kube-apiserver',
    dnsNames: addresses.dnsNames,
    ipAddresses: addresses.ips,
    usage: 'server',
    validDays: 365,
  });
}

/** True when the certificate names every requested address. */
function covers(certPem: string, addresses: { ips: string[]; dnsNames: string[] }): boolean {
  const san = new X509Certificate(certPem).subjectAltName ?? '';
  return addresses.ips.every((ip) => san.includes(`IP Address:${ip}`)) && addresses.dnsNames.every((d) => san.includes(`DNS:${d}`));
}

async function loadOr(dir: string, name: string, create: () => Promise<KeyPairPem>): Promise<KeyPairPem> {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  if (existsSync(certFile) && existsSync(keyFile)) {
    return { certPem: readFileSync(certFile, 'utf8'), keyPem: readFileSync(keyFile, 'utf8') };
  }
  const pair = await create();
  save(dir, name, pair);
  return pair;
}

function save(dir: string, name: string, pair: KeyPairPem): void {
  writeFileSync(join(dir, `${name}.crt`), pair.certPem);
  writeFileSync(join(dir, `${name}.key`), pair.keyPem, { mode: 0o600 });
  chmodSync(join(dir, `${name}.key`), 0o600);
}
