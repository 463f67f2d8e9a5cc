/**
 * cloudcore's CA and server certificate. The CA is made once per cluster and kept in Secret kubeedge/casecret, so
 * that every cloudcore replica signs and trusts the same node certificates; the server certificate (what edge nodes
 * see on the tunnel and the bootstrap port) is kept in kubeedge/cloudcoresecret. Configured files win over both.
 */
import { existsSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { isConflict, RESOURCES, type Client } from '../kube';
import type { Logger } from '../log';
import { createCA, issueCertificate, withFingerprint, type CertificateAuthority, type KeyPairPem } from '../pki';
import { JoinError } from './errors';
import {
  CA_SECRET,
  CLOUDCORE_SECRET,
  createOrReadSecret,
  ensureNamespace,
  KUBEEDGE_NAMESPACE,
  keyPairFromSecret,
  keyPairSecret,
  readSecret,
  type Secret,
} from './secrets';

const DAY_MS = 86_400_000;
const CA_VALID_DAYS = 3650;
const SERVER_CERT_VALID_DAYS = 365;
/** A stored server certificate with less left than this is replaced at start. */
const SERVER_CERT_RENEW_BEFORE_MS = 30 * DAY_MS;
/** Rounds of read / write when another replica writes the same Secret at the same moment. */
const ATTEMPTS = 3;

export interface CloudPkiOptions {
  /** cloudHub.tlsCAFile and tlsCAKeyFile: used when both exist; one without the other is an error. */
  caFile: string;
  caKeyFile: string;
  /** cloudHub.tlsCertFile and tlsPrivateKeyFile: likewise. */
  certFile: string;
  keyFile: string;
  /** cloudHub.advertiseAddress: IPs for the server certificate. Empty: this host's addresses. */
  advertiseAddresses: readonly string[];
  /** cloudHub.dnsNames. */
  dnsNames: readonly string[];
  log: Logger;
  /** Default kubeedge. */
  namespace?: string;
  signal?: AbortSignal;
  /** This host's addresses; injected for tests. */
  hostAddresses?: () => string[];
}

export type PkiSource = 'files' | 'secret' | 'created';

export interface CloudPki {
  ca: CertificateAuthority;
  /** cloudcore's serving certificate, signed by `ca`, for the tunnel and the bootstrap server. */
  server: KeyPairPem;
  caSource: PkiSource;
  /** 'local': the shared certificate does not name this replica's addresses, so this one was issued for it alone. */
  serverSource: PkiSource | 'local';
}

interface ServerNames {
  ips: string[];
  dnsNames: string[];
}

export async function ensureCloudPki(client: Client, options: CloudPkiOptions): Promise<CloudPki> {
  const namespace = options.namespace ?? KUBEEDGE_NAMESPACE;
  await ensureNamespace(client, namespace, options.signal);
  const { ca, source: caSource } = await ensureCa(client, namespace, options);
  const names = serverNames(options);
  const { server, source: serverSource } = await ensureServerCertificate(client, namespace, ca, names, options);
  options.log.info({ caSource, serverSource, caHash: ca.fingerprint, ...names }, 'cloudcore CA and server certificate ready');
  // One PEM layout whatever the source, so that callers may compare them as text.
  return {
    ca: { ...ca, certPem: normalPem(ca.certPem) },
    server: { ...server, certPem: normalPem(server.certPem) },
    caSource,
    serverSource,
  };
}

async function ensureCa(client: Client, namespace: string, options: CloudPkiOptions): Promise<{ ca: CertificateAuthority; source: PkiSource }> {
  const fromFiles = readPairFiles(options.caFile, options.caKeyFile, 'tlsCAFile', 'tlsCAKeyFile');
  if (fromFiles !== undefined) {
    if (!new X509Certificate(fromFiles.certPem).ca) {
      throw new JoinError('PKI_INVALID', `tlsCAFile ${options.caFile} is not a CA certificate (basicConstraints CA:TRUE); give the CA that signs node certificates`);
    }
    const ca = withFingerprint(fromFiles);
    // Share it, so that replicas without the files use the same CA.
    const { secret, created } = await createOrReadSecret(client, keyPairSecret(CA_SECRET, ca, namespace), options.signal);
    if (!created && secret !== undefined && withFingerprint(keyPairFromSecret(CA_SECRET, secret)).fingerprint !== ca.fingerprint) {
      options.log.warn(
        { caFile: options.caFile, secret: `${namespace}/${CA_SECRET.name}` },
        'the CA in tlsCAFile differs from the one in the Secret other replicas use: nodes joined through them will be refused here',
      );
    }
    return { ca, source: 'files' };
  }
  for (let attempt = 1; ; attempt++) {
    const stored = await readSecret(client, namespace, CA_SECRET.name, options.signal);
    if (stored !== undefined) return { ca: withFingerprint(keyPairFromSecret(CA_SECRET, stored)), source: 'secret' };
    const made = await createCA('KubeEdge', CA_VALID_DAYS);
    const { secret, created } = await createOrReadSecret(client, keyPairSecret(CA_SECRET, made, namespace), options.signal);
    if (created) return { ca: made, source: 'created' };
    if (secret !== undefined) return { ca: withFingerprint(keyPairFromSecret(CA_SECRET, secret)), source: 'secret' };
    // Written and deleted again by others between our two calls: start over.
    if (attempt >= ATTEMPTS) throw new Error(`Secret ${namespace}/${CA_SECRET.name} keeps being deleted while cloudcore creates it`);
  }
}

async function ensureServerCertificate(
  client: Client,
  namespace: string,
  ca: CertificateAuthority,
  names: ServerNames,
  options: CloudPkiOptions,
): Promise<{ server: KeyPairPem; source: PkiSource | 'local' }> {
  const fromFiles = readPairFiles(options.certFile, options.keyFile, 'tlsCertFile', 'tlsPrivateKeyFile');
  if (fromFiles !== undefined) {
    if (!issuedBy(fromFiles.certPem, ca)) {
      throw new JoinError(
        'PKI_INVALID',
        `tlsCertFile ${options.certFile} is not signed by cloudcore's CA, so edge nodes would refuse it; ` +
          'give a certificate that CA signed, or remove tlsCertFile and tlsPrivateKeyFile to let cloudcore issue one',
      );
    }
    return { server: fromFiles, source: 'files' };
  }
  const issue = () =>
    issueCertificate(ca, { commonName: 'cloudcore', ipAddresses: names.ips, dnsNames: names.dnsNames, usage: 'server', validDays: SERVER_CERT_VALID_DAYS });
  const secrets = client.resource<Secret>(RESOURCES.secrets);
  for (let attempt = 1; ; attempt++) {
    const stored = await readSecret(client, namespace, CLOUDCORE_SECRET.name, options.signal);
    const verdict: Verdict = stored === undefined ? { kind: 'absent' } : assess(stored, ca, names, options.log);
    if (verdict.kind === 'ok') return { server: verdict.pair, source: 'secret' };
    if (verdict.kind === 'names') {
      options.log.info({ ...names }, `the server certificate in Secret ${CLOUDCORE_SECRET.name} does not name all of this replica's addresses; issuing one for this replica`);
      return { server: await issue(), source: 'local' };
    }
    const server = await issue();
    const fresh = keyPairSecret(CLOUDCORE_SECRET, server, namespace);
    if (stored === undefined) {
      if ((await createOrReadSecret(client, fresh, options.signal)).created) return { server, source: 'created' };
    } else {
      try {
        const replacing = { ...fresh, metadata: { ...fresh.metadata, resourceVersion: stored.metadata?.resourceVersion } };
        await secrets.update(replacing, { namespace, ...signalOption(options.signal) });
        return { server, source: 'created' };
      } catch (error) {
        if (!isConflict(error)) throw error;
      }
    }
    // Another replica wrote first: judge theirs on the next round (after a few rounds, use ours without storing it).
    if (attempt >= ATTEMPTS) return { server, source: 'local' };
  }
}

type Verdict = { kind: 'absent' } | { kind: 'stale' } | { kind: 'names' } | { kind: 'ok'; pair: KeyPairPem };

/** Whether a stored server certificate can serve this replica: signed by this CA, not about to expire, naming it. */
function assess(stored: Secret, ca: CertificateAuthority, names: ServerNames, log: Logger): Verdict {
  let pair: KeyPairPem;
  try {
    pair = keyPairFromSecret(CLOUDCORE_SECRET, stored);
  } catch (error) {
    log.warn({ err: error }, 'replacing an unreadable server certificate Secret');
    return { kind: 'stale' };
  }
  const cert = new X509Certificate(pair.certPem);
  if (!issuedBy(pair.certPem, ca) || Date.parse(cert.validTo) - Date.now() < SERVER_CERT_RENEW_BEFORE_MS) return { kind: 'stale' };
  const named = names.ips.every((ip) => cert.checkIP(ip) !== undefined) && names.dnsNames.every((name) => cert.checkHost(name, { subject: 'never' }) !== undefined);
  return named ? { kind: 'ok', pair } : { kind: 'names' };
}

function issuedBy(certPem: string, ca: KeyPairPem): boolean {
  const cert = new X509Certificate(certPem);
  const caCert = new X509Certificate(ca.certPem);
  return cert.checkIssued(caCert) && cert.verify(caCert.publicKey);
}

/** The server certificate's names: 127.0.0.1 and localhost, the advertised addresses (or this host's) and DNS names. */
function serverNames(options: CloudPkiOptions): ServerNames {
  const advertised = options.advertiseAddresses.length > 0 ? [...options.advertiseAddresses] : (options.hostAddresses ?? hostAddresses)();
  return { ips: unique(['127.0.0.1', ...advertised]), dnsNames: unique(['localhost', ...options.dnsNames]) };
}

/** This host's non-loopback, non-link-local addresses. */
export function hostAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a): a is NonNullable<typeof a> => a !== undefined && !a.internal && !a.address.startsWith('fe80:') && !a.address.startsWith('169.254.'))
    .map((a) => a.address);
}

