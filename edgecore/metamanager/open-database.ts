/**
 * Opening database.dataSource: pragmas, health of the file, recognising our schema, migrations. Every failure is a
 * MetaError naming database.dataSource and what to do, so that edgecore fails at start rather than later.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import type { Database } from 'sqlite3';
import { fromSqlite, MetaError } from './errors';
import { MIGRATION_NAMES, MIGRATIONS_TABLE, migrationSource } from './migrations';

/** What the store logs through; a pino Logger fits. */
export interface StoreLog {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
}

/**
 * FULL (the default): SQLite syncs the WAL to disk at every commit, so a change that was acknowledged survives a power
 * cut. This matters because the cloud records an acknowledged version in ObjectSync and never sends it again: a
 * commit lost after its ack would leave the edge without the object until it next changes. NORMAL syncs only at
 * checkpoints (a killed process loses nothing, a power cut may lose the last commits); it is here to measure the cost.
 */
export type Synchronous = 'FULL' | 'NORMAL';

export interface OpenDatabaseOptions {
  /** config.database.dataSource: path of the SQLite file; created with its folder when missing. */
  readonly dataSource: string;
  readonly log: StoreLog;
  readonly synchronous?: Synchronous;
}

/**
 * - journal_mode=WAL: a commit appends to the log instead of rewriting pages twice, and readers (a debugging sqlite3
 *   shell, a test's second connection) never block the writer.
 * - busy_timeout: such a reader may briefly hold a lock the writer needs during a checkpoint; wait instead of failing.
 */
function pragmas(synchronous: Synchronous): string {
  return ['PRAGMA journal_mode = WAL', `PRAGMA synchronous = ${synchronous}`, 'PRAGMA busy_timeout = 5000'].join('; ');
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Knex> {
  const file = checkDataSource(options.dataSource);
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (error) {
    throw new MetaError('IO', `database.dataSource ${file}: cannot create its folder (${(error as Error).message})`, {
      cause: error,
    });
  }
  const knex = knexFactory({
    client: 'sqlite3',
    connection: { filename: file },
    useNullAsDefault: true,
    // One connection: SQLite has one writer anyway, and a single connection orders every transaction.
    pool: {
      min: 1,
      max: 1,
      afterCreate: (conn: Database, done: (error: Error | null, conn: Database) => void) =>
        conn.exec(pragmas(options.synchronous ?? 'FULL'), (error) => done(error, conn)),
    },
    // knex would print connection failures itself; they reach the caller as MetaErrors instead.
    log: {
      warn: (message: unknown) => options.log.debug({ knex: String(message) }, 'knex warning'),
      error: (message: unknown) => options.log.debug({ knex: String(message) }, 'knex error'),
      deprecate: (message: unknown) => options.log.debug({ knex: String(message) }, 'knex deprecation'),
      debug: () => {},
    },
  });
  let doing = 'opening it';
  try {
    const journal = await knex.raw<{ journal_mode: string }[]>('PRAGMA journal_mode');
    if (journal[0]?.journal_mode !== 'wal') {
      throw new MetaError(
        'IO',
        `database.dataSource ${file}: SQLite refused WAL mode (got ${journal[0]?.journal_mode}); put the file on a local disk`,
      );
    }
    doing = 'checking it';
    await checkIntegrity(knex, file);
    doing = 'reading its schema';
    await checkOwnership(knex, file);
    doing = 'migrating its schema';
    const [, applied] = (await knex.migrate.latest({ migrationSource: migrationSource(), tableName: MIGRATIONS_TABLE })) as [
      number,
      string[],
    ];
    if (applied.length > 0) options.log.info({ dataSource: file, migrations: applied }, 'metamanager store schema migrated');
    return knex;
  } catch (error) {
    await knex.destroy().catch(() => {});
    throw fromSqlite(error, file, doing);
  }
}

function checkDataSource(dataSource: unknown): string {
  if (typeof dataSource !== 'string' || dataSource === '' || dataSource === ':memory:' || dataSource.startsWith('file:')) {
    throw new MetaError(
      'INVALID',
      `database.dataSource: ${JSON.stringify(dataSource)} is not a file path; write the path of the SQLite file, such ` +
        'as /var/lib/kubeedge/edgecore.db',
    );
  }
  return dataSource;
}

/** quick_check reads every page: a damaged file fails here, at start, not on some later write. */
async function checkIntegrity(knex: Knex, file: string): Promise<void> {
  const rows = await knex.raw<{ quick_check: string }[]>('PRAGMA quick_check');
  const problems = rows.map((row) => row.quick_check).filter((text) => text !== 'ok');
  if (problems.length > 0) {
    throw new MetaError(
      'CORRUPT',
      `database.dataSource ${file} is damaged (${problems.slice(0, 3).join('; ')}); restore it from a backup, or move it ` +
        'away so that edgecore starts with an empty store',
    );
  }
}

/** An empty file or one of ours; never migrate another program's database, nor one a newer edgecore wrote. */
async function checkOwnership(knex: Knex, file: string): Promise<void> {
  const tables = (
    await knex.raw<{ name: string }[]>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
    )
  ).map((row) => row.name);
  if (tables.length === 0) return;
  if (!tables.includes(MIGRATIONS_TABLE)) {
    throw new MetaError(
      'INCOMPATIBLE',
      `database.dataSource ${file} is another program's SQLite database (tables: ${tables.slice(0, 8).join(', ')}), ` +
        '(a KubeEdge edgecore.db cannot be adopted either); point database.dataSource at a new file, or move this one away',
    );
  }
  const done = (await knex(MIGRATIONS_TABLE).select<{ name: string }[]>('name')).map((row) => row.name);
  const unknown = done.filter((name) => !MIGRATION_NAMES.includes(name));
  if (unknown.length > 0) {
    throw new MetaError(
      'INCOMPATIBLE',
      `database.dataSource ${file} was written by a newer edgecore (schema migrations ${unknown.join(', ')} are unknown ` +
        'to this build); run that newer edgecore, or move the file away to start with an empty store',
    );
  }
}
