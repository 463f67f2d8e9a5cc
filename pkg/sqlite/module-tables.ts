/**
 * An edge module's own tables in the edge's SQLite file (database.dataSource): devicetwin, the DMI mapper registry and
 * eventbus each open their own connection to the file metamanager created and checked, and keep their migrations in a
 * table of their own, so that no module's schema ever collides with another's. Migrations live in code, append only.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import type { Database } from 'sqlite3';
import type { Logger } from '../log';

export interface NamedMigration extends Knex.Migration {
  readonly name: string;
}

export interface ModuleTables {
  /** Who owns the tables, for log lines and errors ("devicetwin"). */
  readonly owner: string;
  readonly migrations: readonly NamedMigration[];
  /** Where knex records what ran (e.g. `devicetwin_migrations`). */
  readonly migrationsTable: string;
  /**
   * FULL (default) makes each commit survive a power cut; NORMAL may lose the last commits to one (never to a killed
   * process), for data the next report replaces.
   */
  readonly synchronous?: 'FULL' | 'NORMAL';
}

/**
 * Opens the file with one connection (one writer, transactions in order), WAL (a property of the file, as metamanager
 * sets it) and a busy timeout (the other modules write the same file), and runs the pending migrations. A failure
 * is an Error that names database.dataSource and what could not be done.
 */
export async function openModuleTables(dataSource: string, tables: ModuleTables, log?: Logger): Promise<Knex> {
  if (dataSource === '' || dataSource === ':memory:' || dataSource.startsWith('file:')) {
    throw new Error(`database.dataSource: ${JSON.stringify(dataSource)} is not a file path; write the path of the SQLite file`);
  }
  const where = `database.dataSource ${dataSource}`;
  try {
    mkdirSync(dirname(dataSource), { recursive: true });
  } catch (error) {
    throw new Error(`${where}: cannot create its folder (${(error as Error).message})`, { cause: error });
  }
  const pragmas = ['PRAGMA journal_mode = WAL', `PRAGMA synchronous = ${tables.synchronous ?? 'FULL'}`, 'PRAGMA busy_timeout = 5000'].join('; ');
  const knex = knexFactory({
    client: 'sqlite3',
    connection: { filename: dataSource },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate: (conn: Database, done: (error: Error | null, conn: Database) => void) => conn.exec(pragmas, (error) => done(error, conn)),
    },
    // Failures reach the caller as errors; knex need not print them too.
    log: { warn() {}, error() {}, deprecate() {}, debug() {} },
  });
  try {
    const migrationSource: Knex.MigrationSource<NamedMigration> = {
      getMigrations: () => Promise.resolve([...tables.migrations]),
      getMigrationName: (migration) => migration.name,
      getMigration: (migration) => Promise.resolve(migration),
    };
    const [, applied] = (await knex.migrate.latest({ migrationSource, tableName: tables.migrationsTable })) as [number, string[]];
    if (applied.length > 0) log?.info({ dataSource, migrations: applied }, `${tables.owner} tables migrated`);
    return knex;
  } catch (error) {
    await knex.destroy().catch(() => {});
    throw new Error(`${where}: cannot prepare ${tables.owner}'s tables (${(error as Error).message}); check that the file is writable and on a local disk`, {
      cause: error,
    });
  }
}
