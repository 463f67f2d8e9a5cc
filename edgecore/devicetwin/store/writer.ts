/**
 * Write-behind to SQLite: changes are applied in memory at once and their keys marked here; every `flushDelayMs` the
 * marked rows are written, as they are in memory at that moment, in one transaction. A twin reported ten times within
 * a window costs one row write; 1,000 devices reporting every second cost some 50 small transactions a second.
 *
 * Bounded: what waits is a set of keys (at most every row there is), never a queue of changes. A failed transaction
 * keeps its keys and is retried with back-off; `failure` holds the error meanwhile (health check).
 */
import type { Knex } from 'knex';
import type { Logger } from '../../../pkg/log';
import { Backoff } from '../../../pkg/timing';
import type { DeviceRecord, ModelRecord } from '../state/types';
import type { TwinMetrics } from '../metrics';
import {
  ATTR_COLUMNS,
  attrRow,
  DEVICE_COLUMNS,
  deviceRow,
  MODEL_COLUMNS,
  modelRow,
  TWIN_COLUMNS,
  twinRow,
  type TwinRow,
} from './rows';

/** Where the writer reads the rows it writes: the module's in-memory state. */
export interface StateView {
  device(id: string): DeviceRecord | undefined;
  model(id: string): ModelRecord | undefined;
  devices(): Iterable<DeviceRecord>;
}

export interface WriterOptions {
  readonly flushDelayMs: number;
  readonly log: Logger;
  readonly metrics: TwinMetrics;
}

interface Batch {
  removed: Set<string>;
  devices: Set<string>;
  /** device id -> twin names */
  twins: Map<string, Set<string>>;
  attrs: Map<string, Set<string>>;
  models: Set<string>;
}

const ROWS_PER_STATEMENT = 200;

export class TwinStoreWriter {
  private dirty: Batch = emptyBatch();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private closed = false;
  private readonly backoff = new Backoff({ initialMs: 500, maxMs: 30_000 });
  /** The last flush's error; undefined once a flush succeeds. */
  failure: unknown;

  constructor(
    private readonly knex: Knex,
    private readonly view: StateView,
    private readonly options: WriterOptions,
  ) {}

  deviceChanged(id: string): void {
    this.dirty.devices.add(id);
    this.schedule();
  }

  twinChanged(deviceId: string, name: string): void {
    add(this.dirty.twins, deviceId, name);
    this.schedule();
  }

  attrChanged(deviceId: string, name: string): void {
    add(this.dirty.attrs, deviceId, name);
    this.schedule();
  }

  /** Every row of the device goes (those it has again by the flush are written anew). */
  deviceRemoved(id: string): void {
    this.dirty.removed.add(id);
    this.dirty.devices.add(id);
    this.schedule();
  }

  modelChanged(id: string): void {
    this.dirty.models.add(id);
    this.schedule();
  }

  /** Rows waiting to be written. */
  get pending(): number {
    return size(this.dirty);
  }

