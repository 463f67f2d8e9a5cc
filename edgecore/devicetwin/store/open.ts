/**
 * devicetwin's own connection to the edge database (database.dataSource). metamanager opens the file first (edgecore
 * creates it before any module runs) and owns its checks; this connection only adds devicetwin's tables.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import type { Database } from 'sqlite3';
import type { Logger } from '../../../pkg/log';
import { MIGRATIONS_TABLE, migrationSource } from './migrations';

export class TwinStoreError extends Error {
  override readonly name = 'TwinStoreError';
}

/**
 * - WAL, as metamanager sets it (it is a property of the file).
 * - synchronous=NORMAL: twin values are readings that the next report replaces, so a power cut may lose the last
 *   commits (a killed process loses nothing); FULL would cost an fsync per batch.
 * - busy_timeout: metamanager, the DMI mapper registry and eventbus write the same file through their own connections.
 */
const PRAGMAS = ['PRAGMA journal_mode = WAL', 'PRAGMA synchronous = NORMAL', 'PRAGMA busy_timeout = 5000'].join('; ');

export async function openTwinDatabase(dataSource: string, log: Logger): Promise<Knex> {
  if (dataSource === '' || dataSource === ':memory:' || dataSource.startsWith('file:')) {
    throw new TwinStoreError(`database.dataSource: ${JSON.stringify(dataSource)} is not a file path; write the path of the SQLite file`);
  }
  mkdirSync(dirname(dataSource), { recursive: true });
  const knex = knexFactory({
    client: 'sqlite3',
    connection: { filename: dataSource },
    useNullAsDefault: true,
    // One connection: one writer, and transactions in order.
    pool: {
      min: 1,
      max: 1,
      afterCreate: (conn: Database, done: (error: Error | null, conn: Database) => void) =>
        conn.exec(PRAGMAS, (error) => done(error, conn)),
    },
    log: {
      warn: (message: unknown) => log.debug({ knex: String(message) }, 'knex warning'),
      error: (message: unknown) => log.debug({ knex: String(message) }, 'knex error'),
      deprecate: () => {},
      debug: () => {},
    },
  });
  try {
    const [, applied] = (await knex.migrate.latest({ migrationSource: migrationSource(), tableName: MIGRATIONS_TABLE })) as [
      number,
      string[],
    ];
    if (applied.length > 0) log.info({ dataSource, migrations: applied }, 'devicetwin tables migrated');
    return knex;
  } catch (error) {
    await knex.destroy().catch(() => {});
    throw new TwinStoreError(`database.dataSource ${dataSource}: cannot open devicetwin's tables (${(error as Error).message})`, {
      cause: error,
    });
  }
}
