/**
 * The one error class of node join and certificate rotation. Callers branch on `code`; the message says what is wrong
 * and what to do about it, so it can go to the operator as it is.
 */

export type JoinErrorCode =
  /** The token is not `<64 hex>.<header>.<payload>.<signature>`, or its JWT is not an HS256 JWT with an exp claim. */
  | 'TOKEN_MALFORMED'
  /** The token's first part is not the hash of this cloudcore's CA: it was made by another cluster. */
  | 'TOKEN_WRONG_CA'
  /** The JWT's signature does not match this CA's key. */
  | 'TOKEN_BAD_SIGNATURE'
  | 'TOKEN_EXPIRED'
  /** Edge side: the CA the bootstrap server sent does not hash to the token's first part. */
  | 'CA_HASH_MISMATCH'
  /** Edge side: the bootstrap server could not be reached (refused, timed out, TLS failure). */
  | 'UNREACHABLE'
  /** Edge side: the bootstrap server refused the request; `httpStatus` and the message say why. */
  | 'REFUSED'
  /** Edge side: the server answered, but not with a certificate this node can use. */
  | 'BAD_RESPONSE'
  /** Edge side: the node's certificate files are missing or unreadable (rotation needs them). */
  | 'CERTIFICATE_UNUSABLE'
  /** Cloud side: a CA or server certificate from the config files or a Secret cannot be used. */
  | 'PKI_INVALID';

export class JoinError extends Error {
  override readonly name = 'JoinError';
  /** For REFUSED: the bootstrap server's HTTP status. */
  readonly httpStatus: number | undefined;
  /** For REFUSED: the bootstrap server's refusal reason (a RefusalReason, see certificate-signer.ts). */
  readonly reason: string | undefined;

  constructor(
    readonly code: JoinErrorCode,
    message: string,
    options: { cause?: unknown; httpStatus?: number; reason?: string } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.httpStatus = options.httpStatus;
    this.reason = options.reason;
  }
}

/** The fix every token refusal shares. */
export const FRESH_TOKEN_HINT = 'run "keadm gettoken" on the cloud for a fresh token';