/**
 * A certificate and key from two configured files: both present (read, normalised to PEM and PKCS#8, checked to
 * belong together), both absent (undefined), or one without the other (an error naming both fields).
 */
function readPairFiles(certFile: string, keyFile: string, certField: string, keyField: string): KeyPairPem | undefined {
  const haveCert = certFile !== '' && existsSync(certFile);
  const haveKey = keyFile !== '' && existsSync(keyFile);
  if (!haveCert && !haveKey) return undefined;
  if (!haveCert || !haveKey) {
    const [present, missing] = haveCert ? [`${certField} ${certFile}`, `${keyField} ${keyFile}`] : [`${keyField} ${keyFile}`, `${certField} ${certFile}`];
    throw new JoinError('PKI_INVALID', `${present} exists but ${missing} does not; provide both files, or neither to let cloudcore keep them in Secrets`);
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(readFileSync(certFile));
  } catch (cause) {
    throw new JoinError('PKI_INVALID', `${certField} ${certFile} is not a PEM or DER certificate: ${(cause as Error).message}`, { cause });
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(readFileSync(keyFile));
  } catch (cause) {
    throw new JoinError('PKI_INVALID', `${keyField} ${keyFile} is not a PEM private key: ${(cause as Error).message}`, { cause });
  }
  if (!cert.checkPrivateKey(key)) throw new JoinError('PKI_INVALID', `${keyField} ${keyFile} is not the key of ${certField} ${certFile}`);
  return { certPem: cert.toString(), keyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

const normalPem = (pem: string): string => new X509Certificate(pem).toString();
const unique = (values: string[]): string[] => [...new Set(values)];
const signalOption = (signal: AbortSignal | undefined) => (signal ? { signal } : {});
