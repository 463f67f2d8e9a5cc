/**
 * The registered mappers, one per protocol, kept in the edge's SQLite file (database.dataSource) so that a restarted
 * edgecore reconnects to them and pushes their devices without waiting for them to register again. KubeEdge keeps
 * them in its `meta` table; here they have their own table and their own migrations (`dmi_migrations`), on a
 * connection of their own, so that they never collide with metamanager's schema.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import type { Database } from 'sqlite3';
import type { Logger } from '../../../pkg/log';
import type { MapperRecord } from './reports';

export const MAPPER_TABLE = 'device_mapper';
export const DMI_MIGRATIONS_TABLE = 'dmi_migrations';

interface NamedMigration extends Knex.Migration {
  readonly name: string;
}

/** Append only: never edit a migration that has shipped; add a new one. */
const MIGRATIONS: readonly NamedMigration[] = [
  {
    name: '0001_device_mapper',
    async up(knex) {
      await knex.schema.createTable(MAPPER_TABLE, (t) => {
        t.string('protocol', 64).primary();
        t.string('name', 256).notNullable();
        t.string('version', 64).notNullable().defaultTo('');
        t.string('api_version', 64).notNullable().defaultTo('');
        t.string('address', 256).notNullable();
        t.string('state', 64).notNullable().defaultTo('');
        t.bigInteger('registered_at_ms').notNullable();
      });
    },
    async down(knex) {
      await knex.schema.dropTable(MAPPER_TABLE);
    },
  },
];

interface Row {
  protocol: string;
  name: string;
  version: string;
  api_version: string;
  address: string;
  state: string;
  registered_at_ms: number;
}

export class MapperStoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MapperStoreError';
  }
}

export class MapperStore {
  private constructor(
    private readonly knex: Knex,
    private readonly file: string,
  ) {}

  static async open(dataSource: string, log: Logger): Promise<MapperStore> {
    if (dataSource === '' || dataSource === ':memory:' || dataSource.startsWith('file:')) {
      throw new MapperStoreError(`database.dataSource: ${JSON.stringify(dataSource)} is not a file path; write the path of the SQLite file`);
    }
    mkdirSync(dirname(dataSource), { recursive: true });
    const knex = knexFactory({
      client: 'sqlite3',
      connection: { filename: dataSource },
      useNullAsDefault: true,
      pool: {
        min: 1,
        max: 1,
        // metamanager writes the same file: wait for its locks rather than fail. WAL is what metamanager sets too.
        afterCreate: (conn: Database, done: (error: Error | null, conn: Database) => void) =>
          conn.exec('PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL', (error) => done(error, conn)),
      },
      log: {
        warn: (message: unknown) => log.debug({ knex: String(message) }, 'knex warning'),
        error: (message: unknown) => log.debug({ knex: String(message) }, 'knex error'),
        deprecate: () => {},
        debug: () => {},
      },
    });
    try {
      const [, applied] = (await knex.migrate.latest({ migrationSource: source(), tableName: DMI_MIGRATIONS_TABLE })) as [number, string[]];
      if (applied.length > 0) log.info({ dataSource, migrations: applied }, 'DMI mapper table migrated');
      return new MapperStore(knex, dataSource);
    } catch (error) {
      await knex.destroy().catch(() => {});
      throw new MapperStoreError(`database.dataSource ${dataSource}: cannot prepare the mapper table (${(error as Error).message})`, {
        cause: error,
      });
    }
  }

  async list(): Promise<MapperRecord[]> {
    const rows = await this.knex<Row>(MAPPER_TABLE).select('*').orderBy('protocol');
    return rows.map((row) => ({
      protocol: row.protocol,
      name: row.name,
      version: row.version,
      apiVersion: row.api_version,
      address: row.address,
      state: row.state,
    }));
  }

  /** One row per protocol: a new mapper for a protocol replaces the old one. */
  async save(mapper: MapperRecord, nowMs: number): Promise<void> {
    try {
      await this.knex<Row>(MAPPER_TABLE)
        .insert({
          protocol: mapper.protocol,
          name: mapper.name,
          version: mapper.version,
          api_version: mapper.apiVersion,
          address: mapper.address,
          state: mapper.state,
          registered_at_ms: nowMs,
        })
        .onConflict('protocol')
        .merge();
    } catch (error) {
      throw new MapperStoreError(`database.dataSource ${this.file}: cannot save mapper ${mapper.name} (${(error as Error).message})`, {
        cause: error,
      });
    }
  }

  async close(): Promise<void> {
    await this.knex.destroy();
  }
}

function source(): Knex.MigrationSource<NamedMigration> {
  return {
    getMigrations: () => Promise.resolve([...MIGRATIONS]),
    getMigrationName: (migration) => migration.name,
    getMigration: (migration) => Promise.resolve(migration),
  };
}
