/** devicetwin's settings, compiled once from edgecore's config plus defaults (units in the names). */
import type { EdgeCoreConfig } from '../config';

export interface DeviceTwinSettings {
  readonly nodeName: string;
  /** database.dataSource: the edge's SQLite file (devicetwin has its own connection and tables). */
  readonly dataSource: string;
  /** modules.deviceTwin.dmiSockPath: the folder of dmi.sock. */
  readonly dmiSocketDir: string;
  /** Longest a change waits in memory before its batch is written. */
  readonly flushDelayMs: number;
  /** Largest MQTT payload taken (a twin is at most ~1 KB: 128-byte name, two 512-byte values). */
  readonly maxPayloadBytes: number;
  /** MQTT publishes waiting for eventbus before new ones are dropped. */
  readonly maxPendingPublishes: number;
  /** A state report that only moves last_online reaches the cloud at most this often per device. */
  readonly stateRefreshMs: number;
  /** What was handed to edgehub this long before a disconnect is sent again after it. */
  readonly resendWindowMs: number;
  /** Wait for metamanager's device and model lists at start (they come from its store). */
  readonly metaQueryTimeoutMs: number;
  /** Messages per second to the cloud: edgehub's modules.edgeHub.messageQPS, which edgehub enforces anyway. */
  readonly cloudMessageQPS: number;
  /** modules.edgeHub.messageBurst. */
  readonly cloudMessageBurst: number;
}

export const DEFAULT_SETTINGS = {
  flushDelayMs: 10,
  maxPayloadBytes: 256 * 1024,
  maxPendingPublishes: 4096,
  stateRefreshMs: 60_000,
  resendWindowMs: 5_000,
  metaQueryTimeoutMs: 30_000,
} as const;

export function compileSettings(config: EdgeCoreConfig, nodeName: string, overrides: Partial<DeviceTwinSettings> = {}): DeviceTwinSettings {
  return {
    nodeName,
    dataSource: config.database.dataSource,
    dmiSocketDir: config.modules.deviceTwin.dmiSockPath,
    cloudMessageQPS: config.modules.edgeHub.messageQPS,
    cloudMessageBurst: config.modules.edgeHub.messageBurst,
    ...DEFAULT_SETTINGS,
    ...overrides,
  };
}
