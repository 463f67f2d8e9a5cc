/**
 * Asks the bootstrap server for a node certificate: a new key and CSR, sent with a join token (first join) or over
 * mutual TLS with the current certificate (renewal); the answer is checked before anything is written: signed by the
 * CA, naming this node, for the key just made.
 */
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { JoinError } from './errors';
import { bootstrapRequest } from './https-client';
import { nodeCommonName, NODES_GROUP } from './node-identity';

export interface NodeCertificateRequest {
  httpServer: string;
  nodeName: string;
  caPem: string;
  /** A join token's JWT (first join), or the node's current certificate and key (renewal). */
  proof: { jwt: string } | { certPem: string; keyPem: string };
  timeoutMs: number;
  signal?: AbortSignal;
}

export async function requestNodeCertificate(request: NodeCertificateRequest): Promise<{ certPem: string; keyPem: string }> {
  // Loaded here, not at the top: @peculiar/x509 costs edgecore several MB of heap for the whole process lifetime,
  // and a node makes a CSR only when it joins or renews.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createKeyAndCsr } = require('../pki') as typeof import('../pki');
  const { keyPem, csrPem } = await createKeyAndCsr({ commonName: nodeCommonName(request.nodeName), organizations: [NODES_GROUP] });
  const viaToken = 'jwt' in request.proof;
  const response = await bootstrapRequest({
    httpServer: request.httpServer,
    path: '/edge.crt',
    method: 'POST',
    headers: {
      NodeName: request.nodeName,
      'Content-Type': 'application/pkcs10',
      ...('jwt' in request.proof ? { Authorization: `Bearer ${request.proof.jwt}` } : {}),
    },
    body: csrPem,
    trust: { caPem: request.caPem },
    ...('certPem' in request.proof ? { clientCertificate: request.proof } : {}),
    timeoutMs: request.timeoutMs,
    ...(request.signal ? { signal: request.signal } : {}),
  });
  if (response.status !== 200) throw refused(response.status, response.body, request.nodeName, viaToken);

  let cert: X509Certificate;
  try {
    cert = new X509Certificate(response.body);
  } catch (cause) {
    throw new JoinError('BAD_RESPONSE', `the bootstrap server answered /edge.crt with something that is not a certificate; is ${request.httpServer} cloudcore?`, { cause });
  }
  const ca = new X509Certificate(request.caPem);
  const problem = !cert.checkIssued(ca) || !cert.verify(ca.publicKey)
    ? 'is not signed by the CA'
    : !sameKey(cert, keyPem)
      ? 'is not for the key this node just made'
      : !cert.subject.split('\n').includes(`CN=${nodeCommonName(request.nodeName)}`)
        ? `does not name ${nodeCommonName(request.nodeName)} (subject ${cert.subject.replace(/\n/g, ', ')})`
        : undefined;
  if (problem !== undefined) throw new JoinError('BAD_RESPONSE', `the certificate the bootstrap server sent ${problem}; refusing to use it`);
  return { certPem: cert.toString(), keyPem };
}

function sameKey(cert: X509Certificate, keyPem: string): boolean {
  const ours = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
  return cert.publicKey.export({ type: 'spki', format: 'der' }).equals(ours);
}

/** The server's JSON refusal ({reason, message}) as a JoinError REFUSED; plain text is passed on as it is. */
function refused(status: number, body: Buffer, node: string, viaToken: boolean): JoinError {
  let reason: string | undefined;
  let message = body.toString('utf8').trim().slice(0, 1000);
  try {
    const parsed = JSON.parse(message) as { reason?: unknown; message?: unknown };
    if (typeof parsed.reason === 'string') reason = parsed.reason;
    if (typeof parsed.message === 'string') message = parsed.message;
  } catch {
    // Not JSON: keep the text.
  }
  const action = viaToken ? 'sign a certificate' : 'renew the certificate';
  return new JoinError('REFUSED', `cloudcore refused to ${action} for node ${node} (HTTP ${status}${reason ? ` ${reason}` : ''}): ${message || 'no reason given'}`, {
    httpStatus: status,
    ...(reason ? { reason } : {}),
  });
}
