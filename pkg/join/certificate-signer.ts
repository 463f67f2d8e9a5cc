/**
 * The decision behind POST /edge.crt, apart from HTTP: who is asking (a join token, or the node's own certificate when
 * it renews), for which node (the NodeName header), and whether the CSR asks for exactly that node's identity. Every
 * refusal carries a status, a reason code and a message saying how to fix it.
 */
import { X509Certificate } from 'node:crypto';
import { isDns1123Subdomain } from '../apiserver/schema/names';
import { CsrError, parseCsr, signPublicKey, type CertificateRequest, type KeyPairPem, type ParsedCsr } from '../pki';
import { FRESH_TOKEN_HINT, JoinError } from './errors';
import { NODE_COMMON_NAME_PREFIX, NODES_GROUP, nodeCommonName } from './node-identity';
import { verifyJoinToken } from './token';

const DAY_MS = 86_400_000;
export { NODE_COMMON_NAME_PREFIX, NODES_GROUP, nodeCommonName };

export type RefusalReason =
  | 'NODE_NAME_MISSING'
  | 'NODE_NAME_INVALID'
  | 'TOKEN_MISSING'
  | 'TOKEN_MALFORMED'
  | 'TOKEN_WRONG_CA'
  | 'TOKEN_BAD_SIGNATURE'
  | 'TOKEN_EXPIRED'
  | 'CLIENT_CERT_INVALID'
  | 'CLIENT_CERT_OTHER_NODE'
  | 'CSR_MALFORMED'
  | 'CSR_BAD_SIGNATURE'
  | 'CSR_UNSUPPORTED_KEY'
  | 'CSR_SUBJECT_MISMATCH'
  | 'BODY_TOO_LARGE'
  | 'METHOD_NOT_ALLOWED'
  | 'NOT_FOUND';

export interface Refusal {
  ok: false;
  httpStatus: number;
  reason: RefusalReason;
  message: string;
}

export interface Signed {
  ok: true;
  node: string;
  /** How the requester proved who it is. */
  via: 'token' | 'certificate';
  certDer: Buffer;
  notAfter: Date;
}

/** What the TLS layer knows about the client certificate, if one was presented. */
export interface PresentedCertificate {
  /** Chains to the CA and is within its validity. */
  authorized: boolean;
  commonName: string;
  /** OpenSSL's reason when not authorized (CERT_HAS_EXPIRED, UNABLE_TO_VERIFY_LEAF_SIGNATURE, ...). */
  error?: string;
}

export interface EdgeCertificateRequest {
  /** The NodeName header. */
  nodeName: string | undefined;
  /** The Authorization header. */
  authorization: string | undefined;
  clientCertificate: PresentedCertificate | undefined;
  body: Buffer;
}

export interface SignerOptions {
  ca: KeyPairPem;
  /** cloudHub.edgeCertSigningDuration. */
  validityMs: number;
  now?: () => number;
}

/**
 * What an edge node's certificate says: CN system:node:<node>, O system:nodes, client auth. `subject` overrides exist
 * for tests that need a certificate the cloud must refuse.
 */
export function nodeCertificateRequest(
  node: string,
  validDays: number,
  subject: { commonName?: string; organizations?: string[] } = {},
): CertificateRequest {
  return {
    commonName: subject.commonName ?? nodeCommonName(node),
    organizations: subject.organizations ?? [NODES_GROUP],
    usage: 'client',
    validDays,
  };
}

/** A serving certificate for a cloudcore on this host (tests, benchmarks): 127.0.0.1 and localhost. */
export function loopbackServerRequest(validDays: number): CertificateRequest {
  return { commonName: 'cloudcore', ipAddresses: ['127.0.0.1'], dnsNames: ['localhost'], usage: 'server', validDays };
}

export function refusal(httpStatus: number, reason: RefusalReason, message: string): Refusal {
  return { ok: false, httpStatus, reason, message };
}

