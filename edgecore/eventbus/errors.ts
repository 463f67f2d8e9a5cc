/** EventBus's errors. Callers (and tests) branch on `code`, never on message text. */

export type EventBusErrorCode =
  /** The factory's options or the eventBus config break a rule; the message names the field and the fix. */
  | 'INVALID_OPTIONS'
  /** The internal broker could not listen on mqttServerInternal (port in use, address not on this host). */
  | 'LISTEN_FAILED'
  /** The sub_topics table could not be opened, read or written. */
  | 'STORAGE'
  /** A topic, payload or message content from a module or the cloud was refused; the message names the field and the fix. */
  | 'INVALID_INPUT'
  /** More publishes wait for a broker than the limit allows; the newest was refused. */
  | 'QUEUE_FULL';

export class EventBusError extends Error {
  override readonly name = 'EventBusError';

  constructor(
    readonly code: EventBusErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
