/** What the module needs from a broker it publishes to and takes messages from: the internal one or the external one. */
import type { BrokerName } from './metrics';

export interface BrokerLink {
  readonly name: BrokerName;
  /** Publishes waiting for the broker (unacknowledged, or queued while it is away). */
  readonly pending: number;
  /**
   * Publishes with the configured QoS and retain flag. Resolves once the broker took it (QoS 0: written; QoS 1/2:
   * acknowledged), which for an external broker that is away may be after a reconnect. Rejects with EventBusError
   * QUEUE_FULL when tuning.maxPendingPublishes publishes already wait, or with the broker's error.
   */
  publish(topic: string, payload: Buffer): Promise<void>;
  /** Starts taking messages on `filter` too (the Subscriptions set already holds it). */
  subscribe(filter: string): void;
  /** Stops taking messages on `filter` (the Subscriptions set no longer holds it). */
  unsubscribe(filter: string): void;
  /** Idempotent. Publishes still waiting are given up. */
  close(): Promise<void>;
}

/** Hands one MQTT message to the module; the broker acknowledges it (QoS 1) only once this resolves. */
export type DeliverMessage = (topic: string, payload: Buffer, from: BrokerName) => Promise<void>;
