/** What survives a close and reopen: objects, revision, watch history; and what compaction takes away. */
import type { KubeObject } from './stored-object';
import type { Store } from './types';
import { brief, configMap, openTestStore, take, tempDir } from './testing/fixtures';

const labelled = (name: string, tier: string, v = '1'): KubeObject => configMap('ns', name, { v }, { tier });

describe('store persistence', () => {
  const tmp = tempDir();
  let n = 0;
  let file: string;
  const stores: Store[] = [];
  const open = async (options: Parameters<typeof openTestStore>[1] = {}): Promise<Store> => {
    const store = await openTestStore(file, options);
    stores.push(store);
    return store;
  };
  beforeEach(() => {
    file = tmp.file(`p${n++}.db`);
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });
  afterAll(() => tmp.cleanup());

  it('reopens with the same objects, JSON and revision, and keeps counting from there', async () => {
    const first = await open();
    await first.create('/core/configmaps/ns/a', configMap('ns', 'a', { v: '1' }));
    await first.create('/core/configmaps/ns/b', configMap('ns', 'b'));
    await first.update('/core/configmaps/ns/a', configMap('ns', 'a', { v: '2' }));
    await first.create('/core/configmaps/ns/c', configMap('ns', 'c'));
    await first.delete('/core/configmaps/ns/c');
    const before = first.list('/').items.map((o) => [o.key, o.revision, o.json]);
    await first.close();

    const second = await open();
    expect(second.revision).toBe(5);
    expect(second.list('/').items.map((o) => [o.key, o.revision, o.json])).toEqual(before);
    expect(second.get('/core/configmaps/ns/a')!.object).toMatchObject({ data: { v: '2' }, metadata: { resourceVersion: '3' } });
    const next = await second.create('/core/configmaps/ns/c', configMap('ns', 'c'));
    expect(next.revision).toBe(6);
  });

  it('resumes a watch after a restart from the SQLite history, previous objects included', async () => {
    const first = await open();
    await first.create('/core/configmaps/ns/a', labelled('a', 'web'));
    const resumeFrom = first.revision;
    await first.update('/core/configmaps/ns/a', labelled('a', 'db')); // 2: leaves the filter
    await first.create('/core/configmaps/ns/b', labelled('b', 'web')); // 3
    await first.update('/core/configmaps/ns/b', labelled('b', 'web', '2')); // 4
    await first.delete('/core/configmaps/ns/b'); // 5
    await first.close();

    const second = await open();
    expect(second.stats().memoryEvents).toBe(0);
    const all = await take(second.watch('/core/configmaps/', { fromRevision: resumeFrom }), 4);
    expect(brief(all)).toEqual([
      'MODIFIED /core/configmaps/ns/a 2',
      'ADDED /core/configmaps/ns/b 3',
      'MODIFIED /core/configmaps/ns/b 4',
      'DELETED /core/configmaps/ns/b 5',
    ]);
    expect(all[0]!.prev!.object).toMatchObject({ metadata: { labels: { tier: 'web' }, resourceVersion: '1' } });
    expect(all[3]!.object.object).toMatchObject({ data: { v: '2' }, metadata: { resourceVersion: '5' } });

    const web = second.watch('/core/configmaps/', { fromRevision: resumeFrom, filter: (o) => o.metadata.labels?.tier === 'web' });
    const filtered = await take(web, 4);
    expect(brief(filtered)).toEqual([
      'DELETED /core/configmaps/ns/a 2',
      'ADDED /core/configmaps/ns/b 3',
      'MODIFIED /core/configmaps/ns/b 4',
      'DELETED /core/configmaps/ns/b 5',
    ]);
    await second.create('/core/configmaps/ns/c', labelled('c', 'web'));
    expect(brief(await take(web, 1))).toEqual(['ADDED /core/configmaps/ns/c 6']);
  });

  it('compacts history to maxEvents, answers GONE for older revisions, and keeps that across reopen', async () => {
    const store = await open({ eventRetention: { maxEvents: 10, memoryEvents: 4 } });
    for (let i = 0; i < 5; i++) await store.create(`/core/configmaps/ns/c${i}`, configMap('ns', `c${i}`));
    for (let round = 1; round <= 5; round++) {
      for (let i = 0; i < 5; i++) await store.update(`/core/configmaps/ns/c${i}`, configMap('ns', `c${i}`, { round: String(round) }));
    }
    await store.delete('/core/configmaps/ns/c4'); // revision 31
    const before = store.list('/').items.map((o) => o.json);
    const result = await store.compact();
    expect(result.compactRevision).toBe(21);
    // Rows 1..16 were superseded by writes up to 21; 17..21 are each key's state as of 21 and stay.
    expect(result.deletedRows).toBe(16);
    expect(store.list('/').items.map((o) => o.json)).toEqual(before);
    expect(() => store.watch('/core/', { fromRevision: 20 })).toThrow(expect.objectContaining({ code: 'GONE' }));

    // From the compact revision on, everything is there, and MODIFIED events still carry their previous object.
    const replay = await take(store.watch('/core/', { fromRevision: 21 }), 10);
    expect(replay.map((e) => e.revision)).toEqual([22, 23, 24, 25, 26, 27, 28, 29, 30, 31]);
    expect(replay.every((e) => e.prev !== undefined)).toBe(true);
    expect(replay[0]!.prev!.object).toMatchObject({ data: { round: '3' }, metadata: { resourceVersion: '17' } });
    await store.close();

    const reopened = await open({ eventRetention: { maxEvents: 10 } });
    expect(reopened.compactRevision).toBe(21);
    expect(() => reopened.watch('/core/', { fromRevision: 5 })).toThrow(expect.objectContaining({ code: 'GONE' }));
    expect((await take(reopened.watch('/core/', { fromRevision: 25 }), 6)).map((e) => e.revision)).toEqual([26, 27, 28, 29, 30, 31]);
  });

  it('never resurrects an object whose deletion was compacted', async () => {
    const store = await open({ eventRetention: { maxEvents: 3 } });
    await store.create('/core/configmaps/ns/a', configMap('ns', 'a'));
    await store.update('/core/configmaps/ns/a', configMap('ns', 'a', { v: '2' }));
    await store.delete('/core/configmaps/ns/a');
    await store.create('/core/configmaps/ns/b', configMap('ns', 'b'));
    for (let i = 0; i < 10; i++) await store.update('/core/configmaps/ns/b', configMap('ns', 'b', { i: String(i) }));
    // a: its two rows and the tombstone; b: 4..10, superseded by 5..11. Row 11 is b's state as of 11.
    expect(await store.compact()).toEqual({ compactRevision: 11, deletedRows: 10 });
    await store.close();
    const reopened = await open();
    expect(reopened.list('/').items.map((o) => `${o.key}@${o.revision}`)).toEqual(['/core/configmaps/ns/b@14']);
    expect(reopened.revision).toBe(14);
  });

  it('compacts a long history in several transactions', async () => {
    const store = await open({ eventRetention: { maxEvents: 10 } });
    await store.create('/core/configmaps/ns/a', configMap('ns', 'a'));
    for (let i = 0; i < 4500; i++) await store.update('/core/configmaps/ns/a', configMap('ns', 'a', { i: String(i) }));
    expect(await store.compact()).toEqual({ compactRevision: 4491, deletedRows: 4490 });
    expect((await take(store.watch('/', { fromRevision: 4491 }), 10)).map((e) => e.revision)).toEqual(
      Array.from({ length: 10 }, (_, i) => 4492 + i),
    );
  });

  it('does not compact what the retention still covers', async () => {
    const store = await open({ eventRetention: { maxEvents: 100 } });
    for (let i = 0; i < 20; i++) await store.create(`/core/configmaps/ns/c${i}`, configMap('ns', `c${i}`));
    expect(await store.compact()).toEqual({ compactRevision: 0, deletedRows: 0 });
  });
});
