/** Why a report from the edge was refused. Callers branch on `code`; the message names the field and the fix. */
import type { ReportResult } from './metrics';

export type DeviceReportErrorCode = Exclude<ReportResult, 'accepted'>;

export class DeviceReportError extends Error {
  override readonly name = 'DeviceReportError';

  constructor(
    readonly code: DeviceReportErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
