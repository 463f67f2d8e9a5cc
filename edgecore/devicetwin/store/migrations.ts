/**
 * devicetwin's tables in the edge database, as knex migrations held in code, tracked in their own table
 * (`devicetwin_migrations`) so that they never mix with metamanager's. Append only: never edit a shipped migration.
 *
 * device, device_attr and device_twin are KubeEdge's tables column for column (dtclient), plus what the cloud sync
 * and the start-up reconciliation need: the device's namespace and spec, and unsynced flags. device_model keeps each
 * model's spec, to tell at start which models changed while edgecore was down.
 */
import type { ModuleTables, NamedMigration } from '../../../pkg/sqlite/module-tables';

const MIGRATIONS: readonly NamedMigration[] = [
  {
    name: '0001_device_tables',
    async up(knex) {
      await knex.schema.createTable('device', (t) => {
        t.string('id', 256).primary(); // <namespace>/<name>
        t.string('name', 256).notNullable();
        t.text('description');
        t.string('state', 64);
        t.string('last_online', 64);
        t.string('namespace', 64).notNullable();
        t.text('spec').notNullable(); // canonical JSON of the Device's spec as last applied
        t.text('resource_version');
        t.boolean('state_unsynced').notNullable().defaultTo(false);
      });
      await knex.schema.createTable('device_attr', (t) => {
        t.increments('id');
        t.string('deviceid', 256).notNullable();
        t.string('name', 128).notNullable();
        t.text('description');
        t.text('value');
        t.boolean('optional');
        t.string('attr_type', 32);
        t.text('metadata');
        t.unique(['deviceid', 'name'], { indexName: 'device_attr_device_name' });
      });
      await knex.schema.createTable('device_twin', (t) => {
        t.increments('id');
        t.string('deviceid', 256).notNullable();
        t.string('name', 128).notNullable();
        t.text('description');
        t.text('expected');
        t.text('actual');
        t.text('expected_meta');
        t.text('actual_meta');
        t.text('expected_version');
        t.text('actual_version');
        t.boolean('optional');
        t.string('attr_type', 32);
        t.text('metadata');
        t.boolean('from_spec').notNullable().defaultTo(false);
        t.boolean('unsynced').notNullable().defaultTo(false);
        t.unique(['deviceid', 'name'], { indexName: 'device_twin_device_name' });
      });
      await knex.schema.createTable('device_model', (t) => {
        t.string('id', 256).primary(); // <namespace>/<name>
        t.text('spec').notNullable();
        t.text('resource_version');
      });
    },
    async down(knex) {
      for (const table of ['device_model', 'device_twin', 'device_attr', 'device']) await knex.schema.dropTable(table);
    },
  },
];

/**
 * synchronous=NORMAL: twin values are readings that the next report replaces, so a power cut may lose the last
 * commits (a killed process loses nothing); FULL would cost an fsync per batch.
 */
export const TWIN_TABLES: ModuleTables = { owner: 'devicetwin', migrations: MIGRATIONS, migrationsTable: 'devicetwin_migrations', synchronous: 'NORMAL' };
