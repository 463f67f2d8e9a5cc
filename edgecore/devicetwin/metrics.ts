/** devicetwin's metrics, behind a narrow interface so that tests and tools run without a registry. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { outcomeOf, type TwinCode } from './errors';

export type RequestKind = 'twin_update' | 'twin_get' | 'state_update' | 'state_get' | 'membership_get';
export type Origin = 'mqtt' | 'dmi';
export type IgnoredReason = 'unknown_topic' | 'other_node' | 'unknown_state' | 'stale_notice' | 'invalid_notice';

export interface Gauges {
  devices: number;
  unsyncedDevices: number;
  pendingRows: number;
}

export interface TwinMetrics {
  /** One request handled; `code` 200 when it was accepted. */
  request(kind: RequestKind, origin: Origin, code: TwinCode | 200): void;
  ignored(reason: IgnoredReason): void;
  storeFlush(rows: number, seconds: number): void;
  storeError(): void;
  cloudSent(kind: 'twin' | 'state'): void;
  publishDropped(): void;
  /** A Device or DeviceModel field that could not be used (an invalid property name or desired value). */
  specProblem(): void;
  observe(gauges: () => Gauges): void;
}

export const NOOP_METRICS: TwinMetrics = {
  request() {},
  ignored() {},
  storeFlush() {},
  storeError() {},
  cloudSent() {},
  publishDropped() {},
  specProblem() {},
  observe() {},
};

export function createTwinMetrics(registry: Registry): TwinMetrics {
  const registers = [registry];
  const requests = new Counter({
    name: 'devicetwin_requests_total',
    help: 'Twin and state requests handled, by kind, origin (mqtt, dmi) and result (ok, bad_request, not_found, conflict, internal).',
    labelNames: ['kind', 'origin', 'result'],
    registers,
  });
  const ignored = new Counter({
    name: 'devicetwin_ignored_total',
    help: 'Messages ignored: unknown topics, other nodes, states KubeEdge ignores, stale or invalid device notices.',
    labelNames: ['reason'],
    registers,
  });
  const flushRows = new Counter({ name: 'devicetwin_store_rows_written_total', help: 'Rows written to the local store.', registers });
  const flushSeconds = new Histogram({
    name: 'devicetwin_store_flush_duration_seconds',
    help: 'Time of one batched write transaction.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers,
  });
  const storeErrors = new Counter({ name: 'devicetwin_store_errors_total', help: 'Batched writes that failed (retried).', registers });
  const cloud = new Counter({
    name: 'devicetwin_cloud_messages_total',
    help: 'Messages handed to edgehub for the cloud: twin (edge_updated) and state.',
    labelNames: ['kind'],
    registers,
  });
  const dropped = new Counter({
    name: 'devicetwin_publish_dropped_total',
    help: 'MQTT publishes dropped because eventbus had too many waiting (it is slower than the reports).',
    registers,
  });
  const spec = new Counter({
    name: 'devicetwin_spec_problems_total',
    help: 'Device or DeviceModel fields that could not be used (invalid property names or desired values).',
    registers,
  });
  let gauges: (() => Gauges) | undefined;
  const gauge = (name: string, help: string, read: (g: Gauges) => number): void => {
    new Gauge({
      name,
      help,
      registers,
      collect() {
        if (gauges) this.set(read(gauges()));
      },
    });
  };
  gauge('devicetwin_devices', 'Devices bound to this node.', (g) => g.devices);
  gauge('devicetwin_unsynced_devices', 'Devices with twins or a state the cloud has not been sent yet.', (g) => g.unsyncedDevices);
  gauge('devicetwin_store_pending_rows', 'Rows changed in memory, not yet written.', (g) => g.pendingRows);
  return {
    request: (kind, origin, code) => requests.inc({ kind, origin, result: outcomeOf(code) }),
    ignored: (reason) => ignored.inc({ reason }),
    storeFlush(rows, seconds) {
      flushRows.inc(rows);
      flushSeconds.observe(seconds);
    },
    storeError: () => storeErrors.inc(),
    cloudSent: (kind) => cloud.inc({ kind }),
    publishDropped: () => dropped.inc(),
    specProblem: () => spec.inc(),
    observe(read) {
      gauges = read;
    },
  };
}
