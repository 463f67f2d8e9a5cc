import type { StorageMetrics } from './metrics';
import { NOOP_METRICS } from './metrics';
import { invalid } from './errors';

/** What the store logs through; a pino Logger fits. */
export interface StorageLog {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

/**
 * - `normal` (default): SQLite `synchronous=NORMAL` in WAL mode. A commit reaches the OS before the write resolves,
 *   so a killed process (kill -9, crash) loses nothing it acknowledged. A power cut or kernel crash may lose the last
 *   writes since the previous WAL checkpoint, but never leaves a half-written object or a broken file. Clients then
 *   see older revisions than they saw before, so watches resuming from a lost revision get TOO_NEW and relist.
 * - `full`: `synchronous=FULL`, an fsync per commit: survives power loss too, at the disk's fsync latency per write
 *   (0.1-10 ms: the create rate budget may then not be met on slow storage).
 */
export type Durability = 'normal' | 'full';

export interface EventRetentionOptions {
  /** Events kept in SQLite for watch resume, also across restarts. @default 100000 */
  maxEvents?: number;
  /** Events kept in memory for resume without reading SQLite; each holds references to object versions. @default 4096 */
  memoryEvents?: number;
  /** How often compaction runs; 0 disables the timer (call `compact()` yourself). @default 30000 */
  compactIntervalMs?: number;
}

export interface StoreOptions {
  /** The SQLite file; created with its folder's existing permissions when missing. */
  file: string;
  log: StorageLog;
  eventRetention?: EventRetentionOptions;
  /** Default per-watcher buffer (events). @default 1000 */
  watchBufferSize?: number;
  /** Writes queued behind the one running; more are refused with OVERLOADED. @default 10000 */
  maxPendingWrites?: number;
  /** @default 'normal' */
  durability?: Durability;
  metrics?: StorageMetrics;
  /** Deep-freeze every parsed object, so code that mutates shared objects throws. For tests. @default false */
  freezeObjects?: boolean;
}

export interface CompiledStoreOptions {
  readonly file: string;
  readonly log: StorageLog;
  readonly maxEvents: number;
  readonly memoryEvents: number;
  readonly compactIntervalMs: number;
  readonly watchBufferSize: number;
  readonly maxPendingWrites: number;
  readonly durability: Durability;
  readonly metrics: StorageMetrics;
  readonly freezeObjects: boolean;
}

function positiveInt(name: string, value: number | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) {
    throw invalid(`storage option ${name} must be an integer >= ${min} (got ${value})`);
  }
  return value;
}

export function compileStoreOptions(raw: StoreOptions): CompiledStoreOptions {
  if (typeof raw.file !== 'string' || raw.file === '') throw invalid('storage option file must name a file');
  if (raw.file === ':memory:') throw invalid('storage option file must be a file: the store needs WAL and an event log on disk');
  const durability = raw.durability ?? 'normal';
  if (durability !== 'normal' && durability !== 'full') {
    throw invalid(`storage option durability must be "normal" or "full" (got ${String(durability)})`);
  }
  const retention = raw.eventRetention ?? {};
  return {
    file: raw.file,
    log: raw.log,
    maxEvents: positiveInt('eventRetention.maxEvents', retention.maxEvents, 100_000),
    memoryEvents: positiveInt('eventRetention.memoryEvents', retention.memoryEvents, 4096),
    compactIntervalMs: positiveInt('eventRetention.compactIntervalMs', retention.compactIntervalMs, 30_000, 0),
    watchBufferSize: positiveInt('watchBufferSize', raw.watchBufferSize, 1000),
    maxPendingWrites: positiveInt('maxPendingWrites', raw.maxPendingWrites, 10_000),
    durability,
    metrics: raw.metrics ?? NOOP_METRICS,
    freezeObjects: raw.freezeObjects ?? false,
  };
}
