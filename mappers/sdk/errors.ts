/**
 * The errors a mapper deals in. Drivers throw DeviceError with a code (never classified by message text); the SDK
 * maps codes to device states, gRPC statuses and HTTP statuses at its boundaries.
 */

export type DeviceErrorCode =
  /** The device did not answer in time (the connection may still be up). */
  | 'TIMEOUT'
  /** The device answered with an error of its protocol (e.g. a Modbus exception code). */
  | 'DEVICE_EXCEPTION'
  /** There is no connection to the device (refused, reset, closed). */
  | 'DISCONNECTED'
  /** A value cannot be written: wrong type, out of the register's range, or the target is read-only. */
  | 'BAD_VALUE'
  /** Too many requests already wait for this device. */
  | 'BUSY';

export class DeviceError extends Error {
  override readonly name = 'DeviceError';

  constructor(
    readonly code: DeviceErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Any thrown value as a DeviceError: a driver that throws something else has failed in an unknown way. */
export function asDeviceError(error: unknown): DeviceError {
  if (error instanceof DeviceError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new DeviceError('DEVICE_EXCEPTION', message, { cause: error });
}

/**
 * A Device, DeviceModel or value that cannot be used as sent. `issues` are whole sentences that each start with the
 * field path (`spec.properties[0].visitors.configData.register: ...`) and end with the fix.
 */
export class SpecError extends Error {
  override readonly name = 'SpecError';
  readonly code = 'INVALID_SPEC';

  constructor(
    readonly subject: string,
    readonly issues: readonly string[],
  ) {
    super(`${subject}: ${issues.length === 1 ? issues[0] : `${issues.length} problems: ${issues.join('; ')}`}`);
  }
}

/** A value a user asked to write (desired value or REST write) that the model refuses. */
export class ValueError extends Error {
  override readonly name = 'ValueError';
  readonly code = 'INVALID_VALUE';
}
