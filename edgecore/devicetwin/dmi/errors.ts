/**
 * Errors of the DMI side, each with a gRPC status code so that the server maps them at the boundary, never by text.
 */
import { status } from '@grpc/grpc-js';

export type DmiReportErrorKind = 'unknownDevice' | 'invalid' | 'unavailable';

/**
 * For the twin module to reject a report with: `unknownDevice` -> NOT_FOUND, `invalid` -> INVALID_ARGUMENT,
 * `unavailable` -> UNAVAILABLE (not ready yet, or stopping: the mapper should retry), with the message given (which
 * should name the device, the field and what is wrong).
 */
export class DmiReportError extends Error {
  constructor(
    readonly kind: DmiReportErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DmiReportError';
  }

  get grpcCode(): status {
    switch (this.kind) {
      case 'unknownDevice':
        return status.NOT_FOUND;
      case 'invalid':
        return status.INVALID_ARGUMENT;
      case 'unavailable':
        return status.UNAVAILABLE;
    }
  }
}

/** A request a mapper sent that we refuse; `code` is what the mapper gets. */
export class DmiRequestError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
    this.name = 'DmiRequestError';
  }
}

/** The socket folder or file cannot be used (another edgecore listens, permissions, ...). */
export class DmiSocketError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DmiSocketError';
  }
}
