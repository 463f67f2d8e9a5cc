/**
 * Node join and identity: the cluster CA and cloudcore's certificate (kept in Secrets), the join token, the bootstrap
 * HTTPS server that signs node certificates, and the edge side that joins and renews.
 */
export { JoinError, type JoinErrorCode } from './errors';
export { caHash, createJoinToken, splitJoinToken, TOKEN_CLOCK_SKEW_MS, verifyJoinToken, type VerifiedToken } from './token';
export { ensureCloudPki, hostAddresses, type CloudPki, type CloudPkiOptions, type PkiSource } from './cloud-pki';
export { CA_SECRET, CLOUDCORE_SECRET, KUBEEDGE_NAMESPACE, TOKEN_SECRET } from './secrets';
export { TokenKeeper, type KeptToken, type TokenKeeperOptions } from './token-keeper';
export { DEFAULT_MAX_BODY_BYTES, startBootstrapServer, type BootstrapServer, type BootstrapServerOptions } from './bootstrap-server';
export { loopbackServerRequest, nodeCertificateRequest, nodeCommonName, NODES_GROUP, type RefusalReason } from './certificate-signer';
export { joinCluster, type JoinClusterOptions } from './join-cluster';
export { CertificateRotator, rotationDeadline, type CertificateRotatorOptions } from './rotator';
export { readNodeCredentials, writeFileAtomic, writeNodeCredentials, type CredentialFiles, type NodeCredentials } from './files';
