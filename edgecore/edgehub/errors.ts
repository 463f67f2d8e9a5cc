/** EdgeHub's errors. Callers (and tests) branch on `code`, never on message text. */

export type EdgeHubErrorCode =
  /** The factory's options break a rule; the message names the field and the fix. */
  | 'INVALID_OPTIONS'
  /** The TLS files are missing, unreadable, expired or for another node. */
  | 'CERTIFICATES'
  /** An upstream sync request arrived while no stream to the cloud is up. */
  | 'NOT_CONNECTED'
  /** The stream ended while an upstream sync request waited for its answer. */
  | 'CONNECTION_LOST'
  /** An upstream message is over maxMessageSize, or breaks the envelope's contract. */
  | 'REFUSED'
  /** The cloud gave no answer to an upstream sync request in time, or too many are waiting. */
  | 'QUERY_FAILED'
  /** The cloud refused an upstream message with a negative Ack. */
  | 'CLOUD_REFUSED'
  /** No edge module handles a downstream message's group, or the module did not answer. */
  | 'UNDELIVERABLE'
  /** The cloud sent nothing for twice the heartbeat. */
  | 'CLOUD_SILENT'
  /** The cloud sent a frame that does not decode or breaks the tunnel's contract. */
  | 'BAD_FRAME'
  /** The gRPC stream ended or failed (refused connection, TLS failure, cloud closed it, ...). */
  | 'STREAM_CLOSED'
  /** reconnect() was called (e.g. after certificate rotation). */
  | 'RECONNECT_REQUESTED'
  /** edgehub is shutting down. */
  | 'STOPPING';

export class EdgeHubError extends Error {
  override readonly name = 'EdgeHubError';

  constructor(
    readonly code: EdgeHubErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
