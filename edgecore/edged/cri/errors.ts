import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';

/**
 * A failed CRI call. `code` is the gRPC status code the runtime answered with (classify by it, never by text); the
 * message names the endpoint and, when the runtime cannot be reached, how to fix the configuration.
 */
export class CriError extends Error {
  override readonly name = 'CriError';

  constructor(
    readonly method: string,
    readonly endpoint: string,
    readonly code: GrpcStatus,
    readonly details: string,
    options?: { cause?: unknown },
  ) {
    super(describe(method, endpoint, code, details), options);
  }
}

function describe(method: string, endpoint: string, code: GrpcStatus, details: string): string {
  if (code === GrpcStatus.UNAVAILABLE) {
    return (
      `cannot reach the container runtime at ${endpoint} (${method}: ${details}); is containerd running? ` +
      `modules.edged.containerRuntimeEndpoint = ${endpoint}`
    );
  }
  if (code === GrpcStatus.DEADLINE_EXCEEDED) {
    return `container runtime at ${endpoint} did not answer ${method} in time (${details})`;
  }
  return `CRI ${method} at ${endpoint} failed: ${details}`;
}

export function toCriError(method: string, endpoint: string, err: unknown): CriError {
  const service = err as Partial<ServiceError>;
  const code = typeof service.code === 'number' ? service.code : GrpcStatus.UNKNOWN;
  const details = service.details || (err instanceof Error ? err.message : String(err));
  return new CriError(method, endpoint, code, details, { cause: err });
}

/** True when the runtime says the object is gone: the caller's goal (stop/remove) is already met. */
export function isNotFound(err: unknown): boolean {
  return err instanceof CriError && err.code === GrpcStatus.NOT_FOUND;
}

export function isUnavailable(err: unknown): boolean {
  return err instanceof CriError && err.code === GrpcStatus.UNAVAILABLE;
}
