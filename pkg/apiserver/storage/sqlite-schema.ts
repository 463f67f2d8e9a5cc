/**
 * Opening the SQLite file: pragmas, the one-owner lock, recognising our schema, migrations. Only this file and
 * sqlite-log.ts touch SQL.
 *
 * Schema (version 1): `kv_log` is the whole store, an event log where the row id is the revision (like kine). Every
 * write inserts one row: ADDED/MODIFIED rows hold the new JSON, DELETED rows the last content stamped with the deletion
 * revision; `prev_revision` points at the row a MODIFIED/DELETED row supersedes. The current objects are the newest
 * row of each key unless it is a DELETED row. One INSERT per write means no multi-statement transaction on the hot path,
 * and a crash can only lose whole rows at the end of the log, never leave half an object or a hole in the order.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import type { Database } from 'better-sqlite3';
import { fromSqlite, StorageError } from './errors';
import type { Durability, StorageLog } from './options';

/** Written into store_meta so that we recognise our own files. */
export const FORMAT = 'kubeedge-ts/apiserver-storage';

/** kv_log.type values. */
export const ROW_ADDED = 1;
export const ROW_MODIFIED = 2;
export const ROW_DELETED = 3;

interface Migration {
  version: number;
  description: string;
  up(trx: Knex.Transaction): Promise<void>;
}

/** Append only; never edit a released migration. Each runs in one transaction with its version bump. */
const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'kv_log and store_meta',
    async up(trx) {
      await trx.schema.createTable('store_meta', (t) => {
        t.text('name').primary();
        t.text('value').notNullable();
      });
      // Raw DDL: "INTEGER PRIMARY KEY" must be spelled exactly so that revision is the rowid (no extra index).
      await trx.raw(
        `CREATE TABLE kv_log (
           revision INTEGER PRIMARY KEY,
           key TEXT NOT NULL,
           type INTEGER NOT NULL CHECK (type IN (1, 2, 3)),
           prev_revision INTEGER,
           value TEXT NOT NULL
         )`,
      );
      // Finds each key's newest row at startup from the index alone.
      await trx.raw('CREATE INDEX kv_log_key_revision ON kv_log (key, revision)');
      await trx('store_meta').insert([
        { name: 'format', value: FORMAT },
        { name: 'schema_version', value: '0' },
        { name: 'compact_revision', value: '0' },
      ]);
    },
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Pragmas, and why:
 * - locking_mode=EXCLUSIVE: the store keeps objects in memory, so two processes on one file would corrupt each
 *   other's view; the second gets LOCKED. It also lets WAL work without the -shm file.
 * - journal_mode=WAL: a commit appends to the WAL instead of rewriting pages twice; readers never block the writer.
 * - synchronous: see Durability. NORMAL in WAL mode syncs only at checkpoints.
 * - journal_size_limit: truncates the WAL after checkpoints so a burst does not leave a huge file behind.
 * - busy_timeout: how long opening waits for another owner's lock before LOCKED. 1 s covers a restart that overlaps
 *   the old process's exit (better-sqlite3's own default is 5 s). The wait blocks the event loop, but it can only
 *   happen at open: once we hold the exclusive lock nobody else can make us wait.
 */
function pragmas(durability: Durability): string {
  return [
    'PRAGMA busy_timeout = 1000',
    'PRAGMA locking_mode = EXCLUSIVE',
    'PRAGMA journal_mode = WAL',
    `PRAGMA synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`,
    'PRAGMA journal_size_limit = 67108864',
    'PRAGMA cache_size = -8192',
    'PRAGMA temp_store = MEMORY',
    'PRAGMA foreign_keys = OFF',
  ].join('; ');
}

export interface OpenedDatabase {
  knex: Knex;
  /**
   * The one connection, held for the store's lifetime; every statement runs on it, in the write queue's order.
   * better-sqlite3 runs statements synchronously on the calling thread: a write has committed when the call returns.
   */
  conn: Database;
  schemaVersion: number;
  created: boolean;
}

