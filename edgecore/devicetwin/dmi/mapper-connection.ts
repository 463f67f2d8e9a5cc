/**
 * One mapper's DeviceMapperService client on `unix:<address>`, and its health, read from the gRPC channel's
 * connectivity: the channel is kept connecting (an idle channel is asked to connect again), so a mapper whose process
 * died is noticed within moments (its socket refuses or is gone: TRANSIENT_FAILURE), without any call being made.
 *
 * Health: connecting -> ready <-> unreachable -> dead (unreachable for mapperDeadAfterMs) -> ready; closed at the end.
 * Transitions go through one function and are logged.
 */
import {
  type CallOptions,
  type ClientUnaryCall,
  connectivityState,
  credentials,
  Metadata,
  type ServiceError,
  status,
} from '@grpc/grpc-js';
import {
  type CreateDeviceModelRequest,
  type CreateDeviceModelResponse,
  DeviceMapperServiceClient,
  type RegisterDeviceRequest,
  type RegisterDeviceResponse,
  type RemoveDeviceModelRequest,
  type RemoveDeviceModelResponse,
  type RemoveDeviceRequest,
  type RemoveDeviceResponse,
  type UpdateDeviceModelRequest,
  type UpdateDeviceModelResponse,
  type UpdateDeviceRequest,
  type UpdateDeviceResponse,
} from '../../../gen/kubeedge/dmi/v1beta1/api';
import type { Logger } from '../../../pkg/log';
import type { DmiTimings } from './types';

export type MapperHealth = 'connecting' | 'ready' | 'unreachable' | 'dead' | 'closed';

/** The DeviceMapperService calls edgecore makes, by client method name: [request, response]. */
export interface MapperCalls {
  registerDevice: [RegisterDeviceRequest, RegisterDeviceResponse];
  updateDevice: [UpdateDeviceRequest, UpdateDeviceResponse];
  removeDevice: [RemoveDeviceRequest, RemoveDeviceResponse];
  createDeviceModel: [CreateDeviceModelRequest, CreateDeviceModelResponse];
  updateDeviceModel: [UpdateDeviceModelRequest, UpdateDeviceModelResponse];
  removeDeviceModel: [RemoveDeviceModelRequest, RemoveDeviceModelResponse];
}
export type MapperMethod = keyof MapperCalls;

type Unary<Q, R> = (
  request: Q,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: R) => void,
) => ClientUnaryCall;

/** A failed call to a mapper; `code` is the gRPC status (UNAVAILABLE when the socket did not answer in time). */
export class MapperCallError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
    this.name = 'MapperCallError';
  }
}

export interface MapperConnectionOptions {
  protocol: string;
  mapperName: string;
  /** Path of the mapper's socket. */
  address: string;
  log: Logger;
  timings: DmiTimings;
  onHealth(health: MapperHealth, previous: MapperHealth): void;
}

export class MapperConnection {
  private readonly client: DeviceMapperServiceClient;
  private readonly log: Logger;
  private health: MapperHealth = 'connecting';
  private deadTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: MapperConnectionOptions) {
    this.log = options.log;
    this.client = new DeviceMapperServiceClient(`unix://${options.address}`, credentials.createInsecure(), {
      // Its own connection: closing a replaced mapper's client must not touch the new one on the same path.
      'grpc.use_local_subchannel_pool': 1,
      // A mapper that restarts is back within a second or two; do not wait up to grpc's default two minutes.
      'grpc.initial_reconnect_backoff_ms': 500,
      'grpc.max_reconnect_backoff_ms': 5000,
    });
    this.watch();
  }

  get state(): MapperHealth {
    return this.health;
  }

  /** Waits up to connectTimeoutMs for the socket, then makes the call with a callTimeoutMs deadline. */
  async call<M extends MapperMethod>(method: M, request: MapperCalls[M][0]): Promise<MapperCalls[M][1]> {
    const { address, timings } = this.options;
    if (this.health === 'closed') throw new MapperCallError(status.CANCELLED, `${method}: the client for mapper socket ${address} is closed`);
    await new Promise<void>((resolve, reject) => {
      this.client.waitForReady(Date.now() + timings.connectTimeoutMs, (error) => {
        if (error) {
          reject(new MapperCallError(status.UNAVAILABLE, `${method}: mapper socket ${address} did not answer within ${timings.connectTimeoutMs} ms`));
        } else resolve();
      });
    });
    const fn = this.client[method] as unknown as Unary<MapperCalls[M][0], MapperCalls[M][1]>;
    return new Promise((resolve, reject) => {
      fn.call(this.client, request, new Metadata(), { deadline: Date.now() + timings.callTimeoutMs }, (error, response) => {
        if (error) reject(new MapperCallError(error.code, `${method} on mapper socket ${address}: ${error.details || error.message}`));
        else resolve(response);
      });
    });
  }

  close(): void {
    if (this.health === 'closed') return;
    this.transition('closed');
    this.client.close();
  }

  private watch(): void {
    if (this.health === 'closed') return;
    const channel = this.client.getChannel();
    // true: an IDLE channel (after the mapper hung up, or after grpc's idle timeout) starts connecting again.
    const state = channel.getConnectivityState(true);
    this.observe(state);
    if (state === connectivityState.SHUTDOWN) return;
    channel.watchConnectivityState(state, Infinity, () => this.watch());
  }

  private observe(state: connectivityState): void {
    if (state === connectivityState.READY) {
      this.clearDeadTimer();
      this.transition('ready');
    } else if (state === connectivityState.TRANSIENT_FAILURE || state === connectivityState.SHUTDOWN) {
      if (this.health === 'ready' || this.health === 'connecting') this.transition('unreachable');
      // CONNECTING and IDLE between failed attempts do not restart the clock: only READY stops it.
      if (this.deadTimer === undefined && this.health === 'unreachable') {
        this.deadTimer = setTimeout(() => {
          this.deadTimer = undefined;
          if (this.health === 'unreachable') this.transition('dead');
        }, this.options.timings.mapperDeadAfterMs);
        this.deadTimer.unref();
      }
    }
  }

  private transition(next: MapperHealth): void {
    const previous = this.health;
    if (previous === next || previous === 'closed') return;
    this.health = next;
    if (next === 'closed') this.clearDeadTimer();
    const fields = { protocol: this.options.protocol, mapper: this.options.mapperName, address: this.options.address, from: previous, to: next };
    if (next === 'dead') this.log.warn(fields, `mapper unreachable for ${this.options.timings.mapperDeadAfterMs} ms`);
    else if (next === 'ready' && previous !== 'connecting') this.log.info(fields, 'mapper reachable again');
    else this.log.debug(fields, 'mapper connection state');
    this.options.onHealth(next, previous);
  }

  private clearDeadTimer(): void {
    if (this.deadTimer !== undefined) clearTimeout(this.deadTimer);
    this.deadTimer = undefined;
  }
}
