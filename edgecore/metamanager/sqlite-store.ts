/**
 * MetaStore on SQLite through knex. Every change is one BEGIN IMMEDIATE transaction: read what is known about the key,
 * decide (see versions.ts), write. knex holds one connection, so transactions run one after another in call order.
 */
import type { Knex } from 'knex';
import type { Database } from 'sqlite3';
import { fromSqlite, MetaError } from './errors';
import { openDatabase, type OpenDatabaseOptions } from './open-database';
import { resourceKey } from './resource';
import { formatResourceVersion } from './resource-version';
import type { ApplyOutcome, Change, ListQuery, MetaStore, StoredObject } from './store';
import { decide, type KnownVersion } from './versions';

/** Query builders bound to the transaction's connection. */
type Queries = ((table: string) => Knex.QueryBuilder) & {
  raw<R>(sql: string, bindings: readonly Knex.RawBinding[]): Promise<R>;
};

interface MetaRow {
  key: string;
  type: string;
  value: string;
  resource_version: string;
}

export interface OpenMetaStoreOptions extends OpenDatabaseOptions {
  /** Tombstones time; injected by tests. */
  readonly nowMs?: () => number;
}

export async function openMetaStore(options: OpenMetaStoreOptions): Promise<MetaStore> {
  const knex = await openDatabase(options);
  return new SqliteMetaStore(knex, options.dataSource, options.nowMs ?? Date.now);
}

class SqliteMetaStore implements MetaStore {
  private readonly inFlight = new Set<Promise<unknown>>();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly knex: Knex,
    private readonly file: string,
    private readonly nowMs: () => number,
  ) {}

  apply(change: Change): Promise<ApplyOutcome> {
    const key = resourceKey(change.resource);
    return this.track(`applying ${change.kind} of ${key}`, () =>
      this.writeTransaction(async (db) => {
        const outcome = decide(change, await this.known(db, key));
        if (outcome !== 'applied') return outcome;
        const resourceVersion = formatResourceVersion(change.resourceVersion);
        if (change.kind === 'upsert') {
          await db('meta')
            .insert({ key, type: change.resource.type, value: change.json, resource_version: resourceVersion })
            .onConflict('key')
            .merge();
          await db('meta_tombstone').where({ key }).del();
        } else {
          await db('meta').where({ key }).del();
          await db('meta_tombstone')
            .insert({ key, type: change.resource.type, resource_version: resourceVersion, deleted_at_ms: this.nowMs() })
            .onConflict('key')
            .merge();
        }
        return outcome;
      }),
    );
  }

  get(key: string): Promise<StoredObject | undefined> {
    return this.track(`reading ${key}`, async () => {
      const row = await this.knex<MetaRow>('meta').select('key', 'type', 'value', 'resource_version').where({ key }).first();
      return row && toStoredObject(row);
    });
  }

  list(query: ListQuery): Promise<StoredObject[]> {
    const what = query.namespace === undefined ? `${query.type} in all namespaces` : `${query.namespace}/${query.type}`;
    return this.track(`listing ${what}`, async () => {
      const select = this.knex<MetaRow>('meta').select('key', 'type', 'value', 'resource_version').where({ type: query.type });
      if (query.namespace !== undefined) {
        // A key range on the primary key: '0' is the character after '/'.
        const prefix = `${query.namespace}/${query.type}/`;
        select.andWhere('key', '>=', prefix).andWhere('key', '<', `${query.namespace}/${query.type}0`);
      }
      const rows = await select.orderBy('key');
      return rows.map(toStoredObject);
    });
  }

  pruneTombstones(beforeMs: number): Promise<number> {
    return this.track('pruning tombstones', () => this.knex('meta_tombstone').where('deleted_at_ms', '<', beforeMs).del());
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.inFlight]);
      await this.knex.destroy();
    })();
    return this.closing;
  }

  private async known(db: Queries, key: string): Promise<KnownVersion | undefined> {
    const rows = await db.raw<{ rv: string; deleted: number }[]>(
      'SELECT resource_version AS rv, 0 AS deleted FROM meta WHERE key = ? ' +
        'UNION ALL SELECT resource_version AS rv, 1 AS deleted FROM meta_tombstone WHERE key = ?',
      [key, key],
    );
    // Normally one row at most (a write removes the other table's row); if both exist, the newer counts.
    let known: KnownVersion | undefined;
    for (const row of rows) {
      const version = BigInt(row.rv);
      if (known === undefined || version > known.resourceVersion) known = { resourceVersion: version, deleted: row.deleted === 1 };
    }
    return known;
  }

  /**
   * Runs `work` in a BEGIN IMMEDIATE transaction on the one connection: the write lock is taken first, so if another
   * connection (a sqlite3 shell, a backup) holds it, busy_timeout makes this wait. knex's own transactions start with
   * a deferred BEGIN, and a deferred transaction that has read cannot wait for a writer: SQLite fails it at once.
   */
  private async writeTransaction<T>(work: (db: Queries) => Promise<T>): Promise<T> {
    const client = this.knex.client as { acquireConnection(): Promise<Database>; releaseConnection(conn: Database): Promise<void> };
    const conn = await client.acquireConnection();
    const db: Queries = Object.assign((table: string) => this.knex(table).connection(conn), {
      raw: <R>(sql: string, bindings: readonly Knex.RawBinding[]) =>
        this.knex.raw<R>(sql, bindings).connection(conn) as unknown as Promise<R>,
    });
    try {
      await this.knex.raw('BEGIN IMMEDIATE').connection(conn);
      let result: T;
      try {
        result = await work(db);
      } catch (error) {
        await this.knex.raw('ROLLBACK').connection(conn).catch(() => {});
        throw error;
      }
      try {
        await this.knex.raw('COMMIT').connection(conn);
      } catch (error) {
        // A failed COMMIT (disk full, I/O error) may leave the transaction open; never leave it for the next call.
        await this.knex.raw('ROLLBACK').connection(conn).catch(() => {});
        throw error;
      }
      return result;
    } finally {
      await client.releaseConnection(conn);
    }
  }

  /** Runs a database call unless closed; turns driver errors into MetaErrors naming the file. */
  private track<T>(doing: string, call: () => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(new MetaError('CLOSED', `${doing}: the metamanager store is closed`));
    const promise = call().catch((error: unknown) => {
      throw fromSqlite(error, this.file, doing);
    });
    this.inFlight.add(promise);
    const forget = (): void => void this.inFlight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }
}

function toStoredObject(row: MetaRow): StoredObject {
  // Keys are written from parsed resources, so they always have three parts.
  const [namespace = '', , name = ''] = row.key.split('/');
  return {
    key: row.key,
    type: row.type,
    namespace,
    name,
    resourceVersion: row.resource_version,
    json: row.value,
  };
}
