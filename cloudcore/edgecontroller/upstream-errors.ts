/**
 * Why an edge report was refused or failed. The string `code` travels to the edge in the ERROR answer
 * (`{"message", "code"}`), so edge modules branch on it (metamanager and edged treat NOT_FOUND as "absent").
 */
import { KubeApiError, TerminalError } from '../../pkg/kube';

export type UpstreamErrorCode =
  /** The resource or content cannot be read. */
  | 'INVALID'
  /** The object does not exist in the cluster. */
  | 'NOT_FOUND'
  /** edgecontroller does not handle this operation on this type. */
  | 'UNSUPPORTED'
  /** Too many sync requests at once; the edge retries. */
  | 'BUSY'
  /** The API server refused or failed the write or read. */
  | 'API_ERROR';

export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';

  constructor(
    readonly code: UpstreamErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** HTTP codes that retrying the same request cannot fix. 404 and 409 are decided by each writer. */
const PERMANENT_CODES: ReadonlySet<number> = new Set([400, 403, 405, 413, 415, 422]);

/**
 * A write failure as the coalescing queue needs it: permanent API refusals (a bad object, a forbidden write) become
 * TerminalError so the key is dropped with an error log instead of retried forever; the rest is retried.
 */
export function classifyWriteError(error: unknown): unknown {
  if (error instanceof KubeApiError && PERMANENT_CODES.has(error.code)) return TerminalError.wrap(error);
  return error;
}

/** The error sent to the edge for a failed sync request: API errors get the string code the edge branches on. */
export function answerError(error: unknown): UpstreamError {
  if (error instanceof UpstreamError) return error;
  if (error instanceof KubeApiError) {
    return new UpstreamError(error.code === 404 ? 'NOT_FOUND' : 'API_ERROR', error.message, { cause: error });
  }
  return new UpstreamError('API_ERROR', error instanceof Error ? error.message : String(error), { cause: error });
}
