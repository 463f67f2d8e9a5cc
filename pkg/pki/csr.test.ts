import { createPublicKey, createPrivateKey, generateKeyPairSync, webcrypto, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { createCA, createKeyAndCsr, CsrError, parseCsr, signPublicKey, subjectOf } from '.';

async function failure(promise: Promise<unknown>): Promise<CsrError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CsrError) return error;
    throw error;
  }
  throw new Error('expected a CsrError');
}

describe('certificate requests', () => {
  it('makes a key and a CSR that parse back, in PEM and DER, and whose key a CA can sign', async () => {
    const { keyPem, csrPem } = await createKeyAndCsr({ commonName: 'system:node:edge-1', organizations: ['system:nodes'] });
    expect(csrPem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----/);
    const parsed = await parseCsr(csrPem);
    expect(parsed).toMatchObject({ commonName: 'system:node:edge-1', organizations: ['system:nodes'] });
    const ourPublicKey = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
    expect(parsed.publicKeyDer.equals(ourPublicKey)).toBe(true);

    const der = Buffer.from(csrPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    expect((await parseCsr(der)).commonName).toBe('system:node:edge-1');

    const ca = await createCA('test-ca');
    const certPem = await signPublicKey(ca, parsed.publicKey, { commonName: 'system:node:edge-1', organizations: ['system:nodes'], usage: 'client', validDays: 1 });
    const cert = new X509Certificate(certPem);
    expect(cert.checkPrivateKey(createPrivateKey(keyPem))).toBe(true);
    expect(subjectOf(certPem)).toEqual({ commonName: 'system:node:edge-1', organizations: ['system:nodes'] });
  });

  it('refuses garbage, a CSR whose signature does not match its key, and a key that is not ECDSA', async () => {
    expect((await failure(parseCsr('hello'))).code).toBe('CSR_MALFORMED');
    expect((await failure(parseCsr(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01])))).code).toBe('CSR_MALFORMED');

    // Flip a bit in the subject: the signature no longer covers what is there.
    const { csrPem } = await createKeyAndCsr({ commonName: 'system:node:edge-1', organizations: ['system:nodes'] });
    const der = Buffer.from(csrPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const at = der.indexOf(Buffer.from('edge-1'));
    der[at] = 'f'.charCodeAt(0);
    const tampered = await failure(parseCsr(der));
    expect(tampered.code).toBe('CSR_BAD_SIGNATURE');

    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    const keys = {
      privateKey: await webcrypto.subtle.importKey('pkcs8', rsa.privateKey.export({ type: 'pkcs8', format: 'der' }), algorithm, true, ['sign']),
      publicKey: await webcrypto.subtle.importKey('spki', rsa.publicKey.export({ type: 'spki', format: 'der' }), algorithm, true, ['verify']),
    };
    const rsaCsr = await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=system:node:edge-1', keys, signingAlgorithm: algorithm });
    const unsupported = await failure(parseCsr(rsaCsr.toString('pem')));
    expect(unsupported.code).toBe('CSR_UNSUPPORTED_KEY');
    expect(unsupported.message).toContain('make an ECDSA P-256 key');
  });
});
