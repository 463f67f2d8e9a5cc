/**
 * The Secrets cloudcore keeps its CA, its server certificate and the join token in: KubeEdge's names and keys in
 * namespace kubeedge, with certificates and keys as DER (SEC1 for EC keys) as KubeEdge stores them, so that replicas
 * share them and a KubeEdge cluster's Secrets could be read.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { isAlreadyExists, isNotFound, RESOURCES, type Client, type KubeObject } from '../kube';
import type { KeyPairPem } from '../pki';
import { JoinError } from './errors';

export const KUBEEDGE_NAMESPACE = 'kubeedge';

export interface KeyPairSecret {
  readonly name: string;
  readonly certKey: string;
  readonly keyKey: string;
}

export const CA_SECRET: KeyPairSecret = { name: 'casecret', certKey: 'cadata', keyKey: 'cakeydata' };
export const CLOUDCORE_SECRET: KeyPairSecret = { name: 'cloudcoresecret', certKey: 'cloudcoredata', keyKey: 'cloudcorekeydata' };
export const TOKEN_SECRET = { name: 'tokensecret', tokenKey: 'tokendata' } as const;

export interface Secret extends KubeObject {
  type?: string;
  /** base64 values. */
  data?: Record<string, string>;
}

/** Creates the namespace unless it exists (another replica may be creating it at the same moment). */
export async function ensureNamespace(client: Client, name: string, signal?: AbortSignal): Promise<void> {
  const namespaces = client.resource(RESOURCES.namespaces);
  try {
    await namespaces.get(name, signal ? { signal } : {});
    return;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  try {
    await namespaces.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, signal ? { signal } : {});
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
}

export async function readSecret(client: Client, namespace: string, name: string, signal?: AbortSignal): Promise<Secret | undefined> {
  try {
    return await client.resource<Secret>(RESOURCES.secrets).get(name, { namespace, ...(signal ? { signal } : {}) });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * Creates `secret` unless a Secret of that name exists. Returns what is stored afterwards: ours (`created`), or what
 * another replica wrote first; `secret` is undefined in the rare case that theirs was deleted again before we read it.
 */
export async function createOrReadSecret(
  client: Client,
  secret: Secret,
  signal?: AbortSignal,
): Promise<{ secret: Secret | undefined; created: boolean }> {
  const secrets = client.resource<Secret>(RESOURCES.secrets);
  const namespace = secret.metadata?.namespace ?? KUBEEDGE_NAMESPACE;
  try {
    return { secret: await secrets.create(secret, { namespace, ...(signal ? { signal } : {}) }), created: true };
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
  return { secret: await readSecret(client, namespace, secret.metadata?.name ?? '', signal), created: false };
}

/** A Secret holding a certificate and its key, KubeEdge style. */
export function keyPairSecret(which: KeyPairSecret, pair: KeyPairPem, namespace = KUBEEDGE_NAMESPACE): Secret {
  const certDer = new X509Certificate(pair.certPem).raw;
  const key = createPrivateKey(pair.keyPem);
  const keyDer = key.asymmetricKeyType === 'ec' ? key.export({ type: 'sec1', format: 'der' }) : key.export({ type: 'pkcs8', format: 'der' });
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: which.name, namespace, labels: { 'app.kubernetes.io/managed-by': 'cloudcore' } },
    type: 'Opaque',
    data: { [which.certKey]: certDer.toString('base64'), [which.keyKey]: keyDer.toString('base64') },
  };
}

/** The certificate and key in a Secret, as PEM (key as PKCS#8); throws PKI_INVALID naming the Secret when unusable. */
export function keyPairFromSecret(which: KeyPairSecret, secret: Secret): KeyPairPem {
  const where = `Secret ${secret.metadata?.namespace ?? KUBEEDGE_NAMESPACE}/${which.name}`;
  const invalid = (what: string, cause?: unknown) =>
    new JoinError('PKI_INVALID', `${where}: ${what}; delete the Secret to let cloudcore make a new one`, { cause });
  const certB64 = secret.data?.[which.certKey];
  const keyB64 = secret.data?.[which.keyKey];
  if (!certB64 || !keyB64) throw invalid(`data.${!certB64 ? which.certKey : which.keyKey} is missing`);
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(Buffer.from(certB64, 'base64'));
  } catch (cause) {
    throw invalid(`data.${which.certKey} is not a DER certificate`, cause);
  }
  const keyDer = Buffer.from(keyB64, 'base64');
  const key = tryKey(keyDer, 'sec1') ?? tryKey(keyDer, 'pkcs8') ?? tryKey(keyDer, 'pkcs1');
  if (key === undefined) throw invalid(`data.${which.keyKey} is not a DER private key (SEC1, PKCS#8 or PKCS#1)`);
  if (!cert.checkPrivateKey(key)) throw invalid(`data.${which.keyKey} is not the key of data.${which.certKey}`);
  return { certPem: cert.toString(), keyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

function tryKey(der: Buffer, type: 'sec1' | 'pkcs8' | 'pkcs1') {
  try {
    return createPrivateKey({ key: der, format: 'der', type });
  } catch {
    return undefined;
  }
}
