/**
 * The node's credential files (edgeHub.tlsCaFile, tlsCertFile, tlsPrivateKeyFile), written so that a reader never
 * sees half a file: each is written to a temporary file beside it, flushed, and renamed over the old one.
 */
import { randomBytes, X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { JoinError } from './errors';

export interface CredentialFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
}

export interface NodeCredentials {
  caPem: string;
  certPem: string;
  /** PKCS#8 PEM. */
  keyPem: string;
  notBefore: Date;
  notAfter: Date;
}

/** Writes `data` to `path` atomically, creating its folder; the file gets `mode` (less the umask). */
export async function writeFileAtomic(path: string, data: string | Buffer, mode: number): Promise<void> {
  const folder = dirname(path);
  await mkdir(folder, { recursive: true });
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncFolder(folder);
}

/** Key first (0600), then certificate, then CA: a reader that finds the new certificate also finds its key. */
export async function writeNodeCredentials(files: CredentialFiles, credentials: Pick<NodeCredentials, 'caPem' | 'certPem' | 'keyPem'>): Promise<void> {
  await writeFileAtomic(files.keyFile, credentials.keyPem, 0o600);
  await writeFileAtomic(files.certFile, credentials.certPem, 0o644);
  await writeFileAtomic(files.caFile, credentials.caPem, 0o644);
}

/**
 * The three files, or undefined when any is missing. Throws CERTIFICATE_UNUSABLE when they exist but cannot be used
 * together (not PEM, or the key is not the certificate's).
 */
export async function readNodeCredentials(files: CredentialFiles): Promise<NodeCredentials | undefined> {
  let texts: string[];
  try {
    texts = await Promise.all([files.caFile, files.certFile, files.keyFile].map((file) => readFile(file, 'utf8')));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const [caPem = '', certPem = '', keyText = ''] = texts;
  const unusable = (what: string, cause?: unknown) =>
    new JoinError('CERTIFICATE_UNUSABLE', `${what}; delete ${files.certFile} and ${files.keyFile} and join again with a token (keadm gettoken)`, { cause });
  const parse = <T>(file: string, what: string, make: () => T): T => {
    try {
      return make();
    } catch (cause) {
      throw unusable(`${file} is not ${what}`, cause);
    }
  };
  parse(files.caFile, 'a PEM certificate', () => new X509Certificate(caPem));
  const cert = parse(files.certFile, 'a PEM certificate', () => new X509Certificate(certPem));
  const key = parse(files.keyFile, 'a PEM private key', () => createPrivateKey(keyText));
  if (!cert.checkPrivateKey(key)) throw unusable(`${files.keyFile} is not the key of ${files.certFile}`);
  return {
    caPem,
    certPem,
    keyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
  };
}

/** Makes the renames durable; some filesystems cannot open a folder for this, which only costs durability. */
async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Not supported here (EISDIR, EPERM, EINVAL): the rename itself still happened.
  }
}
