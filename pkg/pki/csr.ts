/**
 * PKCS#10 certificate requests: an edge node makes one for a key it keeps to itself, and cloudcore checks it before
 * signing the public key inside (with signPublicKey). The crypto provider is passed explicitly, so this file works
 * whether or not index.ts (which sets @peculiar/x509's global provider) was loaded first.
 */
import { KeyObject, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const crypto = webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0];
const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
/** Curves whose keys cloudcore signs; KubeEdge's edge makes P-256 keys, and its tunnel suites are ECDSA-only. */
const ACCEPTED_CURVES = new Set(['P-256', 'P-384']);

export interface CsrSubject {
  commonName: string;
  organizations: string[];
}

export interface KeyAndCsr {
  /** PKCS#8 PEM of the new private key. */
  keyPem: string;
  csrPem: string;
}

export interface ParsedCsr extends CsrSubject {
  /** The requester's public key, ready for signPublicKey. */
  publicKey: CryptoKey;
  /** SubjectPublicKeyInfo DER, to compare with the key a certificate carries. */
  publicKeyDer: Buffer;
}

export type CsrErrorCode = 'CSR_MALFORMED' | 'CSR_BAD_SIGNATURE' | 'CSR_UNSUPPORTED_KEY';

/** A certificate request that cannot be signed; the message says what is wrong with it. */
export class CsrError extends Error {
  override readonly name = 'CsrError';

  constructor(
    readonly code: CsrErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A new ECDSA P-256 key and a request, signed with it, for a certificate naming `subject`. */
export async function createKeyAndCsr(subject: CsrSubject): Promise<KeyAndCsr> {
  const keys = (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as CryptoKeyPair;
  const name = [{ CN: [subject.commonName] }, ...subject.organizations.map((o) => ({ O: [o] }))];
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: new x509.Name(name), keys, signingAlgorithm: EC_P256 }, crypto);
  const keyPem = KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }).toString();
  return { keyPem, csrPem: csr.toString('pem') };
}

/**
 * Reads a request (PEM text or DER bytes), checks it is signed by the key it carries (proof the requester holds that
 * key) and that the key is ECDSA on an accepted curve.
 */
export async function parseCsr(data: string | Uint8Array): Promise<ParsedCsr> {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(typeof data === 'string' ? data : toArrayBuffer(data));
  } catch (cause) {
    throw new CsrError('CSR_MALFORMED', `not a PKCS#10 certificate request (PEM or DER): ${(cause as Error).message}`, { cause });
  }
  let signed: boolean;
  try {
    signed = await csr.verify(crypto);
  } catch (cause) {
    throw new CsrError('CSR_MALFORMED', `the certificate request's signature cannot be checked: ${(cause as Error).message}`, { cause });
  }
  if (!signed) throw new CsrError('CSR_BAD_SIGNATURE', 'the certificate request is not signed by the key it carries');

  const algorithm = csr.publicKey.algorithm as { name?: string; namedCurve?: string };
  if (algorithm.name !== 'ECDSA' || !ACCEPTED_CURVES.has(algorithm.namedCurve ?? '')) {
    const what = algorithm.namedCurve ? `${algorithm.name} ${algorithm.namedCurve}` : String(algorithm.name);
    throw new CsrError('CSR_UNSUPPORTED_KEY', `the certificate request carries a ${what} key; make an ECDSA P-256 key`);
  }
  const publicKey = await csr.publicKey.export(crypto);
  const name = csr.subjectName;
  return {
    commonName: name.getField('CN')[0] ?? '',
    organizations: name.getField('O'),
    publicKey,
    publicKeyDer: Buffer.from(csr.publicKey.rawData),
  };
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
