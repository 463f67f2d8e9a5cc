/** The errors of reliable-sync records. Callers branch on `code`, never on message text. */

export type ReliableSyncErrorCode =
  /** A node name, uid or record name that cannot make a valid record name. */
  | 'INVALID_NAME'
  /** A resourceVersion that is not an unsigned decimal integer. */
  | 'INVALID_RESOURCE_VERSION'
  /** A delivered message whose content cannot be recorded as sent (the message names the field and the fix). */
  | 'INVALID_MESSAGE'
  /** The CRDs were created but the API server did not serve them in time. */
  | 'CRD_NOT_SERVED'
  /** A record kept losing optimistic-concurrency races. */
  | 'CONFLICT';

export class ReliableSyncError extends Error {
  override readonly name = 'ReliableSyncError';

  constructor(
    readonly code: ReliableSyncErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
