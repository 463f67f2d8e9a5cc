/**
 * Who a node is in a certificate: CN system:node:<node>, O system:nodes. Its own module (no imports) so the edge can
 * name itself without loading the cloud's certificate signer and, through it, @peculiar/x509.
 */
export const NODE_COMMON_NAME_PREFIX = 'system:node:';
export const NODES_GROUP = 'system:nodes';

export const nodeCommonName = (node: string): string => `${NODE_COMMON_NAME_PREFIX}${node}`;
