/**
 * The store's schema, as knex migrations held in code (no migration files on disk to ship or lose). knex runs all
 * pending migrations and its lock in one transaction, so a crash mid-migration leaves the previous schema intact.
 * Append only: never edit a migration that has shipped; add a new one.
 */
import type { Knex } from 'knex';

/** knex's bookkeeping tables are named after this (and `_lock`); their presence marks a database as ours. */
export const MIGRATIONS_TABLE = 'meta_migrations';

interface NamedMigration extends Knex.Migration {
  readonly name: string;
  down(knex: Knex): Promise<void>;
}

export const MIGRATIONS: readonly NamedMigration[] = [
  {
    // KubeEdge's meta table, column for column: key = edge resource string, type = resource type, value = JSON.
    name: '0001_meta',
    async up(knex) {
      await knex.schema.createTable('meta', (t) => {
        t.string('key', 256).primary();
        t.string('type', 32).notNullable();
        t.text('value').notNullable();
      });
    },
    async down(knex) {
      await knex.schema.dropTable('meta');
    },
  },
  {
    // Versions, so that duplicates and stale updates are dropped; tombstones, so that an update arriving after its
    // object's delete is dropped too. Versions are decimal text: SQLite integers are signed 64-bit, resourceVersions
    // unsigned, and they are compared in code as big integers anyway.
    name: '0002_resource_versions_and_tombstones',
    async up(knex) {
      await knex.schema.alterTable('meta', (t) => {
        t.text('resource_version').notNullable().defaultTo('0');
      });
      // Rows written before versions were kept take their version from the object itself when it has a usable one.
      await knex.raw(`
        UPDATE meta SET resource_version = json_extract(value, '$.metadata.resourceVersion')
        WHERE json_valid(value)
          AND json_type(value, '$.metadata.resourceVersion') = 'text'
          AND json_extract(value, '$.metadata.resourceVersion') GLOB '[0-9]*'
          AND NOT json_extract(value, '$.metadata.resourceVersion') GLOB '*[^0-9]*'
          AND length(json_extract(value, '$.metadata.resourceVersion')) <= 20`);
      // Listing by type (all namespaces); a list by namespace and type is a key range on the primary key.
      await knex.schema.alterTable('meta', (t) => {
        t.index(['type', 'key'], 'meta_type_key');
      });
      await knex.schema.createTable('meta_tombstone', (t) => {
        t.string('key', 256).primary();
        t.string('type', 32).notNullable();
        t.text('resource_version').notNullable();
        t.bigInteger('deleted_at_ms').notNullable();
      });
    },
    async down(knex) {
      await knex.schema.dropTable('meta_tombstone');
      await knex.schema.alterTable('meta', (t) => {
        t.dropIndex(['type', 'key'], 'meta_type_key');
        t.dropColumn('resource_version');
      });
    },
  },
];

/** A knex migration source over MIGRATIONS, or over its first `upTo` entries (tests build older schemas with it). */
export function migrationSource(upTo: number = MIGRATIONS.length): Knex.MigrationSource<NamedMigration> {
  const migrations = MIGRATIONS.slice(0, upTo);
  return {
    getMigrations: () => Promise.resolve([...migrations]),
    getMigrationName: (migration) => migration.name,
    getMigration: (migration) => Promise.resolve(migration),
  };
}

export const MIGRATION_NAMES: readonly string[] = MIGRATIONS.map((m) => m.name);
