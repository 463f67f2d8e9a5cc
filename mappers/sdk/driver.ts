/**
 * What a protocol plugs into the SDK: a ProtocolDriver parses a device's protocol and visitor configData and makes
 * one DeviceDriver per device, which talks to that device. The SDK owns everything else: timers, reconnects with
 * back-off, states, reports, pushes, desired values, the REST API.
 */
import type { Logger } from '../../pkg/log';
import type { ConfigDataReader } from './config-data';
import type { DeviceValue, Transform, ValueType } from './values';

/** What a driver knows of its device: offline (no connection), unhealthy (connected, but requests fail), online. */
export type DeviceHealth = 'online' | 'offline' | 'unhealthy';

/** The model's view of one property, handed to the driver with every read and write. */
export interface PropertyContext {
  readonly name: string;
  readonly type: ValueType;
  readonly accessMode: 'ReadWrite' | 'ReadOnly';
}

export interface ParsedVisitor<V> {
  readonly visitor: V;
  /** Scale and offset the SDK applies between raw and twin values (identity when absent). */
  readonly transform?: Transform;
}

export interface ProtocolDriver<P, V> {
  /** The protocol this driver serves; the mapper registers with edgecore under it. */
  readonly protocol: string;
  /**
   * Protocol configData -> this driver's settings. Problems go to `reader` (each names its field and the fix); the
   * result is discarded when there are any. P must be plain JSON: two equal P mean the same connection, so an
   * UpdateDevice that leaves it unchanged keeps the device connected.
   */
  parseProtocol(reader: ConfigDataReader): P;
  /** A property's visitor configData -> how to reach it, checked against the property's type. */
  parseVisitor(reader: ConfigDataReader, property: PropertyContext): ParsedVisitor<V>;
  /** A driver for one device. Nothing may be dialled before connect(). */
  createDevice(protocol: P, context: { readonly id: string; readonly log: Logger }): DeviceDriver<V>;
}

/**
 * One device's connection. The SDK never calls two operations of one device at the same time, except health(),
 * which must answer from what the driver already knows. Errors are DeviceError with a code (see errors.ts).
 */
export interface DeviceDriver<V> {
  /** Opens the connection. Called at start and, with back-off, whenever the device is offline. */
  connect(): Promise<void>;
  read(visitor: V, property: PropertyContext): Promise<DeviceValue>;
  /** `value` is already converted (type, scale, offset) and checked against the model's bounds. */
  write(visitor: V, property: PropertyContext, value: DeviceValue): Promise<void>;
  health(): Promise<DeviceHealth>;
  /** Closes the connection; the driver is not used again. */
  close(): Promise<void>;
}
