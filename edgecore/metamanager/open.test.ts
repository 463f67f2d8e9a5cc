/** Opening database.dataSource: migrations from an older schema, and clear refusals of files we must not use. */
import { mkdirSync, openSync, writeFileSync, writeSync, closeSync, statSync } from 'node:fs';
import { MetaError } from './errors';
import { MIGRATION_NAMES, MIGRATIONS_TABLE, migrationSource } from './migrations';
import { openMetaStore } from './sqlite-store';
import { change, secondConnection, silentLog, tempDir } from './testing/fixtures';

const open = (file: string) => openMetaStore({ dataSource: file, log: silentLog });

async function refusal(file: string): Promise<MetaError> {
  try {
    const store = await open(file);
    await store.close();
  } catch (error) {
    expect(error).toBeInstanceOf(MetaError);
    return error as MetaError;
  }
  throw new Error(`${file} opened, but should have been refused`);
}

describe('opening the store', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('brings a database at the first schema up, keeping its rows and taking their versions from the objects', async () => {
    const file = tmp.file();
    const old = secondConnection(file);
    await old.migrate.latest({ migrationSource: migrationSource(1), tableName: MIGRATIONS_TABLE });
    await old('meta').insert([
      { key: 'default/pod/a', type: 'pod', value: JSON.stringify({ metadata: { name: 'a', resourceVersion: '42' } }) },
      { key: 'default/pod/b', type: 'pod', value: 'not json' },
      { key: 'default/pod/c', type: 'pod', value: JSON.stringify({ metadata: { name: 'c', resourceVersion: 'x7' } }) },
    ]);
    await old.destroy();

    const store = await open(file);
    try {
      expect((await store.get('default/pod/a'))?.resourceVersion).toBe('42');
      expect((await store.get('default/pod/b'))?.json).toBe('not json');
      expect((await store.get('default/pod/b'))?.resourceVersion).toBe('0');
      expect((await store.get('default/pod/c'))?.resourceVersion).toBe('0');
      expect(await store.apply(change('upsert', 'default/pod/a', '41'))).toBe('stale');
      expect(await store.apply(change('delete', 'default/pod/b', '1'))).toBe('applied');
    } finally {
      await store.close();
    }
    const check = secondConnection(file);
    try {
      expect((await check(MIGRATIONS_TABLE).orderBy('id')).map((row: { name: string }) => row.name)).toEqual(MIGRATION_NAMES);
    } finally {
      await check.destroy();
    }
    // A second open has nothing to migrate and keeps the data.
    const again = await open(file);
    expect((await again.get('default/pod/a'))?.resourceVersion).toBe('42');
    await again.close();
  });

  it('refuses a file that is not a SQLite database, naming database.dataSource and the fix', async () => {
    const file = tmp.file('garbage.db');
    writeFileSync(file, 'this is not a database, just some text that is long enough to look like a header'.repeat(100));
    const error = await refusal(file);
    expect(error.code).toBe('CORRUPT');
    expect(error.message).toMatch(/^database\.dataSource .*garbage\.db is not a readable SQLite database \(SQLITE_NOTADB\)/);
    expect(error.message).toMatch(/restore it from a backup, or move it away/);
  });

  it('refuses a damaged database at start', async () => {
    const file = tmp.file('damaged.db');
    const store = await open(file);
    for (let i = 0; i < 200; i++) {
      await store.apply(change('upsert', `default/configmap/cm-${i}`, String(i + 1), { metadata: { name: `cm-${i}` }, data: { x: 'y'.repeat(500) } }));
    }
    await store.close(); // the last connection's close checkpoints the WAL into the file
    expect(statSync(file).size).toBeGreaterThan(16 * 4096);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(4096 * 4, 0xa5), 0, 4096 * 4, 4096 * 3);
    closeSync(fd);
    const error = await refusal(file);
    expect(error.code).toBe('CORRUPT');
    expect(error.message).toMatch(/^database\.dataSource .*damaged\.db (is damaged|is not a readable SQLite database)/);
  });

  it("refuses another program's SQLite database", async () => {
    const file = tmp.file('foreign.db');
    const other = secondConnection(file);
    await other.schema.createTable('accounts', (t) => t.integer('id'));
    await other.destroy();
    const error = await refusal(file);
    expect(error.code).toBe('INCOMPATIBLE');
    expect(error.message).toMatch(/foreign\.db is another program's SQLite database \(tables: accounts\).*point database\.dataSource at a new file/);
  });

  it('refuses a database a newer edgecore migrated', async () => {
    const file = tmp.file('newer.db');
    await (await open(file)).close();
    const other = secondConnection(file);
    await other(MIGRATIONS_TABLE).insert({ name: '9999_from_the_future', batch: 9, migration_time: new Date() });
    await other.destroy();
    const error = await refusal(file);
    expect(error.code).toBe('INCOMPATIBLE');
    expect(error.message).toMatch(/newer\.db was written by a newer edgecore \(schema migrations 9999_from_the_future are unknown/);
  });

  it('names database.dataSource when the path is a folder', async () => {
    const folder = tmp.file('a-folder.db');
    mkdirSync(folder);
    const error = await refusal(folder);
    expect(error.code).toBe('IO');
    expect(error.message).toMatch(/^database\.dataSource .*a-folder\.db cannot be opened \(SQLITE_CANTOPEN\).*must be a file \(not a folder\)/);
  });

  it.each(['', ':memory:', 'file::memory:'])('refuses %j as a data source', async (dataSource) => {
    const error = await refusal(dataSource);
    expect(error.code).toBe('INVALID');
    expect(error.message).toMatch(/^database\.dataSource: .* is not a file path; write the path of the SQLite file/);
  });

  it('creates the folder of a new database', async () => {
    const file = `${tmp.dir}/deeper/still/edgecore.db`;
    const store = await open(file);
    await store.apply(change('upsert', 'default/pod/x', '1'));
    await store.close();
    expect(statSync(file).isFile()).toBe(true);
  });
});
