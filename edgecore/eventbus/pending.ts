/**
 * The bound on publishes waiting for one broker (unacknowledged, or queued while it is away): a count and a byte
 * total. Overflow policy: the newest publish is refused (EventBusError QUEUE_FULL, counted as
 * dropped{reason="queue_full"}); what already waits is kept, in order.
 */
import { describeBytes } from './dispatch';
import { EventBusError } from './errors';

export class PendingPublishes {
  private count = 0;
  private bytes = 0;

  constructor(
    private readonly maxCount: number,
    private readonly maxBytes: number,
    /** For the error text, e.g. "the external broker tcp://127.0.0.1:1883". */
    private readonly broker: string,
  ) {}

  get size(): number {
    return this.count;
  }

  /** Counts a publish in, or throws QUEUE_FULL; call release() with the same size when it settles. */
  take(payloadBytes: number): void {
    if (this.count >= this.maxCount) {
      throw new EventBusError('QUEUE_FULL', `${this.count} publishes already wait for ${this.broker} (tuning.maxPendingPublishes)`);
    }
    if (this.bytes + payloadBytes > this.maxBytes && this.count > 0) {
      throw new EventBusError(
        'QUEUE_FULL',
        `publishes waiting for ${this.broker} already hold ${this.bytes} bytes; this one would pass ` +
          `${describeBytes(this.maxBytes)} (tuning.maxPendingBytes)`,
      );
    }
    this.count++;
    this.bytes += payloadBytes;
  }

  release(payloadBytes: number): void {
    this.count--;
    this.bytes -= payloadBytes;
  }
}
