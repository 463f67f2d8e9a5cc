/**
 * The errors of the Kubernetes client layer. Callers branch on `code` (the HTTP status) and `reason` (the Status
 * reason), never on message text.
 */

/** The parts of a metav1.Status that an error answer carries. */
export interface KubeStatus {
  kind?: string;
  apiVersion?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; group?: string; kind?: string; causes?: { reason?: string; message?: string; field?: string }[] };
}

/** Status reasons for codes whose answer had no Status body (a proxy, a dropped connection). */
const REASON_BY_CODE: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** `code` 0 with this reason: no HTTP answer at all (refused, reset, TLS failure). */
export const UNREACHABLE = 'Unreachable';

/** A failed Kubernetes API call: the server's Status, or code 0 / reason "Unreachable" when no answer came. */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';

  constructor(
    /** The HTTP status code; 0 when the server could not be reached. */
    readonly code: number,
    /** The Status reason ("NotFound", "Conflict", "AlreadyExists", "Expired", "Gone", ...). */
    readonly reason: string,
    message: string,
    readonly status?: KubeStatus,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** From an HTTP answer: its body is a Status when the server is a Kubernetes API server. */
  static fromResponse(httpStatus: number, body: string, what: string): KubeApiError {
    let status: KubeStatus | undefined;
    try {
      const parsed = JSON.parse(body) as unknown;
      if (parsed !== null && typeof parsed === 'object' && (parsed as KubeStatus).kind === 'Status') status = parsed as KubeStatus;
    } catch {
      // Not JSON: keep the text as the message.
    }
    const code = status?.code ?? httpStatus;
    const reason = status?.reason || REASON_BY_CODE[code] || 'Unknown';
    const detail = status?.message ?? (body.trim().slice(0, 500) || `HTTP ${httpStatus}`);
    return new KubeApiError(code, reason, `${what}: ${detail}`, status);
  }

  /** From a watch ERROR event, whose object is a Status. */
  static fromStatus(status: KubeStatus, what: string): KubeApiError {
    const code = status.code ?? 500;
    return new KubeApiError(code, status.reason || REASON_BY_CODE[code] || 'Unknown', `${what}: ${status.message ?? 'error event'}`, status);
  }

  static unreachable(what: string, cause: unknown): KubeApiError {
    const detail = cause instanceof Error ? cause.message : String(cause);
    return new KubeApiError(0, UNREACHABLE, `${what}: ${detail}`, undefined, { cause });
  }
}

const apiError = (error: unknown): KubeApiError | undefined => (error instanceof KubeApiError ? error : undefined);

export function isNotFound(error: unknown): boolean {
  return apiError(error)?.code === 404;
}

/** 409 with reason Conflict: an update lost an optimistic-concurrency race (stale resourceVersion). */
export function isConflict(error: unknown): boolean {
  const e = apiError(error);
  return e?.code === 409 && e.reason !== 'AlreadyExists';
}

export function isAlreadyExists(error: unknown): boolean {
  const e = apiError(error);
  return e?.code === 409 && e.reason === 'AlreadyExists';
}

/** 410: the resourceVersion asked for is older than the history the server keeps; relist. */
export function isGone(error: unknown): boolean {
  return apiError(error)?.code === 410;
}

/**
 * 504 for a resourceVersion newer than the server's (it restarted with lost writes, or a lagging replica): relist.
 * Recognised by the ResourceVersionTooLarge cause; servers that send no cause are recognised by their message, as
 * client-go does, since no other field marks them.
 */
export function isTooLargeResourceVersion(error: unknown): boolean {
  const e = apiError(error);
  if (e?.code !== 504) return false;
  if (e.status?.details?.causes?.some((cause) => cause.reason === 'ResourceVersionTooLarge')) return true;
  return e.message.includes('Too large resource version');
}

/** A kubeconfig that is missing or unusable; the message names the file and what to fix. */
export class KubeConfigError extends Error {
  override readonly name = 'KubeConfigError';
  readonly code = 'KUBECONFIG_INVALID';

  constructor(
    readonly path: string | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
