/**
 * Logs a failure once when a streak of failures starts (and again only if the reason changes), and once when it
 * ends: a device or edgecore that stays down for an hour gives two lines, not one per retry.
 */
import type { Logger } from '../../pkg/log';

export class StreakLog {
  private reason: string | undefined;
  private failures = 0;

  constructor(
    private readonly log: Logger,
    private readonly fields: Record<string, unknown>,
  ) {}

  get failing(): boolean {
    return this.reason !== undefined;
  }

  /** `reason` decides whether this is the same failure; `extra` fields are logged but not compared. */
  failed(reason: string, message: string, level: 'warn' | 'error' = 'warn', extra: Record<string, unknown> = {}): void {
    this.failures++;
    if (this.reason === reason) return;
    this.reason = reason;
    this.log[level]({ ...this.fields, ...extra, reason }, message);
  }

  succeeded(message: string): void {
    if (this.reason === undefined) return;
    this.log.info({ ...this.fields, failures: this.failures }, message);
    this.reason = undefined;
    this.failures = 0;
  }
}
