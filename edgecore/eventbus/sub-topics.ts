/**
 * The sub_topics table (KubeEdge's name and layout): topic filters the cloud asked eventbus to subscribe to, kept in
 * the edge's SQLite file so they survive restarts. eventbus opens its own connection to the file and keeps its own
 * migrations table (eventbus_migrations), so it never collides with metamanager's or devicetwin's. Append only: never
 * edit a migration that has shipped; add a new one.
 */
import { openModuleTables, type NamedMigration } from '../../pkg/sqlite/module-tables';
import { EventBusError } from './errors';

export const MIGRATIONS_TABLE = 'eventbus_migrations';

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
  let knex;
  try {
    knex = await openModuleTables(dataSource, { owner: 'eventbus', migrations: MIGRATIONS, migrationsTable: MIGRATIONS_TABLE });
  } catch (error) {
    throw new EventBusError('STORAGE', (error as Error).message, { cause: error });
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