export async function decideEdgeCertificate(request: EdgeCertificateRequest, options: SignerOptions): Promise<Signed | Refusal> {
  const node = request.nodeName?.trim() ?? '';
  if (node === '') return refusal(400, 'NODE_NAME_MISSING', 'the NodeName header is missing; send "NodeName: <node name>" with the CSR');
  const nameProblems = isDns1123Subdomain(node);
  if (nameProblems.length > 0) {
    return refusal(400, 'NODE_NAME_INVALID', `the NodeName header "${node}" is not a valid node name: ${nameProblems.join('; ')}`);
  }

  const identity = authenticate(request, node, options);
  if (!identity.ok) return identity;

  if (request.body.length === 0) {
    return refusal(400, 'CSR_MALFORMED', 'the request body is empty; send a PKCS#10 CSR (PEM or DER) as the request body');
  }
  let csr: ParsedCsr;
  try {
    csr = await parseCsr(csrBody(request.body));
  } catch (error) {
    if (!(error instanceof CsrError)) throw error;
    return refusal(400, error.code, `${error.message}; send a PKCS#10 CSR (PEM or DER) as the request body`);
  }
  const wanted = nodeCommonName(node);
  if (csr.commonName !== wanted || csr.organizations.length !== 1 || csr.organizations[0] !== NODES_GROUP) {
    return refusal(
      403,
      'CSR_SUBJECT_MISMATCH',
      `the CSR asks for CN="${csr.commonName}", O=${JSON.stringify(csr.organizations)}; node "${node}" may only ask for ` +
        `CN="${wanted}", O=["${NODES_GROUP}"]`,
    );
  }
  const certPem = await signPublicKey(options.ca, csr.publicKey, nodeCertificateRequest(node, options.validityMs / DAY_MS));
  const cert = new X509Certificate(certPem);
  return { ok: true, node, via: identity.via, certDer: cert.raw, notAfter: new Date(cert.validTo) };
}

function authenticate(request: EdgeCertificateRequest, node: string, options: SignerOptions): { ok: true; via: Signed['via'] } | Refusal {
  const presented = request.clientCertificate;
  if (presented?.authorized) {
    // Renewal: the node's current certificate speaks for it, and only for it.
    if (presented.commonName !== nodeCommonName(node)) {
      return refusal(
        403,
        'CLIENT_CERT_OTHER_NODE',
        `the client certificate is "${presented.commonName}", not "${nodeCommonName(node)}" (NodeName header); ` +
          'a node may only renew its own certificate',
      );
    }
    return { ok: true, via: 'certificate' };
  }
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.authorization ?? '')?.[1];
  if (bearer !== undefined) {
    try {
      verifyJoinToken(options.ca, bearer, (options.now ?? Date.now)());
      return { ok: true, via: 'token' };
    } catch (error) {
      if (!(error instanceof JoinError)) throw error;
      return refusal(401, error.code as RefusalReason, error.message);
    }
  }
  if (presented !== undefined) {
    const why = presented.error === 'CERT_HAS_EXPIRED' ? 'it has expired' : `it is not signed by this cloudcore's CA (${presented.error ?? 'unverified'})`;
    return refusal(401, 'CLIENT_CERT_INVALID', `the client certificate was refused: ${why}; join again with a token: ${FRESH_TOKEN_HINT}`);
  }
  if (request.authorization !== undefined) {
    return refusal(401, 'TOKEN_MALFORMED', `the Authorization header is not "Bearer <token>"; send the join token's JWT: ${FRESH_TOKEN_HINT}`);
  }
  return refusal(
    401,
    'TOKEN_MISSING',
    `no "Authorization: Bearer <token>" header and no client certificate; send the join token (${FRESH_TOKEN_HINT}) or present the node's certificate`,
  );
}

/** PEM text stays text; anything else is taken as DER. */
function csrBody(body: Buffer): string | Buffer {
  const head = body.subarray(0, 64).toString('latin1').trimStart();
  return head.startsWith('-----BEGIN') ? body.toString('utf8') : body;
}