export async function openDatabase(file: string, durability: Durability, log: StorageLog): Promise<OpenedDatabase> {
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (error) {
    throw fromSqlite(error, file, 'creating its folder');
  }
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: file },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate: (conn: Database, done: (error: Error | null, conn: Database) => void) => {
        try {
          conn.exec(pragmas(durability));
        } catch (error) {
          // knex does not close a connection whose setup failed; do it here so the file is not left open.
          conn.close();
          done(error as Error, conn);
          return;
        }
        done(null, conn);
      },
    },
    // knex logs connection failures itself; we report them as StorageErrors instead.
    log: {
      warn: (message: unknown) => log.debug({ knex: String(message) }, 'knex warning'),
      error: (message: unknown) => log.debug({ knex: String(message) }, 'knex error'),
      deprecate: (message: unknown) => log.debug({ knex: String(message) }, 'knex deprecation'),
      debug: () => {},
    },
  });
  let conn: Database | undefined;
  try {
    conn = (await knex.client.acquireConnection()) as Database;
    const journal = await knex.raw<{ journal_mode: string }[]>('PRAGMA journal_mode').connection(conn);
    if (journal[0]?.journal_mode !== 'wal') {
      throw new StorageError('IO', `${file}: SQLite refused WAL mode (got ${journal[0]?.journal_mode}); put the file on a local disk`);
    }
    const { schemaVersion, created } = await migrate(knex, conn, file, log);
    return { knex, conn, schemaVersion, created };
  } catch (error) {
    if (conn) await knex.client.releaseConnection(conn);
    await knex.destroy().catch(() => {});
    throw fromSqlite(error, file, 'opening the store');
  }
}

async function migrate(
  knex: Knex,
  conn: Database,
  file: string,
  log: StorageLog,
): Promise<{ schemaVersion: number; created: boolean }> {
  return knex.transaction(
    async (trx) => {
      // A write first: in EXCLUSIVE locking mode it takes the lock that keeps other processes out from now on.
      await trx.raw('CREATE TABLE IF NOT EXISTS store_lock_probe (x INTEGER)');
      await trx.raw('DROP TABLE store_lock_probe');
      const tables = (
        await trx.raw<{ name: string }[]>(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
        )
      ).map((row) => row.name);
      const created = tables.length === 0;
      let version = 0;
      if (!created) {
        if (!tables.includes('store_meta')) {
          throw new StorageError(
            'INCOMPATIBLE',
            `${file} is a SQLite database of another program (tables: ${tables.slice(0, 8).join(', ')}); point the API server at a new file, or move this one away`,
          );
        }
        const meta = await readMeta(trx);
        if (meta.get('format') !== FORMAT) {
          throw new StorageError(
            'INCOMPATIBLE',
            `${file} has a store_meta table but not this store's format (format ${JSON.stringify(meta.get('format') ?? null)}); point the API server at a new file, or move this one away`,
          );
        }
        version = Number(meta.get('schema_version'));
        if (!Number.isSafeInteger(version) || version > SCHEMA_VERSION) {
          throw new StorageError(
            'INCOMPATIBLE',
            `${file} was written by a newer version (schema ${meta.get('schema_version')}; this build knows up to ${SCHEMA_VERSION}); run a newer build, or restore a backup taken before the upgrade`,
          );
        }
      }
      for (const migration of MIGRATIONS) {
        if (migration.version <= version) continue;
        await migration.up(trx);
        await trx('store_meta').where({ name: 'schema_version' }).update({ value: String(migration.version) });
        log.info({ file, version: migration.version, migration: migration.description }, 'storage schema migrated');
        version = migration.version;
      }
      return { schemaVersion: version, created };
    },
    { connection: conn },
  );
}

export async function readMeta(db: Knex.Transaction): Promise<Map<string, string>> {
  const rows = await db('store_meta').select<{ name: string; value: string }[]>('name', 'value');
  return new Map(rows.map((row) => [row.name, row.value]));
}
