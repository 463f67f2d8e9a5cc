import { Counter, Gauge, type Registry } from 'prom-client';
import type { WatchEventType } from './types';

/** What the store reports; narrow so tests and benchmarks run without a registry. Hot-path calls only bump numbers. */
export interface StorageMetrics {
  written(type: WatchEventType): void;
  /** A write refused because the write queue was full (OVERLOADED). */
  writeRejected(): void;
  /** A watcher ended because its buffer overflowed (WATCH_OVERFLOW). */
  watchOverflow(): void;
  compacted(rows: number): void;
  /** Lets gauges read the store when scraped. */
  observe(read: () => { objects: number; watchers: number; revision: number; pendingWrites: number }): void;
}

export const NOOP_METRICS: StorageMetrics = {
  written: () => {},
  writeRejected: () => {},
  watchOverflow: () => {},
  compacted: () => {},
  observe: () => {},
};

export function createStorageMetrics(registry: Registry): StorageMetrics {
  const registers = [registry];
  const counts: Record<WatchEventType, number> = { ADDED: 0, MODIFIED: 0, DELETED: 0 };
  const reported: Record<WatchEventType, number> = { ADDED: 0, MODIFIED: 0, DELETED: 0 };
  new Counter({
    name: 'apiserver_storage_writes_total',
    help: 'Objects written, by kind of write.',
    labelNames: ['type'],
    registers,
    collect() {
      for (const type of ['ADDED', 'MODIFIED', 'DELETED'] as const) {
        this.inc({ type }, counts[type] - reported[type]);
        reported[type] = counts[type];
      }
    },
  });
  const rejected = new Counter({
    name: 'apiserver_storage_writes_rejected_total',
    help: 'Writes refused because the write queue was full.',
    registers,
  });
  const overflows = new Counter({
    name: 'apiserver_storage_watch_overflows_total',
    help: 'Watchers ended because they fell more than their buffer behind.',
    registers,
  });
  const compacted = new Counter({
    name: 'apiserver_storage_compacted_rows_total',
    help: 'History rows deleted by compaction.',
    registers,
  });
  let read = () => ({ objects: 0, watchers: 0, revision: 0, pendingWrites: 0 });
  const gauge = (name: string, help: string, pick: (s: ReturnType<typeof read>) => number): void => {
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(pick(read()));
      },
    });
  };
  gauge('apiserver_storage_objects', 'Objects stored.', (s) => s.objects);
  gauge('apiserver_storage_watchers', 'Open watchers.', (s) => s.watchers);
  gauge('apiserver_storage_revision', 'Current store revision.', (s) => s.revision);
  gauge('apiserver_storage_pending_writes', 'Writes waiting in the write queue.', (s) => s.pendingWrites);
  return {
    written: (type) => void counts[type]++,
    writeRejected: () => rejected.inc(),
    watchOverflow: () => overflows.inc(),
    compacted: (rows) => compacted.inc(rows),
    observe: (fn) => (read = fn),
  };
}
