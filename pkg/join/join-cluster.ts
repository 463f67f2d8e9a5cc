/**
 * Edge side of joining: turn a join token into the node's credential files. The CA is fetched without trusting the
 * connection (the node does not know it yet) and accepted only if it hashes to the token's first part; from then on
 * the bootstrap server must prove itself with a certificate from that CA.
 */
import { X509Certificate } from 'node:crypto';
import type { Logger } from '../log';
import { JoinError } from './errors';
import { writeNodeCredentials, type CredentialFiles, type NodeCredentials } from './files';
import { bootstrapRequest } from './https-client';
import { requestNodeCertificate } from './node-certificate';
import { caHash, splitJoinToken } from './token';

export interface JoinClusterOptions extends CredentialFiles {
  /** edgeHub.httpServer, such as https://192.0.2.10:10002. */
  httpServer: string;
  /** edgeHub.token, from keadm gettoken. */
  token: string;
  nodeName: string;
  log: Logger;
  signal?: AbortSignal;
  /** Per request. Default 30 s. */
  timeoutMs?: number;
}

export async function joinCluster(options: JoinClusterOptions): Promise<NodeCredentials> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (options.token.trim() === '') {
    throw new JoinError(
      'TOKEN_MALFORMED',
      `edgeHub.token is empty, and node ${options.nodeName} has no certificate yet (${options.certFile}); ` +
        'run "keadm gettoken" on the cloud and put its output in edgeHub.token',
    );
  }
  const token = splitJoinToken(options.token);

  const answer = await bootstrapRequest({
    httpServer: options.httpServer,
    path: '/ca.crt',
    method: 'GET',
    trust: 'insecure',
    timeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (answer.status !== 200) {
    throw new JoinError('BAD_RESPONSE', `GET ${options.httpServer}/ca.crt answered HTTP ${answer.status}; is edgeHub.httpServer cloudcore's HTTPS address?`);
  }
  let ca: X509Certificate;
  try {
    ca = new X509Certificate(answer.body);
  } catch (cause) {
    throw new JoinError('BAD_RESPONSE', `GET ${options.httpServer}/ca.crt did not answer a certificate; is edgeHub.httpServer cloudcore's HTTPS address?`, { cause });
  }
  const hash = caHash(ca.raw);
  if (hash !== token.caHash) {
    throw new JoinError(
      'CA_HASH_MISMATCH',
      `CA hash does not match the token: wrong cloudcore address or a man in the middle (the CA at ${options.httpServer} hashes to ` +
        `${hash.slice(0, 12)}..., the token expects ${token.caHash.slice(0, 12)}...); check edgeHub.httpServer, or get the token from this cloud's keadm gettoken`,
    );
  }
  const caPem = ca.toString();
  options.log.info({ httpServer: options.httpServer, caHash: hash }, 'the CA matches the join token; asking for a node certificate');

  const { certPem, keyPem } = await requestNodeCertificate({
    httpServer: options.httpServer,
    nodeName: options.nodeName,
    caPem,
    proof: { jwt: token.jwt },
    timeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  await writeNodeCredentials(options, { caPem, certPem, keyPem });
  const cert = new X509Certificate(certPem);
  const credentials = { caPem, certPem, keyPem, notBefore: new Date(cert.validFrom), notAfter: new Date(cert.validTo) };
  options.log.info({ node: options.nodeName, notAfter: credentials.notAfter.toISOString(), certFile: options.certFile }, 'joined: node certificate written');
  return credentials;
}
