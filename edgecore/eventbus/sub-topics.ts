/**
 * The sub_topics table (KubeEdge's name and layout): topic filters the cloud asked eventbus to subscribe to, kept in
 * the edge's SQLite file so they survive restarts. eventbus opens its own connection to the file and keeps its own
 * migrations table (eventbus_migrations), so it never collides with metamanager's or devicetwin's. Append only: never
 * edit a migration that has shipped; add a new one.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import type { Database } from 'sqlite3';
import { EventBusError } from './errors';

export const MIGRATIONS_TABLE = 'eventbus_migrations';

interface NamedMigration extends Knex.Migration {
  readonly name: string;
}

const MIGRATIONS: readonly NamedMigration[] = [
  {
    name: '0001_sub_topics',
    async up(knex) {
      // KubeEdge's table; a topic filter may be up to 65535 bytes, so text rather than a sized string.
      if (await knex.schema.hasTable('sub_topics')) return;
      await knex.schema.createTable('sub_topics', (t) => {
        t.text('topic').primary();
      });
    },
    async down(knex) {
      await knex.schema.dropTableIfExists('sub_topics');
    },
  },
];

const migrationSource: Knex.MigrationSource<NamedMigration> = {
  getMigrations: () => Promise.resolve([...MIGRATIONS]),
  getMigrationName: (migration) => migration.name,
  getMigration: (migration) => Promise.resolve(migration),
};

/** The topic filters the cloud subscribed eventbus to. */
export interface SubTopicStore {
  list(): Promise<string[]>;
  /** True when the topic was not stored yet. */
  add(topic: string): Promise<boolean>;
  /** True when the topic was stored. */
  remove(topic: string): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Opens (creating when missing) the SQLite file and migrates the sub_topics table. busy_timeout: metamanager and
 * devicetwin write to the same file through their own connections; wait for their locks instead of failing.
 */
export async function openSubTopicStore(dataSource: string): Promise<SubTopicStore> {
  const where = `database.dataSource ${dataSource}`;
  try {
    mkdirSync(dirname(dataSource), { recursive: true });
  } catch (error) {
    throw new EventBusError('STORAGE', `${where}: cannot create its folder (${(error as Error).message})`, { cause: error });
  }
  const knex = knexFactory({
    client: 'sqlite3',
    connection: { filename: dataSource },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate: (conn: Database, done: (error: Error | null, conn: Database) => void) =>
        conn.exec('PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL', (error) => done(error, conn)),
    },
    // Failures reach the caller as EventBusErrors; knex need not print them too.
    log: { warn() {}, error() {}, deprecate() {}, debug() {} },
  });
  try {
    await knex.migrate.latest({ migrationSource, tableName: MIGRATIONS_TABLE });
  } catch (error) {
    await knex.destroy().catch(() => {});
    throw storageError(`${where}: cannot create the sub_topics table`, error);
  }
  return {
    async list() {
      try {
        const rows = await knex('sub_topics').select<{ topic: string }[]>('topic').orderBy('topic');
        return rows.map((row) => row.topic);
      } catch (error) {
        throw storageError(`${where}: cannot read sub_topics`, error);
      }
    },
    async add(topic) {
      try {
        // One transaction, so that changes() reports this insert and nothing else.
        return await knex.transaction(async (trx) => {
          await trx('sub_topics').insert({ topic }).onConflict('topic').ignore();
          const rows = await trx.raw<{ n: number }[]>('SELECT changes() AS n');
          return (rows[0]?.n ?? 0) > 0;
        });
      } catch (error) {
        throw storageError(`${where}: cannot store topic ${JSON.stringify(topic)} in sub_topics`, error);
      }
    },
    async remove(topic) {
      try {
        return (await knex('sub_topics').where({ topic }).delete()) > 0;
      } catch (error) {
        throw storageError(`${where}: cannot remove topic ${JSON.stringify(topic)} from sub_topics`, error);
      }
    },
    close: () => knex.destroy(),
  };
}

function storageError(text: string, cause: unknown): EventBusError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new EventBusError('STORAGE', `${text} (${detail}); check that the file is writable and on a local disk`, { cause });
}
