/**
 * The registered mappers, one per protocol, kept in the edge's SQLite file (database.dataSource) so that a restarted
 * edgecore reconnects to them and pushes their devices without waiting for them to register again. KubeEdge keeps
 * them in its `meta` table; here they have their own table and their own migrations (`dmi_migrations`), on a
 * connection of their own, so that they never collide with metamanager's schema.
 */
import type { Knex } from 'knex';
import type { Logger } from '../../../pkg/log';
import { openModuleTables, type NamedMigration } from '../../../pkg/sqlite/module-tables';
import type { MapperRecord } from './reports';

export const MAPPER_TABLE = 'device_mapper';
export const DMI_MIGRATIONS_TABLE = 'dmi_migrations';

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
    try {
      const knex = await openModuleTables(dataSource, { owner: 'DMI mapper registry', migrations: MIGRATIONS, migrationsTable: DMI_MIGRATIONS_TABLE }, log);
      return new MapperStore(knex, dataSource);
    } catch (error) {
      throw new MapperStoreError((error as Error).message, { cause: error });
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