  /** Writes what is marked now, and waits for it (tests, shutdown). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (size(this.dirty) > 0) await this.run();
  }

  /** Stops the timer and writes what is left; a failure is logged (the rows are lost with the process anyway). */
  async close(): Promise<void> {
    try {
      await this.flush();
    } catch (error) {
      this.options.log.error({ err: error, rows: this.pending }, 'could not write the last device twin changes before stopping');
    } finally {
      this.closed = true;
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private schedule(delayMs = this.options.flushDelayMs): void {
    if (this.timer || this.flushing || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.run().catch(() => undefined); // logged and retried inside
    }, delayMs);
  }

  private run(): Promise<void> {
    const batch = this.dirty;
    this.dirty = emptyBatch();
    const started = performance.now();
    const flushing = this.write(batch).then(
      () => {
        this.failure = undefined;
        this.backoff.reset();
        this.options.metrics.storeFlush(size(batch), (performance.now() - started) / 1000);
        this.flushing = undefined;
        if (size(this.dirty) > 0) this.schedule();
      },
      (error: unknown) => {
        this.failure = error;
        merge(this.dirty, batch);
        this.options.metrics.storeError();
        const retryMs = this.backoff.next();
        this.options.log.error({ err: error, rows: size(this.dirty), retryMs }, 'could not write device twins to the local store; retrying');
        this.flushing = undefined;
        this.schedule(retryMs);
        throw error;
      },
    );
    this.flushing = flushing.catch(() => undefined);
    return flushing;
  }

  private async write(batch: Batch): Promise<void> {
    const written: { device: DeviceRecord; twins: TwinRow[]; stateUnsynced: boolean | undefined }[] = [];
    await this.knex.transaction(async (trx) => {
      for (const id of batch.removed) {
        await trx('device_twin').where('deviceid', id).del();
        await trx('device_attr').where('deviceid', id).del();
        await trx('device').where('id', id).del();
        const device = this.view.device(id);
        // Back again before the flush: all its rows are written anew.
        if (device) {
          for (const name of device.twins.keys()) add(batch.twins, id, name);
          for (const name of device.attributes.keys()) add(batch.attrs, id, name);
        }
      }
      const deviceRows = [];
      for (const id of batch.devices) {
        const device = this.view.device(id);
        if (device) deviceRows.push(deviceRow(device));
        else if (!batch.removed.has(id)) await trx('device').where('id', id).del();
      }
      await upsert(trx, 'device', DEVICE_COLUMNS, ['id'], deviceRows);
      const twinRows: TwinRow[] = [];
      for (const [id, names] of batch.twins) {
        const device = this.view.device(id);
        const rows: TwinRow[] = [];
        for (const name of names) {
          const twin = device?.twins.get(name);
          if (twin) rows.push(twinRow(id, twin));
          else await trx('device_twin').where({ deviceid: id, name }).del();
        }
        twinRows.push(...rows);
        if (device) written.push({ device, twins: rows, stateUnsynced: undefined });
      }
      await upsert(trx, 'device_twin', TWIN_COLUMNS, ['deviceid', 'name'], twinRows);
      const attrRows = [];
      for (const [id, names] of batch.attrs) {
        const device = this.view.device(id);
        for (const name of names) {
          const attr = device?.attributes.get(name);
          if (attr) attrRows.push(attrRow(id, attr));
          else await trx('device_attr').where({ deviceid: id, name }).del();
        }
      }
      await upsert(trx, 'device_attr', ATTR_COLUMNS, ['deviceid', 'name'], attrRows);
      const modelRows = [];
      for (const id of batch.models) {
        const model = this.view.model(id);
        if (model) modelRows.push(modelRow(model));
        else await trx('device_model').where('id', id).del();
      }
      await upsert(trx, 'device_model', MODEL_COLUMNS, ['id'], modelRows);
      for (const row of deviceRows) {
        const device = this.view.device(row.id);
        if (device) written.push({ device, twins: [], stateUnsynced: row.state_unsynced === 1 });
      }
    });
    this.notePersistedFlags(written);
  }

  /**
   * Records what the disk now says about unsynced flags. A flag cleared in memory while its row was being written as
   * unsynced is written again, so that a restart does not resend what the cloud already has.
   */
  private notePersistedFlags(written: { device: DeviceRecord; twins: TwinRow[]; stateUnsynced: boolean | undefined }[]): void {
    for (const { device, twins, stateUnsynced } of written) {
      for (const row of twins) {
        const twin = device.twins.get(row.name);
        if (!twin) continue;
        twin.persistedUnsynced = row.unsynced === 1;
        if (twin.persistedUnsynced && twin.unsyncedSeq === 0) this.twinChanged(device.id, row.name);
      }
      if (stateUnsynced !== undefined) {
        device.persistedStateUnsynced = stateUnsynced;
        if (stateUnsynced && device.stateUnsyncedSeq === 0) this.deviceChanged(device.id);
      }
    }
  }
}

/** Multi-row INSERT ... ON CONFLICT DO UPDATE, a few hundred rows per statement. */
async function upsert(
  trx: Knex.Transaction,
  table: string,
  columns: readonly string[],
  key: readonly string[],
  rows: readonly object[],
): Promise<void> {
  const updates = columns.filter((c) => !key.includes(c)).map((c) => `${c} = excluded.${c}`);
  const row = `(${columns.map(() => '?').join(', ')})`;
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(start, start + ROWS_PER_STATEMENT);
    const values = chunk.flatMap((r) => columns.map((c) => (r as Record<string, unknown>)[c] ?? null));
    await trx.raw(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${chunk.map(() => row).join(', ')} ` +
        `ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${updates.join(', ')}`,
      values as Knex.RawBinding[],
    );
  }
}

function emptyBatch(): Batch {
  return { removed: new Set(), devices: new Set(), twins: new Map(), attrs: new Map(), models: new Set() };
}

function add(map: Map<string, Set<string>>, id: string, name: string): void {
  const names = map.get(id);
  if (names) names.add(name);
  else map.set(id, new Set([name]));
}

function size(batch: Batch): number {
  let rows = batch.devices.size + batch.models.size;
  for (const names of batch.twins.values()) rows += names.size;
  for (const names of batch.attrs.values()) rows += names.size;
  return rows;
}

function merge(into: Batch, from: Batch): void {
  for (const id of from.removed) into.removed.add(id);
  for (const id of from.devices) into.devices.add(id);
  for (const id of from.models) into.models.add(id);
  for (const [id, names] of from.twins) for (const name of names) add(into.twins, id, name);
  for (const [id, names] of from.attrs) for (const name of names) add(into.attrs, id, name);
}
