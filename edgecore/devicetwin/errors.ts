/**
 * TwinError: why a twin or state request was refused, with KubeEdge's result code (facts §5.3) so that the MQTT
 * boundary writes `{code, reason}` on the `/result` topic and the DMI boundary maps it to a gRPC status, never by text.
 */
import { TWIN_CODES } from '../../pkg/devices/twin-json';

export type TwinCode = (typeof TWIN_CODES)[keyof typeof TWIN_CODES];

export class TwinError extends Error {
  override readonly name = 'TwinError';

  constructor(
    readonly code: TwinCode,
    /** Names the field, the bad value and the fix; published as `reason`. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(reason, options);
  }
}

export const badRequest = (reason: string): TwinError => new TwinError(TWIN_CODES.badRequest, reason);
export const notFound = (reason: string): TwinError => new TwinError(TWIN_CODES.notFound, reason);
export const conflict = (reason: string): TwinError => new TwinError(TWIN_CODES.conflict, reason);

/** Any error as a TwinError: a TwinError as it is, anything else as 500 (a fault of ours, not of the request). */
export function asTwinError(error: unknown): TwinError {
  if (error instanceof TwinError) return error;
  const text = error instanceof Error ? error.message : String(error);
  return new TwinError(TWIN_CODES.internal, `devicetwin failed: ${text}`, { cause: error });
}

/** The result label for metrics. */
export function outcomeOf(code: TwinCode | 200): 'ok' | 'bad_request' | 'not_found' | 'conflict' | 'internal' {
  switch (code) {
    case 200:
      return 'ok';
    case TWIN_CODES.badRequest:
      return 'bad_request';
    case TWIN_CODES.notFound:
      return 'not_found';
    case TWIN_CODES.conflict:
      return 'conflict';
    default:
      return 'internal';
  }
}
