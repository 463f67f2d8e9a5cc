/**
 * The TLS material for one connect attempt. The files are read afresh every time, so a rotated certificate is used by
 * the next connection; they are checked here so that a wrong file gives a message naming it, not a TLS alert.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { credentials, type ChannelCredentials } from '@grpc/grpc-js';
import { EdgeHubError } from './errors';
import type { TlsFiles } from './options';

export interface TlsMaterial {
  credentials: ChannelCredentials;
  /** SHA-256 fingerprint of the client certificate, for logs. */
  certFingerprint: string;
  certExpiresAt: Date;
}

export type EnsureCertificates = (signal: AbortSignal) => Promise<void>;

/**
 * Reads and checks the CA, certificate and key. While any file is missing it first calls `ensureCertificates` (the
 * join procedure); without one, missing files are an error naming modules.edgeHub.token and the files.
 */
export async function loadTlsMaterial(
  files: TlsFiles,
  nodeName: string,
  ensureCertificates: EnsureCertificates | undefined,
  signal: AbortSignal,
): Promise<TlsMaterial> {
  let missing = await missingFiles(files);
  if (missing.length > 0 && ensureCertificates) {
    try {
      await ensureCertificates(signal);
    } catch (error) {
      if (signal.aborted) throw error;
      throw new EdgeHubError(
        'CERTIFICATES',
        `cannot get this node's certificate (missing ${missing.join(', ')}): ${(error as Error)?.message ?? error}`,
        { cause: error },
      );
    }
    missing = await missingFiles(files);
  }
  if (missing.length > 0) {
    throw new EdgeHubError(
      'CERTIFICATES',
      `the TLS files ${missing.join(', ')} do not exist; set modules.edgeHub.token (from "keadm gettoken") so ` +
        'edgecore joins the cluster and creates them, or put the CA, certificate and key at ' +
        'modules.edgeHub.tlsCaFile / tlsCertFile / tlsPrivateKeyFile',
    );
  }
  const [caPem, certPem, keyPem] = await Promise.all([
    readTlsFile(files.caFile, 'tlsCaFile'),
    readTlsFile(files.certFile, 'tlsCertFile'),
    readTlsFile(files.keyFile, 'tlsPrivateKeyFile'),
  ]);
  const ca = parseCertificate(caPem, files.caFile, 'tlsCaFile');
  const cert = parseCertificate(certPem, files.certFile, 'tlsCertFile');
  const key = parseKey(keyPem, files.keyFile);
  checkCertificate(cert, key, files, nodeName);
  // cloudcore refuses a certificate its CA did not sign during the TLS handshake, which the edge only sees as
  // "no connection established"; say so before dialling.
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) {
    throw new EdgeHubError(
      'CERTIFICATES',
      `${files.certFile} was not signed by the CA in ${files.caFile} (issuer "${cert.issuer.replace(/\n/g, ', ')}"), so ` +
        'cloudcore will refuse it; delete the certificate and key files and rejoin with a fresh token (keadm gettoken)',
    );
  }
  return {
    credentials: credentials.createSsl(caPem, keyPem, certPem),
    certFingerprint: cert.fingerprint256,
    certExpiresAt: new Date(cert.validTo),
  };
}

async function missingFiles(files: TlsFiles): Promise<string[]> {
  const paths = [files.caFile, files.certFile, files.keyFile];
  const present = await Promise.all(paths.map((path) => access(path).then(() => true, () => false)));
  return paths.filter((_, index) => !present[index]);
}

async function readTlsFile(path: string, field: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new EdgeHubError(
      'CERTIFICATES',
      `cannot read modules.edgeHub.${field} ${path} (${(error as NodeJS.ErrnoException).code ?? error}); ` +
        'check the path and that edgecore may read it',
      { cause: error },
    );
  }
}

function parseCertificate(pem: Buffer, path: string, field: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (error) {
    throw new EdgeHubError(
      'CERTIFICATES',
      `modules.edgeHub.${field} ${path} is not a PEM certificate; delete it and rejoin with a token`,
      { cause: error },
    );
  }
}

function parseKey(pem: Buffer, path: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (error) {
    throw new EdgeHubError(
      'CERTIFICATES',
      `modules.edgeHub.tlsPrivateKeyFile ${path} is not a PEM private key; delete the certificate files and rejoin`,
      { cause: error },
    );
  }
}

function checkCertificate(cert: X509Certificate, key: KeyObject, files: TlsFiles, nodeName: string): void {
  const fix = 'delete the certificate and key files and rejoin with a fresh token (keadm gettoken)';
  if (!cert.checkPrivateKey(key)) {
    throw new EdgeHubError('CERTIFICATES', `${files.keyFile} is not the key of ${files.certFile}; ${fix}`);
  }
  const expiresAt = new Date(cert.validTo);
  if (expiresAt.getTime() <= Date.now()) {
    throw new EdgeHubError('CERTIFICATES', `${files.certFile} expired at ${expiresAt.toISOString()}; ${fix}`);
  }
  const expected = `CN=system:node:${nodeName}`;
  if (!cert.subject.split('\n').includes(expected)) {
    throw new EdgeHubError(
      'CERTIFICATES',
      `${files.certFile} is for "${cert.subject.replace(/\n/g, ', ')}", not this node (${expected}); ` +
        `set the node name to match, or ${fix}`,
    );
  }
}
