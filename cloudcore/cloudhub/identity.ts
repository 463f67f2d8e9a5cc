/**
 * Who is on the other end of a tunnel: the node named by the verified TLS client certificate, never anything the peer
 * sends. TLS has already checked the chain to the CloudHub CA and the validity dates; here only the subject is read.
 */
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { TunnelError } from './errors';

export const NODE_COMMON_NAME_PREFIX = 'system:node:';
export const NODES_ORGANIZATION = 'system:nodes';

/** What grpc-js tells about the peer (not exported under its own name). */
export type PeerAuthContext = ReturnType<ServerDuplexStream<unknown, unknown>['getAuthContext']>;

/** A Kubernetes node name: a DNS-1123 subdomain. Also keeps '/' out of resource strings. */
const NODE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const MAX_NODE_NAME_LENGTH = 253;

const FIX = 'issue the node a certificate with CN=system:node:<node name> and O=system:nodes (keadm join does)';

export function isNodeName(name: string): boolean {
  return name.length <= MAX_NODE_NAME_LENGTH && NODE_NAME.test(name);
}

/** The node name of a verified peer; throws UNAUTHENTICATED naming what is wrong with the certificate. */
export function nodeIdentity(auth: PeerAuthContext): string {
  const certificate = auth?.sslPeerCertificate;
  if (!certificate?.subject) {
    throw new TunnelError('UNAUTHENTICATED', `no verified client certificate on this connection; ${FIX}`);
  }
  const commonName = single(certificate.subject.CN);
  if (!commonName.startsWith(NODE_COMMON_NAME_PREFIX)) {
    throw new TunnelError(
      'UNAUTHENTICATED',
      `client certificate CN ${JSON.stringify(commonName)} does not name an edge node; ${FIX}`,
    );
  }
  const node = commonName.slice(NODE_COMMON_NAME_PREFIX.length);
  if (!isNodeName(node)) {
    throw new TunnelError(
      'UNAUTHENTICATED',
      `client certificate CN names node ${JSON.stringify(node)}, which is not a valid node name (a DNS-1123 subdomain); ${FIX}`,
    );
  }
  const organizations = list(certificate.subject.O);
  if (!organizations.includes(NODES_ORGANIZATION)) {
    throw new TunnelError(
      'UNAUTHENTICATED',
      `client certificate for node ${node} has O=${JSON.stringify(organizations.join(','))}, not ${NODES_ORGANIZATION}; ${FIX}`,
    );
  }
  return node;
}

// Node's PeerCertificate gives a subject attribute as a string, or an array when it occurs more than once.
function list(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function single(value: string | string[] | undefined): string {
  const values = list(value);
  return values.length === 1 ? values[0]! : values.join(',');
}
