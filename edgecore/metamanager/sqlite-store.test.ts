/** The store on real SQLite files: the version rule, tombstones, listing, durability across reopen. */
import { openMetaStore } from './sqlite-store';
import type { MetaStore } from './store';
import { change, configMap, secondConnection, silentLog, tempDir } from './testing/fixtures';

describe('SQLite meta store', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  let file: string;
  let store: MetaStore;
  let now = 1_000;

  beforeEach(async () => {
    file = tmp.file();
    store = await openMetaStore({ dataSource: file, log: silentLog, nowMs: () => now });
  });
  afterEach(() => store.close());

  it('applies insert, update and delete, and keeps the object JSON and version', async () => {
    const v1 = configMap('default', 'cm', '10', { a: '1' });
    expect(await store.apply(change('upsert', 'default/configmap/cm', '10', v1))).toBe('applied');
    expect(await store.get('default/configmap/cm')).toEqual({
      key: 'default/configmap/cm',
      type: 'configmap',
      namespace: 'default',
      name: 'cm',
      resourceVersion: '10',
      json: JSON.stringify(v1),
    });
    const v2 = configMap('default', 'cm', '11', { a: '2' });
    expect(await store.apply(change('upsert', 'default/configmap/cm', '11', v2))).toBe('applied');
    expect((await store.get('default/configmap/cm'))?.json).toBe(JSON.stringify(v2));
    expect(await store.apply(change('delete', 'default/configmap/cm', '11', v2))).toBe('applied');
    expect(await store.get('default/configmap/cm')).toBeUndefined();
  });

  it('drops duplicate and stale versions without writing them, comparing versions as numbers', async () => {
    await store.apply(change('upsert', 'default/configmap/cm', '10', configMap('default', 'cm', '10', { v: 'ten' })));
    expect(await store.apply(change('upsert', 'default/configmap/cm', '10', configMap('default', 'cm', '10', { v: 'other' })))).toBe('duplicate');
    // "9" sorts after "10" as text; as a number it is older.
    expect(await store.apply(change('upsert', 'default/configmap/cm', '9', configMap('default', 'cm', '9', { v: 'nine' })))).toBe('stale');
    expect(JSON.parse((await store.get('default/configmap/cm'))!.json).data).toEqual({ v: 'ten' });
  });

  it('drops an update that arrives after the delete, and the same delete twice; a newer re-creation wins', async () => {
    await store.apply(change('upsert', 'default/pod/p', '5'));
    expect(await store.apply(change('delete', 'default/pod/p', '7'))).toBe('applied');
    expect(await store.apply(change('upsert', 'default/pod/p', '6'))).toBe('stale');
    expect(await store.apply(change('upsert', 'default/pod/p', '7'))).toBe('stale');
    expect(await store.apply(change('delete', 'default/pod/p', '7'))).toBe('duplicate');
    expect(await store.get('default/pod/p')).toBeUndefined();
    expect(await store.apply(change('upsert', 'default/pod/p', '8'))).toBe('applied');
    expect((await store.get('default/pod/p'))?.resourceVersion).toBe('8');
  });

  it('keeps a delete of an object it never had as a tombstone, so a late older insert is dropped', async () => {
    expect(await store.apply(change('delete', 'default/pod/ghost', '20'))).toBe('applied');
    expect(await store.apply(change('upsert', 'default/pod/ghost', '19'))).toBe('stale');
    expect(await store.get('default/pod/ghost')).toBeUndefined();
  });

  it('handles versions above 2^53 exactly', async () => {
    await store.apply(change('upsert', 'default/pod/big', '9007199254740993'));
    expect(await store.apply(change('upsert', 'default/pod/big', '9007199254740992'))).toBe('stale');
    expect(await store.apply(change('upsert', 'default/pod/big', '18446744073709551615'))).toBe('applied');
    expect((await store.get('default/pod/big'))?.resourceVersion).toBe('18446744073709551615');
  });

  it('lists by type in one namespace (a key range) or in all namespaces, in key order', async () => {
    for (const resource of ['b/pod/x', 'a/pod/y', 'a/pod/x', 'a/podlist/z', 'a/configmap/x', 'ab/pod/q', 'null/node/n1']) {
      await store.apply(change('upsert', resource, '1'));
    }
    const keys = async (query: { type: string; namespace?: string }) => (await store.list(query)).map((o) => o.key);
    expect(await keys({ type: 'pod', namespace: 'a' })).toEqual(['a/pod/x', 'a/pod/y']);
    expect(await keys({ type: 'pod' })).toEqual(['a/pod/x', 'a/pod/y', 'ab/pod/q', 'b/pod/x']);
    expect(await keys({ type: 'node', namespace: 'null' })).toEqual(['null/node/n1']);
    expect(await keys({ type: 'secret', namespace: 'a' })).toEqual([]);
  });

  it('keeps everything across close and reopen, tombstones included', async () => {
    await store.apply(change('upsert', 'default/configmap/kept', '3'));
    await store.apply(change('upsert', 'default/configmap/gone', '3'));
    await store.apply(change('delete', 'default/configmap/gone', '4'));
    await store.close();
    store = await openMetaStore({ dataSource: file, log: silentLog });
    expect((await store.get('default/configmap/kept'))?.resourceVersion).toBe('3');
    expect(await store.apply(change('upsert', 'default/configmap/gone', '4'))).toBe('stale');
  });

  it('prunes tombstones older than a cut-off', async () => {
    now = 1_000;
    await store.apply(change('delete', 'default/pod/old', '4'));
    now = 5_000;
    await store.apply(change('delete', 'default/pod/new', '4'));
    expect(await store.pruneTombstones(2_000)).toBe(1);
    expect(await store.apply(change('upsert', 'default/pod/old', '3'))).toBe('applied');
    expect(await store.apply(change('upsert', 'default/pod/new', '3'))).toBe('stale');
  });

  it('runs in WAL mode with synchronous=FULL, and commits before apply resolves', async () => {
    const other = secondConnection(file);
    try {
      expect(await other.raw('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
      await store.apply(change('upsert', 'default/pod/seen', '1'));
      expect(await other('meta').where({ key: 'default/pod/seen' }).first()).toMatchObject({ resource_version: '1' });
    } finally {
      await other.destroy();
    }
    // synchronous is per connection: ask the store's own.
    const knex = (store as unknown as { knex: import('knex').Knex }).knex;
    expect(await knex.raw('PRAGMA synchronous')).toEqual([{ synchronous: 2 }]);
  });

  it('refuses calls after close with CLOSED', async () => {
    await store.close();
    await expect(store.get('default/pod/x')).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(store.close()).resolves.toBeUndefined();
  });
});
