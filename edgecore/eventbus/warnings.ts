/**
 * Bad input can arrive in floods (a misbehaving app publishing oversized payloads in a loop): each kind of warning is
 * logged at once, then at most once per interval with the number left out meanwhile. Metrics count every case.
 */
import type { Logger } from '../../pkg/log';

export class ThrottledWarnings {
  private readonly last = new Map<string, { atMs: number; suppressed: number }>();

  constructor(
    private readonly log: Logger,
    private readonly intervalMs: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  warn(kind: string, fields: object, text: string): void {
    const now = this.nowMs();
    const entry = this.last.get(kind);
    if (entry && now - entry.atMs < this.intervalMs) {
      entry.suppressed++;
      return;
    }
    const suppressed = entry?.suppressed ?? 0;
    this.last.set(kind, { atMs: now, suppressed: 0 });
    this.log.warn(suppressed > 0 ? { ...fields, similarSinceLastWarning: suppressed } : fields, text);
  }
}
