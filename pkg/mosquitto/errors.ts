/** Errors of the local mosquitto helpers. Callers branch on `code`, never on message text. */

export type MosquittoErrorCode =
  /** mosquitto (or mosquitto_pub/mosquitto_sub) is missing: run install.sh as root. */
  | 'NOT_INSTALLED'
  /** start.sh failed: the port is taken, the config was refused, or the broker never accepted connections. */
  | 'START_FAILED'
  /** mosquitto did not exit after SIGKILL. */
  | 'STOP_FAILED';

export class MosquittoError extends Error {
  override readonly name = 'MosquittoError';

  constructor(
    readonly code: MosquittoErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
