import { once } from 'node:events';
import { X509Certificate } from 'node:crypto';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCA, issueCertificate, subjectOf } from '.';

describe('pki', () => {
  it('issues server and client certificates that work for mutual TLS, and a foreign CA does not', async () => {
    const ca = await createCA('test-ca');
    const foreignCa = await createCA('foreign-ca');
    const server = await issueCertificate(ca, {
      commonName: 'apiserver',
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
      usage: 'server',
      validDays: 1,
    });
    const client = await issueCertificate(ca, {
      commonName: 'admin',
      organizations: ['system:masters'],
      usage: 'client',
      validDays: 1,
    });
    const stranger = await issueCertificate(foreignCa, { commonName: 'mallory', usage: 'client', validDays: 1 });

    const tls = https.createServer(
      { cert: server.certPem, key: server.keyPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: false },
      (req, res) => {
        const socket = req.socket as import('node:tls').TLSSocket;
        const peer = socket.getPeerCertificate();
        res.end(socket.authorized ? `${peer.subject.CN}` : `refused: ${socket.authorizationError}`);
      },
    );
    tls.listen(0, '127.0.0.1');
    await once(tls, 'listening');
    const port = (tls.address() as AddressInfo).port;
    const get = (identity: { certPem: string; keyPem: string }) =>
      new Promise<string>((resolve, reject) => {
        https
          .get({ host: '127.0.0.1', port, ca: ca.certPem, cert: identity.certPem, key: identity.keyPem }, (res) => {
            let body = '';
            res.on('data', (c) => (body += c));
            res.on('end', () => resolve(body));
          })
          .on('error', reject);
      });
    try {
      expect(await get(client)).toBe('admin');
      expect(await get(stranger)).toMatch(/^refused: /);
    } finally {
      tls.close();
    }
  });

  it('reads subject names and fingerprints', async () => {
    const ca = await createCA('test-ca');
    const node = await issueCertificate(ca, {
      commonName: 'system:node:edge-1',
      organizations: ['system:nodes'],
      usage: 'client',
      validDays: 365,
    });
    expect(subjectOf(node.certPem)).toEqual({ commonName: 'system:node:edge-1', organizations: ['system:nodes'] });
    expect(ca.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const cert = new X509Certificate(node.certPem);
    expect(cert.checkIssued(new X509Certificate(ca.certPem))).toBe(true);
    const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
    expect(Math.round(days)).toBe(365);
  });
});
