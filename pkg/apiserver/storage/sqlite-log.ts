/**
 * The kv_log table's operations. The caller (store.ts) runs every one of them through its write queue, so statements
 * never interleave on the single connection: a compaction transaction is never joined by a write, and a replay read
 * never sees a half-done compaction.
 */
import type { Knex } from 'knex';
import type { Database, Statement } from 'better-sqlite3';
import { fromSqlite } from './errors';
import type { Durability, StorageLog } from './options';
import { openDatabase, readMeta, ROW_DELETED } from './sqlite-schema';

export type RowType = 1 | 2 | 3;

/** The prepared INSERT's parameters: revision, key, type, prev_revision, value. */
type InsertParams = [number, string, RowType, number | null, string];

export interface LogRow {
  revision: number;
  key: string;
  type: RowType;
  prevRevision: number | null;
  value: string;
}

/** A history row with the content of the row it superseded. */
export interface ReplayRow {
  revision: number;
  key: string;
  type: RowType;
  prev_revision: number | null;
  value: string;
  prev_value: string | null;
}

export interface CurrentRow {
  key: string;
  revision: number;
  type: RowType;
  value: string;
}

/** Which keys a replay reads: all, a key range [from, to), or one key. */
export type KeyRange = { kind: 'all' } | { kind: 'range'; from: string; to: string } | { kind: 'exact'; key: string };

export interface OpenedLog {
  log: SqliteLog;
  /** The newest revision in the file (or the compact revision, if newer). */
  head: number;
  compactRevision: number;
  created: boolean;
}

export class SqliteLog {
  private constructor(
    readonly file: string,
    private readonly knex: Knex,
    private readonly conn: Database,
    private readonly insert: Statement<InsertParams>,
  ) {}

  static async open(file: string, durability: Durability, log: StorageLog): Promise<OpenedLog> {
    const { knex, conn, created } = await openDatabase(file, durability, log);
    try {
      const insert = conn.prepare<InsertParams>(
        'INSERT INTO kv_log (revision, key, type, prev_revision, value) VALUES (?, ?, ?, ?, ?)',
      );
      const { compactRevision, maxRevision } = await knex.transaction(
        async (trx) => {
          const meta = await readMeta(trx);
          const max = await trx('kv_log').max<{ m: number | null }[]>('revision as m');
          return { compactRevision: Number(meta.get('compact_revision') ?? 0), maxRevision: max[0]?.m ?? 0 };
        },
        { connection: conn },
      );
      const self = new SqliteLog(file, knex, conn, insert);
      return { log: self, head: Math.max(maxRevision, compactRevision), compactRevision, created };
    } catch (error) {
      await knex.client.releaseConnection(conn);
      await knex.destroy().catch(() => {});
      throw fromSqlite(error, file, 'reading the store');
    }
  }

  /**
   * One autocommit INSERT through a prepared statement, the hot path: synchronous, so the row has committed (to the
   * WAL, synced as the durability setting says) when this returns, and it throws a StorageError when it fails. About
   * 36 us per pod; node-sqlite3's async run took 75-94 us, most of it handing the call to a pool thread and back.
   * Going through knex would prepare the statement again and add its promise chain on every write.
   */
  append(row: LogRow): void {
    try {
      this.insert.run(row.revision, row.key, row.type, row.prevRevision, row.value);
    } catch (error) {
      throw fromSqlite(error, this.file, `writing ${row.key}`);
    }
  }

  /**
   * Each key's newest row (DELETED rows included, the caller skips them) for the first `limit` keys after `afterKey`.
   * No ORDER BY on the result: sorting rows with their values in a temp b-tree made loading 5x slower; the caller
   * continues from the greatest key it got.
   */
  async currentAfter(afterKey: string, limit: number): Promise<CurrentRow[]> {
    try {
      return await this.knex
        .raw<CurrentRow[]>(
          `SELECT l.key, l.revision, l.type, l.value
             FROM kv_log l
             JOIN (SELECT key, max(revision) AS revision FROM kv_log WHERE key > ? GROUP BY key ORDER BY key LIMIT ?) m
               ON l.revision = m.revision`,
          [afterKey, limit],
        )
        .connection(this.conn);
    } catch (error) {
      throw fromSqlite(error, this.file, 'loading objects');
    }
  }

  /** History rows with after < revision <= upTo under `range`, oldest first, with the superseded row's content. */
  async readAfter(after: number, upTo: number, range: KeyRange, limit: number): Promise<ReplayRow[]> {
    const query = this.knex('kv_log as l')
      .leftJoin('kv_log as p', 'p.revision', 'l.prev_revision')
      .select('l.revision', 'l.key', 'l.type', 'l.prev_revision', 'l.value', 'p.value as prev_value')
      .where('l.revision', '>', after)
      .andWhere('l.revision', '<=', upTo);
    if (range.kind === 'range') query.andWhere('l.key', '>=', range.from).andWhere('l.key', '<', range.to);
    if (range.kind === 'exact') query.andWhere('l.key', range.key);
    try {
      return (await query.orderBy('l.revision').limit(limit).connection(this.conn)) as ReplayRow[];
    } catch (error) {
      throw fromSqlite(error, this.file, 'reading watch history');
    }
  }

  /**
   * Compacts the history written in (from, to]: deletes the rows those writes superseded and their DELETED rows, and
   * records `to` as the compact revision, in one transaction. What remains is every key's state as of `to` plus all
   * later rows, so every retained MODIFIED/DELETED row still finds the row it superseded (filtered watches need it).
   */
  async compactRange(from: number, to: number): Promise<number> {
    try {
      return await this.knex.transaction(
        async (trx) => {
          const superseded = await trx('kv_log')
            .whereIn(
              'revision',
              trx('kv_log').select('prev_revision').where('revision', '>', from).andWhere('revision', '<=', to).whereNotNull('prev_revision'),
            )
            .del();
          const tombstones = await trx('kv_log')
            .where('revision', '>', from)
            .andWhere('revision', '<=', to)
            .andWhere('type', ROW_DELETED)
            .del();
          await trx('store_meta').where({ name: 'compact_revision' }).update({ value: String(to) });
          return superseded + tombstones;
        },
        { connection: this.conn },
      );
    } catch (error) {
      throw fromSqlite(error, this.file, 'compacting history');
    }
  }

  /** Rows in the table (tests and stats). */
  async rowCount(): Promise<number> {
    const rows = await this.knex('kv_log').count<{ n: number }[]>('* as n').connection(this.conn);
    return Number(rows[0]?.n ?? 0);
  }

  /** Closing the connection (knex.destroy) finalizes the prepared INSERT too. */
  async close(): Promise<void> {
    await this.knex.client.releaseConnection(this.conn);
    await this.knex.destroy();
  }
}
