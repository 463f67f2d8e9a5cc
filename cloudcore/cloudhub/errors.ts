/**
 * Why a tunnel stream is refused or ended. Each code maps to one gRPC status at the boundary (toStatus), so the edge
 * can branch on the status code and a person can read the details.
 */
import { status, type StatusObject } from '@grpc/grpc-js';
import { Metadata } from '@grpc/grpc-js';

export type TunnelErrorCode =
  /** The client certificate does not name an edge node (CN system:node:<name>, O system:nodes). */
  | 'UNAUTHENTICATED'
  /** modules.cloudHub.nodeLimit nodes are connected already. */
  | 'NODE_LIMIT'
  /** A frame that is not protobuf, has no frame kind, or breaks the envelope's contract. */
  | 'INVALID_FRAME'
  /** A message over modules.cloudHub.maxMessageSize. */
  | 'TOO_LARGE'
  /** Nothing heard from the edge for modules.cloudHub.keepaliveInterval. */
  | 'KEEPALIVE_TIMEOUT'
  /** The edge did not read what was written for modules.cloudHub.writeTimeout. */
  | 'WRITE_TIMEOUT'
  /** A newer stream from the same node took over. */
  | 'REPLACED'
  /** cloudcore is stopping. */
  | 'SHUTTING_DOWN'
  /** The edge half-closed its side; the cloud ends its side too. */
  | 'PEER_CLOSED';

const GRPC_STATUS: Record<TunnelErrorCode, status> = {
  UNAUTHENTICATED: status.UNAUTHENTICATED,
  NODE_LIMIT: status.RESOURCE_EXHAUSTED,
  INVALID_FRAME: status.INVALID_ARGUMENT,
  TOO_LARGE: status.RESOURCE_EXHAUSTED,
  KEEPALIVE_TIMEOUT: status.UNAVAILABLE,
  WRITE_TIMEOUT: status.UNAVAILABLE,
  REPLACED: status.ABORTED,
  SHUTTING_DOWN: status.UNAVAILABLE,
  PEER_CLOSED: status.OK,
};

export class TunnelError extends Error {
  override readonly name = 'TunnelError';
  constructor(
    readonly code: TunnelErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The gRPC status this error ends a stream with. */
  get grpcStatus(): status {
    return GRPC_STATUS[this.code];
  }

  /** A metric label: the code in lower case. */
  get label(): string {
    return this.code.toLowerCase();
  }
}

/** The status object grpc-js sends for `error`. */
export function toStatus(error: TunnelError): StatusObject {
  return { code: error.grpcStatus, details: error.message, metadata: new Metadata() };
}
