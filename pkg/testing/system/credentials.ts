/** Node credentials made by the test itself (pkg/pki), for the refusal cases: expired, foreign, for another node. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CA_SECRET, KUBEEDGE_NAMESPACE, nodeCertificateRequest } from '../../join';
import { keyPairFromSecret, readSecret } from '../../join/secrets';
import type { Client } from '../../kube';
import { issueCertificate, type KeyPairPem } from '../../pki';

const DAY_MS = 86_400_000;

/** The cluster CA (certificate and key) from Secret kubeedge/casecret, where cloudcore keeps it. */
export async function clusterCa(client: Client): Promise<KeyPairPem> {
  const secret = await readSecret(client, KUBEEDGE_NAMESPACE, CA_SECRET.name);
  if (secret === undefined) throw new Error(`Secret ${KUBEEDGE_NAMESPACE}/${CA_SECRET.name} does not exist: has cloudcore started?`);
  return keyPairFromSecret(CA_SECRET, secret);
}

/**
 * A client certificate for `node` signed by `ca`. `expiredForMs`: valid from 60 s ago until that long ago (pkg/pki
 * starts validity 60 s in the past and ends it validDays after now, so a negative validDays ends it in the past).
 */
export async function nodeCertificate(
  ca: KeyPairPem,
  node: string,
  options: { expiredForMs?: number; organizations?: string[] } = {},
): Promise<KeyPairPem> {
  const validDays = options.expiredForMs === undefined ? 365 : -options.expiredForMs / DAY_MS;
  return issueCertificate(ca, nodeCertificateRequest(node, validDays, options));
}

/** Puts a CA, certificate and key where an edgecore's config says they are. */
export async function writeEdgeCredentials(files: { ca: string; cert: string; key: string }, caPem: string, pair: KeyPairPem): Promise<void> {
  await mkdir(dirname(files.cert), { recursive: true });
  await writeFile(files.key, pair.keyPem, { mode: 0o600 });
  await writeFile(files.cert, pair.certPem);
  await writeFile(files.ca, caPem);
}
