/**
 * One device's operations, one at a time and in order: drivers never see concurrent calls (a Modbus TCP connection
 * or a serial line serves one request at a time). Bounded: when `limit` operations already wait, a new one is
 * refused with DeviceError BUSY instead of growing the queue behind a device that stopped answering.
 */
import { DeviceError } from './errors';

export class OpQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  constructor(private readonly limit: number) {}

  get length(): number {
    return this.waiting;
  }

  run<T>(op: () => Promise<T>): Promise<T> {
    if (this.waiting >= this.limit) {
      return Promise.reject(new DeviceError('BUSY', `${this.waiting} requests already wait for this device; try again later`));
    }
    this.waiting++;
    const result = this.tail.then(op).finally(() => this.waiting--);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves when everything queued so far has finished. */
  drained(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
