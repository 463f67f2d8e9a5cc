/** CloudHub's options: the config section plus what the lead wires in, compiled once into one typed object. */
import type { Registry } from 'prom-client';
import type { Message } from '../../pkg/message';
import type { Client } from '../../pkg/kube';
import type { Logger } from '../../pkg/log';
import type { CloudCoreConfig } from '../config';
import type { NodeAuthorizer } from './authorizer';
import type { NodeQueueLimits } from './node-queue';

/** The settings of `modules.cloudHub` that the tunnel uses (the compiled config section satisfies this). */
export type CloudHubSettings = Pick<
  CloudCoreConfig['modules']['cloudHub'],
  'nodeLimit' | 'keepaliveIntervalMs' | 'writeTimeoutMs' | 'tunnel' | 'maxMessageSizeBytes'
>;

export interface TlsPems {
  /** The CA that signs edge node certificates; client certificates must chain to it. */
  readonly caPem: string;
  /** cloudcore's serving certificate (must name the address edge nodes dial) and its key. */
  readonly certPem: string;
  readonly keyPem: string;
}

/** Reliable delivery tuning. Defaults are KubeEdge's (5 s, 5 sends). */
export interface DeliveryOptions {
  /** An unacked message is sent again after this long. Default 5000. */
  readonly resendIntervalMs: number;
  /** Sends before a message is requeued with back-off. Default 5. */
  readonly maxSends: number;
  /** Most messages in flight per node (one per object at most). Default 256. */
  readonly windowPerNode: number;
  /** Most messages waiting per node, connected or not; more are dropped and counted. Default 4096. */
  readonly maxPendingPerNode: number;
  /** First back-off after a negative ack or maxSends sends. Default 1000. */
  readonly requeueInitialMs: number;
  /** Longest back-off. Default 30000. */
  readonly requeueMaxMs: number;
}

export interface CloudHubOptions {
  readonly config: CloudHubSettings;
  readonly tls: TlsPems;
  /** Written to each connected Node's `cloudcore` annotation. */
  readonly holderId: string;
  /** For the Node annotation and, unless `authorizer` is given, node authorization. */
  readonly client?: Client;
  /** Default: Kubernetes-backed when `client` is given; otherwise every check that needs the cluster is refused. */
  readonly authorizer?: NodeAuthorizer;
  /** Called after the edge acknowledged a message (the ObjectSync recorder). Failures are logged. */
  readonly onDelivered?: (node: string, message: Message) => Promise<void>;
  /** The resourceVersion ObjectSync says the node has for an object uid; older or equal messages are dropped. */
  readonly deliveredVersion?: (node: string, uid: string) => string | undefined;
  readonly log: Logger;
  /** Where the metrics go; a private registry when absent. */
  readonly registry?: Registry;
  readonly delivery?: Partial<DeliveryOptions>;
  /** HTTP/2 ping interval on idle connections. Default keepaliveIntervalMs / 2. */
  readonly http2KeepaliveTimeMs?: number;
  /** A ping unanswered this long closes the connection. Default min(10 s, keepaliveIntervalMs / 3). */
  readonly http2KeepaliveTimeoutMs?: number;
}

/** Extra room a frame gets beyond maxMessageSizeBytes for the envelope around the content. */
export const FRAME_OVERHEAD_BYTES = 64 * 1024;

export interface CompiledOptions {
  readonly nodeLimit: number;
  readonly keepaliveIntervalMs: number;
  readonly writeTimeoutMs: number;
  readonly host: string;
  readonly port: number;
  readonly maxMessageSizeBytes: number;
  /** Largest gRPC frame accepted or sent: the message limit plus FRAME_OVERHEAD_BYTES. */
  readonly maxFrameBytes: number;
  readonly http2KeepaliveTimeMs: number;
  readonly http2KeepaliveTimeoutMs: number;
  readonly queue: NodeQueueLimits;
  /** How often the shared sweep checks keepalives, write stalls, resends and back-offs. */
  readonly sweepIntervalMs: number;
}

export function compileOptions(options: CloudHubOptions): CompiledOptions {
  const { config } = options;
  const delivery: DeliveryOptions = {
    resendIntervalMs: 5000,
    maxSends: 5,
    windowPerNode: 256,
    maxPendingPerNode: 4096,
    requeueInitialMs: 1000,
    requeueMaxMs: 30_000,
    ...options.delivery,
  };
  for (const [name, value] of Object.entries(delivery)) positive(`delivery.${name}`, value);
  for (const name of ['nodeLimit', 'keepaliveIntervalMs', 'writeTimeoutMs', 'maxMessageSizeBytes'] as const) {
    positive(`modules.cloudHub.${name}`, config[name]);
  }
  const keepaliveIntervalMs = config.keepaliveIntervalMs;
  const http2KeepaliveTimeMs = options.http2KeepaliveTimeMs ?? Math.max(1000, Math.floor(keepaliveIntervalMs / 2));
  const http2KeepaliveTimeoutMs = options.http2KeepaliveTimeoutMs ?? Math.min(10_000, Math.max(1000, Math.floor(keepaliveIntervalMs / 3)));
  positive('http2KeepaliveTimeMs', http2KeepaliveTimeMs);
  positive('http2KeepaliveTimeoutMs', http2KeepaliveTimeoutMs);
  const shortest = Math.min(keepaliveIntervalMs, config.writeTimeoutMs, delivery.resendIntervalMs);
  return {
    nodeLimit: config.nodeLimit,
    keepaliveIntervalMs,
    writeTimeoutMs: config.writeTimeoutMs,
    host: config.tunnel.address,
    port: config.tunnel.port,
    maxMessageSizeBytes: config.maxMessageSizeBytes,
    maxFrameBytes: config.maxMessageSizeBytes + FRAME_OVERHEAD_BYTES,
    http2KeepaliveTimeMs,
    http2KeepaliveTimeoutMs,
    queue: {
      windowSize: delivery.windowPerNode,
      maxPending: delivery.maxPendingPerNode,
      resendIntervalMs: delivery.resendIntervalMs,
      maxSends: delivery.maxSends,
      requeueBackoff: { initialMs: delivery.requeueInitialMs, maxMs: Math.max(delivery.requeueMaxMs, delivery.requeueInitialMs) },
    },
    sweepIntervalMs: Math.min(1000, Math.max(20, Math.floor(shortest / 4))),
  };
}

function positive(name: string, value: number): void {
  if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`${name}: is ${value}; it must be a positive number`);
}
