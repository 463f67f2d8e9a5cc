/** EdgeHub's options: the edgeHub config section plus tuning knobs, checked and compiled once. */
import type { Registry } from 'prom-client';
import type { HostPort } from '../../pkg/config/address';
import type { Logger } from '../../pkg/log';
import type { EdgeCoreConfig } from '../config';
import { EdgeHubError } from './errors';

/** The parts of the compiled `modules.edgeHub` config section that EdgeHub reads. */
export type EdgeHubConfig = Pick<
  EdgeCoreConfig['modules']['edgeHub'],
  | 'heartbeatMs'
  | 'messageQPS'
  | 'messageBurst'
  | 'servers'
  | 'tlsCaFile'
  | 'tlsCertFile'
  | 'tlsPrivateKeyFile'
  | 'maxMessageSizeBytes'
>;

/** Knobs that are not in edgecore.yaml; the defaults suit production, tests shorten them. */
export interface EdgeHubTuning {
  /** First reconnect delay (jittered down by up to 20%), so the first retry comes within a second. Default 500. */
  reconnectInitialMs: number;
  /** Reconnect delays double up to this. Default 30 s. */
  reconnectMaxMs: number;
  /** Longest wait for an edge module to answer a downstream message that needs an Ack. Default 10 s. */
  dispatchTimeoutMs: number;
  /**
   * Longest wait for the cloud to answer an upstream sync request. The caller's own sendSync timeout still applies;
   * this only bounds how long edgehub remembers the request. Default 60 s (metaManager.remoteQueryTimeout).
   */
  queryTimeoutMs: number;
  /** Upstream sync requests that may wait for the cloud at once; more are refused. Default 1024. */
  maxPendingQueries: number;
  /** Fire-and-forget messages kept while disconnected (oldest dropped beyond). Default 1024. */
  bufferMaxMessages: number;
  /** Bytes of fire-and-forget messages kept while disconnected (oldest dropped beyond). Default 16 MiB. */
  bufferMaxBytes: number;
  /** Downstream messages handed to modules and not yet answered; reading pauses beyond. Default 256. */
  maxInFlightDownstream: number;
  /** HTTP/2 ping interval on the stream. Default heartbeatMs. */
  http2KeepaliveTimeMs: number;
  /** How long an HTTP/2 ping may go unanswered before the connection is dropped. Default min(heartbeatMs, 10 s). */
  http2KeepaliveTimeoutMs: number;
}

export interface EdgeHubOptions {
  config: EdgeHubConfig;
  /** This node's name; the client certificate's CN must be `system:node:<nodeName>`. */
  nodeName: string;
  /**
   * Called before a connect attempt while any of the three TLS files is missing; it should create them (join the
   * cluster with the token). Without it, missing files are an error naming modules.edgeHub.token.
   */
  ensureCertificates?: (signal: AbortSignal) => Promise<void>;
  /** Parent logger; lines carry module=edgehub. The runtime's module logger when absent. */
  log?: Logger;
  /** Where edgehub_* metrics go; none when absent. */
  registry?: Registry;
  tuning?: Partial<EdgeHubTuning>;
}

/** Everything checked, defaults filled in. */
export interface CompiledEdgeHubOptions extends EdgeHubTuning {
  heartbeatMs: number;
  messageQPS: number;
  messageBurst: number;
  servers: readonly HostPort[];
  tlsFiles: TlsFiles;
  maxMessageSizeBytes: number;
  nodeName: string;
}

export interface TlsFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
}

const MIB = 1024 * 1024;

export function compileEdgeHubOptions(options: EdgeHubOptions): CompiledEdgeHubOptions {
  const { config } = options;
  const section = 'modules.edgeHub';
  positive(`${section}.heartbeat`, config.heartbeatMs, 'set it to a duration such as 15s');
  positive(`${section}.messageQPS`, config.messageQPS, 'set it to messages per second, such as 30');
  if (!Number.isInteger(config.messageBurst) || config.messageBurst < 1) {
    invalid(`${section}.messageBurst`, `is ${config.messageBurst}; set it to a whole number of messages >= 1, such as 60`);
  }
  positive(`${section}.maxMessageSize`, config.maxMessageSizeBytes, 'set it to a size such as 12Mi');
  if (!Array.isArray(config.servers) || config.servers.length === 0) {
    invalid(`${section}.servers`, 'is empty; list at least one cloudcore tunnel address, such as "192.168.1.10:10000"');
  }
  config.servers.forEach((server, index) => {
    if (typeof server?.host !== 'string' || server.host === '' || !Number.isInteger(server.port) || server.port < 1) {
      invalid(`${section}.servers[${index}]`, `is ${JSON.stringify(server)}; write host:port with a port from 1 to 65535`);
    }
  });
  for (const key of ['tlsCaFile', 'tlsCertFile', 'tlsPrivateKeyFile'] as const) {
    if (typeof config[key] !== 'string' || config[key] === '') {
      invalid(`${section}.${key}`, 'is empty; set the absolute path of the file');
    }
  }
  if (typeof options.nodeName !== 'string' || options.nodeName === '') {
    invalid('nodeName', "is empty; pass this node's name (edged.hostnameOverride or the host name)");
  }

  const heartbeatMs = config.heartbeatMs;
  const tuning: EdgeHubTuning = {
    reconnectInitialMs: 500,
    reconnectMaxMs: 30_000,
    dispatchTimeoutMs: 10_000,
    queryTimeoutMs: 60_000,
    maxPendingQueries: 1024,
    bufferMaxMessages: 1024,
    bufferMaxBytes: 16 * MIB,
    maxInFlightDownstream: 256,
    http2KeepaliveTimeMs: heartbeatMs,
    http2KeepaliveTimeoutMs: Math.min(heartbeatMs, 10_000),
    ...options.tuning,
  };
  for (const [key, value] of Object.entries(tuning)) positive(`tuning.${key}`, value, 'pass a positive number');
  if (tuning.reconnectMaxMs < tuning.reconnectInitialMs) {
    invalid('tuning.reconnectMaxMs', `is below reconnectInitialMs (${tuning.reconnectInitialMs}); raise it`);
  }

  return {
    ...tuning,
    heartbeatMs,
    messageQPS: config.messageQPS,
    messageBurst: config.messageBurst,
    servers: [...config.servers],
    tlsFiles: { caFile: config.tlsCaFile, certFile: config.tlsCertFile, keyFile: config.tlsPrivateKeyFile },
    maxMessageSizeBytes: config.maxMessageSizeBytes,
    nodeName: options.nodeName,
  };
}

function positive(field: string, value: number, fix: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) invalid(field, `is ${value}; ${fix}`);
}

function invalid(field: string, problem: string): never {
  throw new EdgeHubError('INVALID_OPTIONS', `${field}: ${problem}`);
}
