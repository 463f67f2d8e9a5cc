/** EventBus's options: the eventBus config section plus tuning knobs, checked and compiled once. */
import type { Registry } from 'prom-client';
import type { Logger } from '../../pkg/log';
import type { EdgeCoreConfig } from '../config';
import { EventBusError } from './errors';

/** The parts of the compiled `modules.eventBus` config section that EventBus reads. */
export type EventBusConfig = Pick<
  EdgeCoreConfig['modules']['eventBus'],
  'mqttMode' | 'mqttServerExternal' | 'mqttServerInternal' | 'mqttQOS' | 'mqttRetain' | 'mqttSessionQueueSize'
>;

/** Knobs that are not in edgecore.yaml; the defaults suit production, tests shorten them. */
export interface EventBusTuning {
  /** Largest MQTT payload taken from a broker or published for a module or the cloud. Default 1 MiB. */
  maxPayloadBytes: number;
  /**
   * Publishes that may wait for a broker (unacknowledged, or queued while it is away) per connection; the newest is
   * refused beyond, counted as dropped{reason="queue_full"}. Default 10 000.
   */
  maxPendingPublishes: number;
  /** Payload bytes those publishes may hold per broker; the newest is refused beyond. Default 64 MiB. */
  maxPendingBytes: number;
  /** First reconnect delay to the external broker (jittered down by up to 20%). Default 500. */
  reconnectInitialMs: number;
  /** Reconnect delays double up to this. Default 30 s. */
  reconnectMaxMs: number;
  /** Longest wait for the external broker's CONNACK. Default 5 s. */
  connectTimeoutMs: number;
  /** MQTT keepalive towards the external broker, in seconds. Default 30. */
  keepaliveSeconds: number;
  /** Repeats of one kind of bad-input warning are logged at most this often (all are counted); 0: all. Default 10 s. */
  warningIntervalMs: number;
}

export interface EventBusOptions {
  config: EventBusConfig;
  /** This node's name: part of the MQTT client ids and of the authInfo topic. */
  nodeName: string;
  /** config.database.dataSource: the edge's SQLite file, where the sub_topics table lives. */
  dataSource: string;
  /** Parent logger; lines carry module=eventbus. The runtime's module logger when absent. */
  log?: Logger;
  /** Where eventbus_* metrics go; none when absent. */
  registry?: Registry;
  tuning?: Partial<EventBusTuning>;
}

export type MqttMode = EventBusConfig['mqttMode'];
export type QoS = 0 | 1 | 2;

/** Everything checked, defaults filled in. */
export interface CompiledEventBusOptions extends EventBusTuning {
  mode: MqttMode;
  /** Where the internal broker listens; absent in external mode. */
  internal: { host: string; port: number; url: string } | undefined;
  /** The external broker's URL; absent in internal mode. */
  external: string | undefined;
  qos: QoS;
  retain: boolean;
  sessionQueueSize: number;
  nodeName: string;
  dataSource: string;
  /** KubeEdge's client id prefixes plus the node name: stable across restarts, so the broker keeps the sessions. */
  subClientId: string;
  pubClientId: string;
}

const SECTION = 'modules.eventBus';
const MIB = 1024 * 1024;
const INTERNAL_SCHEMES = new Set(['tcp:', 'mqtt:']);

