/** The Store contract on a real SQLite file: CRUD, compare-and-swap, revisions, lists. */
import { isStorageError, StorageError } from './errors';
import type { Store } from './types';
import { configMap, openTestStore, tempDir } from './testing/fixtures';
import { TASKS_PER_TURN } from './write-queue';

const code = async (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => 'resolved',
    (error: unknown) => (error instanceof StorageError ? error.code : String(error)),
  );

describe('store CRUD', () => {
  const tmp = tempDir();
  let store: Store;
  beforeEach(async () => {
    store = await openTestStore(tmp.file(`${expect.getState().currentTestName}.db`.replace(/[^\w.]/g, '_')));
  });
  afterEach(() => store.close());
  afterAll(() => tmp.cleanup());

  it('creates, reads, updates and deletes, each write taking the next revision', async () => {
    expect(store.revision).toBe(0);
    const created = await store.create('/core/configmaps/default/a', configMap('default', 'a', { k: '1' }));
    expect(created.revision).toBe(1);
    expect(created.object.metadata.resourceVersion).toBe('1');
    expect(JSON.parse(created.json)).toEqual(created.object);
    expect(store.get('/core/configmaps/default/a')).toBe(created);

    const updated = await store.update('/core/configmaps/default/a', configMap('default', 'a', { k: '2' }));
    expect(updated.revision).toBe(2);
    expect(updated.object).toMatchObject({ data: { k: '2' }, metadata: { resourceVersion: '2' } });

    const deleted = await store.delete('/core/configmaps/default/a');
    expect(deleted.revision).toBe(3);
    expect(deleted.object).toMatchObject({ data: { k: '2' }, metadata: { resourceVersion: '3' } });
    expect(store.get('/core/configmaps/default/a')).toBeUndefined();
    expect(store.revision).toBe(3);
  });

  it('refuses a second create (EXISTS) and writes to missing keys (NOT_FOUND)', async () => {
    await store.create('/core/configmaps/default/a', configMap('default', 'a'));
    expect(await code(store.create('/core/configmaps/default/a', configMap('default', 'a')))).toBe('EXISTS');
    expect(await code(store.update('/core/configmaps/default/b', configMap('default', 'b')))).toBe('NOT_FOUND');
    expect(await code(store.delete('/core/configmaps/default/b'))).toBe('NOT_FOUND');
    expect(store.revision).toBe(1);
  });

  it('compares and swaps: a stale expectedRevision gets CONFLICT and writes nothing', async () => {
    const v1 = await store.create('/core/configmaps/default/a', configMap('default', 'a', { k: '1' }));
    const v2 = await store.update('/core/configmaps/default/a', configMap('default', 'a', { k: '2' }), {
      expectedRevision: v1.revision,
    });
    const stale = store.update('/core/configmaps/default/a', configMap('default', 'a', { k: '3' }), {
      expectedRevision: v1.revision,
    });
    await expect(stale).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await code(store.delete('/core/configmaps/default/a', { expectedRevision: v1.revision }))).toBe('CONFLICT');
    expect(store.get('/core/configmaps/default/a')).toBe(v2);
    await store.delete('/core/configmaps/default/a', { expectedRevision: v2.revision });
  });

  it('serializes concurrent writes into distinct, increasing revisions', async () => {
    const writes = Array.from({ length: 50 }, (_, i) => store.create(`/core/configmaps/ns/c${i}`, configMap('ns', `c${i}`)));
    const revisions = (await Promise.all(writes)).map((o) => o.revision);
    expect(revisions).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('never keeps or changes the caller object, and freezes what it hands out (freezeObjects)', async () => {
    const input = configMap('default', 'a', { k: '1' });
    const stored = await store.create('/core/configmaps/default/a', input);
    expect(input.metadata.resourceVersion).toBeUndefined();
    (input.data as Record<string, string>).k = 'changed';
    expect(stored.object).toMatchObject({ data: { k: '1' } });
    expect(() => {
      (stored.object.metadata as { name: string }).name = 'x';
    }).toThrow(TypeError);
  });

  it('treats an update with unchanged content as a no-op, as Kubernetes does', async () => {
    const v1 = await store.create('/core/configmaps/default/a', configMap('default', 'a', { k: '1' }));
    const same = await store.update('/core/configmaps/default/a', { ...configMap('default', 'a', { k: '1' }) });
    expect(same).toBe(v1);
    expect(store.revision).toBe(1);
  });

  it('guaranteedUpdate retries on conflict and skips the write when mutate returns undefined', async () => {
    await store.create('/core/configmaps/default/a', configMap('default', 'a', { n: '0' }));
    let calls = 0;
    const result = await store.guaranteedUpdate('/core/configmaps/default/a', async (current) => {
      calls++;
      if (calls === 1) await store.update('/core/configmaps/default/a', configMap('default', 'a', { n: '5' }));
      (current.data as Record<string, string>).n = String(Number((current.data as Record<string, string>).n) + 1);
      return current;
    });
    expect(calls).toBe(2);
    expect(result.object).toMatchObject({ data: { n: '6' }, metadata: { resourceVersion: '3' } });
    const unchanged = await store.guaranteedUpdate('/core/configmaps/default/a', () => undefined);
    expect(unchanged).toBe(result);
    await expect(store.guaranteedUpdate('/core/configmaps/default/zz', (c) => c)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('rejects bad keys, selectors and objects with INVALID', async () => {
    for (const key of ['core/x', '/core//x', '/core/x/', '/core/ü', '/core/a b', '']) {
      expect(await code(store.create(key, configMap('default', 'a')))).toBe('INVALID');
    }
    expect(await code(store.create('/core/x', { metadata: null } as never))).toBe('INVALID');
    expect(() => store.list('core/')).toThrow(expect.objectContaining({ code: 'INVALID' }));
    const circular = configMap('default', 'a') as Record<string, unknown>;
    circular.self = circular;
    expect(await code(store.create('/core/x', circular as never))).toBe('INVALID');
  });

  it('refuses writes beyond the queue bound with OVERLOADED and counts them', async () => {
    await store.close();
    store = await openTestStore(tmp.file('overload.db'), { maxPendingWrites: 5 });
    const writes = Array.from({ length: 10 }, (_, i) => code(store.create(`/core/configmaps/ns/c${i}`, configMap('ns', `c${i}`))));
    const codes = await Promise.all(writes);
    expect(codes.filter((c) => c === 'resolved')).toHaveLength(6);
    expect(codes.filter((c) => c === 'OVERLOADED')).toHaveLength(4);
    expect(store.stats().rejectedWrites).toBe(4);
  });

  it('lets the event loop turn during a long loop of awaited writes (SQLite calls are synchronous)', async () => {
    let turns = 0;
    let ticking = true;
    const tick = (): void => {
      turns++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    for (let i = 0; i < 10 * TASKS_PER_TURN; i++) await store.create(`/core/configmaps/ns/t${i}`, configMap('ns', `t${i}`));
    ticking = false;
    // One turn per TASKS_PER_TURN writes at least; with no yielding the immediate would not have run once.
    expect(turns).toBeGreaterThanOrEqual(9);
  });

  it('lets queued writes finish on close, then refuses with CLOSED', async () => {
    const pending = store.create('/core/configmaps/ns/a', configMap('ns', 'a'));
    await store.close();
    await expect(pending).resolves.toMatchObject({ revision: 1 });
    const error = await store.create('/core/configmaps/ns/b', configMap('ns', 'b')).catch((e: unknown) => e);
    expect(isStorageError(error, 'CLOSED')).toBe(true);
  });
});

describe('store lists', () => {
  const tmp = tempDir();
  let store: Store;
  beforeAll(async () => {
    store = await openTestStore(tmp.file());
    for (const ns of ['kube-system', 'default', 'apps']) {
      for (const name of ['c', 'a', 'b']) await store.create(`/core/configmaps/${ns}/${name}`, configMap(ns, name));
    }
    await store.create('/core/nodes/node-1', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' } });
    await store.create('/core/configmapsx/default/a', configMap('default', 'a'));
  });
  afterAll(async () => {
    await store.close();
    tmp.cleanup();
  });
  const keys = (items: { key: string }[]): string[] => items.map((i) => i.key.split('/').slice(3).join('/'));

  it('lists by prefix in key order, with the store revision', () => {
    const all = store.list('/core/configmaps/');
    expect(keys(all.items)).toEqual(['apps/a', 'apps/b', 'apps/c', 'default/a', 'default/b', 'default/c', 'kube-system/a', 'kube-system/b', 'kube-system/c']);
    expect(all.revision).toBe(11);
    expect(all.continueAfter).toBeUndefined();
    expect(keys(store.list('/core/configmaps/default/').items)).toEqual(['default/a', 'default/b', 'default/c']);
    expect(store.count('/core/configmaps/')).toBe(9);
    expect(store.count('/core/')).toBe(11);
    expect(store.count('/')).toBe(11);
    expect(store.list('/core/nodes/').items.map((i) => i.key)).toEqual(['/core/nodes/node-1']);
  });

  it('pages with limit and continueAfter, reporting what remains', () => {
    const seen: string[] = [];
    let continueAfter: string | undefined;
    const remaining: (number | undefined)[] = [];
    do {
      const page = store.list('/core/configmaps/', { limit: 4, continueAfter });
      seen.push(...keys(page.items));
      remaining.push(page.remaining);
      continueAfter = page.continueAfter;
    } while (continueAfter);
    expect(seen).toHaveLength(9);
    expect(new Set(seen).size).toBe(9);
    expect(remaining).toEqual([5, 1, undefined]);
  });

  it('continues after a key that was deleted meanwhile', async () => {
    const first = store.list('/core/configmaps/apps/', { limit: 1 });
    await store.delete(first.continueAfter!);
    expect(keys(store.list('/core/configmaps/apps/', { continueAfter: first.continueAfter }).items)).toEqual(['apps/b', 'apps/c']);
  });

  it('treats a selector without a trailing slash as one exact key', () => {
    expect(store.list('/core/configmaps/default/a').items.map((i) => i.key)).toEqual(['/core/configmaps/default/a']);
    expect(store.count('/core/configmaps/default/zz')).toBe(0);
  });
});
