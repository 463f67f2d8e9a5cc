/** Opening files that are not ours, or not ours alone: each gets an error that names the file and the way out. */
import { statSync, truncateSync, writeFileSync } from 'node:fs';
import knexFactory from 'knex';
import { StorageError } from './errors';
import { openTestStore, pod, tempDir } from './testing/fixtures';

const failure = (promise: Promise<unknown>): Promise<StorageError> =>
  promise.then(
    () => {
      throw new Error('expected openStore to fail');
    },
    (error: unknown) => {
      if (!(error instanceof StorageError)) throw error;
      return error;
    },
  );

async function sqliteFile(file: string, statements: string[]): Promise<void> {
  const db = knexFactory({ client: 'sqlite3', connection: { filename: file }, useNullAsDefault: true });
  for (const sql of statements) await db.raw(sql);
  await db.destroy();
}

describe('openStore on unusual files', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('creates the file and its folder', async () => {
    const store = await openTestStore(tmp.file('new/folder/store.db'));
    expect(store.revision).toBe(0);
    await store.close();
  });

  it('validates options, naming the field', async () => {
    await expect(openTestStore(tmp.file('o.db'), { watchBufferSize: 0 })).rejects.toThrow('storage option watchBufferSize must be an integer >= 1 (got 0)');
    await expect(openTestStore(':memory:')).rejects.toMatchObject({ code: 'INVALID' });
    await expect(openTestStore(tmp.file('o.db'), { durability: 'fast' as never })).rejects.toMatchObject({ code: 'INVALID' });
    const full = await openTestStore(tmp.file('full.db'), { durability: 'full' });
    await full.create('/core/configmaps/ns/a', { metadata: { name: 'a' } });
    await full.close();
  });

  it('reports a file that is not a SQLite database as CORRUPT', async () => {
    const file = tmp.file('garbage.db');
    writeFileSync(file, 'this is a text file, not a database\n'.repeat(200));
    const error = await failure(openTestStore(file));
    expect(error.code).toBe('CORRUPT');
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/not a readable SQLite database .*move it away/);
  });

  it('reports a damaged (truncated) store as CORRUPT', async () => {
    const file = tmp.file('truncated.db');
    const store = await openTestStore(file);
    for (let i = 0; i < 200; i++) await store.create(`/core/pods/ns/p${i}`, pod('ns', `p${i}`));
    await store.close();
    truncateSync(file, Math.floor(statSync(file).size / 3));
    const error = await failure(openTestStore(file));
    expect(error.code).toBe('CORRUPT');
    expect(error.message).toContain(`${file} is not a readable SQLite database (SQLITE_CORRUPT)`);
  });

  it("reports another program's SQLite database as INCOMPATIBLE and leaves it untouched", async () => {
    const file = tmp.file('foreign.db');
    await sqliteFile(file, ['CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)', "INSERT INTO users (name) VALUES ('ann')"]);
    const error = await failure(openTestStore(file));
    expect(error.code).toBe('INCOMPATIBLE');
    expect(error.message).toContain(`${file} is a SQLite database of another program (tables: users)`);
    const db = knexFactory({ client: 'sqlite3', connection: { filename: file }, useNullAsDefault: true });
    const tables = await db.raw<{ name: string }[]>("SELECT name FROM sqlite_master WHERE type = 'table'");
    await db.destroy();
    expect(tables.map((t) => t.name)).toEqual(['users']);
  });

  it('reports a store written by a newer schema as INCOMPATIBLE', async () => {
    const file = tmp.file('newer.db');
    await (await openTestStore(file)).close();
    await sqliteFile(file, ["UPDATE store_meta SET value = '99' WHERE name = 'schema_version'"]);
    const error = await failure(openTestStore(file));
    expect(error.code).toBe('INCOMPATIBLE');
    expect(error.message).toContain('written by a newer version (schema 99; this build knows up to 1)');
  });

  it('refuses a second owner of the same file with LOCKED', async () => {
    const file = tmp.file('owned.db');
    const owner = await openTestStore(file);
    const error = await failure(openTestStore(file));
    expect(error.code).toBe('LOCKED');
    expect(error.message).toContain(`${file} is in use by another process`);
    await owner.close();
    // An existing, current file needs no migration: the lock must still be taken at open.
    const next = await openTestStore(file);
    expect((await failure(openTestStore(file))).code).toBe('LOCKED');
    await next.close();
  });
});