export function compileEventBusOptions(options: EventBusOptions): CompiledEventBusOptions {
  const { config } = options;
  const mode = config.mqttMode;
  if (mode !== 'internal' && mode !== 'both' && mode !== 'external') {
    invalid(`${SECTION}.mqttMode`, `is ${JSON.stringify(mode)}; write internal, both or external`);
  }
  if (config.mqttQOS !== 0 && config.mqttQOS !== 1 && config.mqttQOS !== 2) {
    invalid(`${SECTION}.mqttQOS`, `is ${JSON.stringify(config.mqttQOS)}; write 0, 1 or 2`);
  }
  if (!Number.isInteger(config.mqttSessionQueueSize) || config.mqttSessionQueueSize < 1) {
    invalid(`${SECTION}.mqttSessionQueueSize`, `is ${config.mqttSessionQueueSize}; write a whole number of messages >= 1, such as 100`);
  }
  if (typeof options.nodeName !== 'string' || options.nodeName === '') {
    invalid('nodeName', "is empty; pass this node's name (edged.hostnameOverride or the host name)");
  }
  if (typeof options.dataSource !== 'string' || !options.dataSource.startsWith('/')) {
    invalid('database.dataSource', `is ${JSON.stringify(options.dataSource)}; write the absolute path of the SQLite file`);
  }

  const tuning: EventBusTuning = {
    maxPayloadBytes: MIB,
    maxPendingPublishes: 10_000,
    maxPendingBytes: 64 * MIB,
    reconnectInitialMs: 500,
    reconnectMaxMs: 30_000,
    connectTimeoutMs: 5_000,
    keepaliveSeconds: 30,
    warningIntervalMs: 10_000,
    ...options.tuning,
  };
  for (const [key, value] of Object.entries(tuning)) {
    // warningIntervalMs may be 0: every warning is logged.
    const least = key === 'warningIntervalMs' ? 0 : Number.MIN_VALUE;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < least) invalid(`tuning.${key}`, `is ${value}; pass a positive number`);
  }
  // MQTT packet ids are 16 bits: more unacknowledged QoS 1/2 publishes than that cannot exist on one connection.
  if (tuning.maxPendingPublishes > 65_535) {
    invalid('tuning.maxPendingPublishes', `is ${tuning.maxPendingPublishes}; MQTT allows at most 65535 unacknowledged publishes`);
  }
  if (tuning.reconnectMaxMs < tuning.reconnectInitialMs) {
    invalid('tuning.reconnectMaxMs', `is below reconnectInitialMs (${tuning.reconnectInitialMs}); raise it`);
  }

  return {
    ...tuning,
    mode,
    internal: mode === 'external' ? undefined : internalAddress(config.mqttServerInternal),
    external: mode === 'internal' ? undefined : externalUrl(config.mqttServerExternal),
    qos: config.mqttQOS as QoS,
    retain: config.mqttRetain === true,
    sessionQueueSize: config.mqttSessionQueueSize,
    nodeName: options.nodeName,
    dataSource: options.dataSource,
    subClientId: `hub-client-sub-${options.nodeName}`,
    pubClientId: `hub-client-pub-${options.nodeName}`,
  };
}

/** The built-in broker speaks plain MQTT over TCP; it needs an explicit port. */
function internalAddress(input: string): { host: string; port: number; url: string } {
  const field = `${SECTION}.mqttServerInternal`;
  const url = parseUrl(field, input, 'tcp://127.0.0.1:1884');
  if (!INTERNAL_SCHEMES.has(url.protocol)) {
    invalid(field, `is ${JSON.stringify(input)}: the built-in broker serves plain MQTT over TCP only; write tcp://127.0.0.1:1884`);
  }
  if (url.port === '') invalid(field, `is ${JSON.stringify(input)} with no port; write host and port, such as tcp://127.0.0.1:1884`);
  // URL keeps IPv6 hosts in brackets; listen() wants them bare.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') invalid(field, `is ${JSON.stringify(input)} with no host; write one such as tcp://127.0.0.1:1884`);
  return { host, port: Number(url.port), url: `tcp://${url.host}` };
}

function externalUrl(input: string): string {
  parseUrl(`${SECTION}.mqttServerExternal`, input, 'tcp://127.0.0.1:1883');
  return input;
}

function parseUrl(field: string, input: string, example: string): URL {
  if (typeof input !== 'string' || !URL.canParse(input)) invalid(field, `is ${JSON.stringify(input)}, not a URL; write one such as ${example}`);
  return new URL(input);
}

function invalid(field: string, problem: string): never {
  throw new EventBusError('INVALID_OPTIONS', `${field}: ${problem}`);
}
