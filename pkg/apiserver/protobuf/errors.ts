/** Why a Kubernetes protobuf body could not be turned into JSON. */
export type ProtobufDecodeErrorCode =
  /** The body does not start with the magic bytes `k8s\0`. */
  | 'NotProtobuf'
  /** The bytes are not valid protobuf for the declared types (truncated, wrong wire type, bad value). */
  | 'Malformed'
  /** The body holds another kind than the request addresses. */
  | 'KindMismatch'
  /** The body's kind is one this server has no protobuf schema for. */
  | 'UnsupportedKind'
  /** The body holds a field number the schema does not know: a client newer than the schema. */
  | 'UnknownField'
  /** The envelope declares a content encoding or an inner content type this server does not decode. */
  | 'UnsupportedEncoding';

/** The advice every "send JSON instead" error ends with. */
export const SEND_JSON_ADVICE =
  'send the object as JSON instead (for example `kubectl create ... --dry-run=client -o json | kubectl apply -f -`, ' +
  'or a client configured with content type application/json)';

/**
 * A body that is not usable Kubernetes protobuf. `httpStatus` is the answer the API server gives: 415 when the body may
 * be fine but this server cannot read it (the client should send JSON), 400 when the body itself is wrong.
 */
export class ProtobufDecodeError extends Error {
  readonly httpStatus: 400 | 415;

  constructor(
    readonly code: ProtobufDecodeErrorCode,
    message: string,
    readonly details: { typeName?: string; fieldNumber?: number } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ProtobufDecodeError';
    this.httpStatus = code === 'UnknownField' || code === 'UnsupportedKind' || code === 'UnsupportedEncoding' ? 415 : 400;
  }
}

export function isProtobufDecodeError(error: unknown): error is ProtobufDecodeError {
  return error instanceof ProtobufDecodeError;
}
