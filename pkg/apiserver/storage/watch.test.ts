/** Watches on a real store: order, replay, filters, slow consumers, ending. */
import { StorageError } from './errors';
import type { KubeObject } from './stored-object';
import type { Store, WatchEvent } from './types';
import { brief, configMap, openTestStore, take, tempDir } from './testing/fixtures';

const labelled = (name: string, tier: string): KubeObject => configMap('ns', name, {}, { tier });
const isWeb = (object: KubeObject): boolean => object.metadata.labels?.tier === 'web';

describe('store watch', () => {
  const tmp = tempDir();
  let store: Store;
  let n = 0;
  beforeEach(async () => {
    store = await openTestStore(tmp.file(`w${n++}.db`), { eventRetention: { memoryEvents: 64 } });
  });
  afterEach(() => store.close());
  afterAll(() => tmp.cleanup());

  it('delivers every event under the prefix, in revision order, with the previous object', async () => {
    const watcher = store.watch('/core/configmaps/ns/');
    const other = store.watch('/core/configmaps/');
    await store.create('/core/configmaps/ns/a', configMap('ns', 'a', { v: '1' }));
    await store.create('/core/configmaps/other/x', configMap('other', 'x'));
    await store.update('/core/configmaps/ns/a', configMap('ns', 'a', { v: '2' }));
    await store.delete('/core/configmaps/ns/a');
    const events = await take(watcher, 3);
    expect(brief(events)).toEqual(['ADDED /core/configmaps/ns/a 1', 'MODIFIED /core/configmaps/ns/a 3', 'DELETED /core/configmaps/ns/a 4']);
    expect(events[1]!.prev?.object).toMatchObject({ data: { v: '1' }, metadata: { resourceVersion: '1' } });
    expect(events[2]!.object.object).toMatchObject({ data: { v: '2' }, metadata: { resourceVersion: '4' } });
    expect(events[2]!.prev?.revision).toBe(3);
    expect(brief(await take(other, 4)).map((e) => e.split(' ')[2])).toEqual(['1', '2', '3', '4']);
  });

  it('drain() takes what is buffered without waiting, and the iteration goes on after it', async () => {
    const watcher = store.watch('/core/configmaps/');
    expect(watcher.drain()).toEqual([]);
    await store.create('/core/configmaps/ns/a', configMap('ns', 'a'));
    await store.create('/core/configmaps/ns/b', configMap('ns', 'b'));
    expect(brief([...watcher.drain()])).toEqual(['ADDED /core/configmaps/ns/a 1', 'ADDED /core/configmaps/ns/b 2']);
    expect(watcher.position).toBe(2);
    await store.create('/core/configmaps/ns/c', configMap('ns', 'c'));
    expect(brief(await take(watcher, 1))).toEqual(['ADDED /core/configmaps/ns/c 3']);
    watcher.stop();
  });

  it('starts after fromRevision, replaying what the list already missed', async () => {
    for (let i = 1; i <= 5; i++) await store.create(`/core/configmaps/ns/c${i}`, configMap('ns', `c${i}`));
    const watcher = store.watch('/core/configmaps/', { fromRevision: 2 });
    await store.update('/core/configmaps/ns/c1', configMap('ns', 'c1', { v: 'x' }));
    expect(brief(await take(watcher, 4)).map((e) => e.split(' ')[2])).toEqual(['3', '4', '5', '6']);
    watcher.stop();
  });

  it('watches one key exactly when the selector has no trailing slash', async () => {
    const watcher = store.watch('/core/configmaps/ns/a');
    await store.create('/core/configmaps/ns/ab', configMap('ns', 'ab'));
    await store.create('/core/configmaps/ns/a', configMap('ns', 'a'));
    expect(brief(await take(watcher, 1))).toEqual(['ADDED /core/configmaps/ns/a 2']);
  });

  it('sees an object leaving the filter as DELETED and one entering it as ADDED', async () => {
    await store.create('/core/configmaps/ns/a', labelled('a', 'db'));
    const watcher = store.watch('/core/configmaps/', { filter: isWeb, fromRevision: store.revision });
    await store.create('/core/configmaps/ns/b', labelled('b', 'db')); // 2: never matches
    await store.update('/core/configmaps/ns/a', labelled('a', 'web')); // 3: enters
    await store.update('/core/configmaps/ns/a', { ...labelled('a', 'web'), data: { x: '1' } }); // 4: stays
    await store.update('/core/configmaps/ns/a', labelled('a', 'db')); // 5: leaves
    await store.delete('/core/configmaps/ns/a'); // 6: not matching before: nothing
    await store.create('/core/configmaps/ns/c', labelled('c', 'web')); // 7
    await store.delete('/core/configmaps/ns/c'); // 8
    const events = await take(watcher, 5);
    expect(brief(events)).toEqual([
      'ADDED /core/configmaps/ns/a 3',
      'MODIFIED /core/configmaps/ns/a 4',
      'DELETED /core/configmaps/ns/a 5',
      'ADDED /core/configmaps/ns/c 7',
      'DELETED /core/configmaps/ns/c 8',
    ]);
    // The DELETED of an object leaving the filter carries its last matching content at the event's revision.
    expect(events[2]!.object.object.metadata).toMatchObject({ labels: { tier: 'web' }, resourceVersion: '5' });
  });

  it('ends a slow watcher with WATCH_OVERFLOW without holding up writers or other watchers', async () => {
    const slow = store.watch('/core/configmaps/', { bufferSize: 10 });
    const fast = store.watch('/core/configmaps/', { bufferSize: 10 });
    const received: WatchEvent[] = [];
    const consuming = (async () => {
      for await (const batch of fast) {
        received.push(...batch);
        if (received.length === 30) return;
      }
    })();
    // Wait for each write: the fast consumer keeps up, the slow one never reads.
    for (let i = 0; i < 30; i++) {
      await store.create(`/core/configmaps/ns/c${i}`, configMap('ns', `c${i}`));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await consuming;
    expect(received.map((e) => e.revision)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(store.stats().watchOverflows).toBe(1);
    const iterator = slow[Symbol.asyncIterator]();
    const first = await iterator.next(); // what was buffered before the overflow still arrives
    expect(first.done ? [] : first.value.map((e) => e.revision)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    await expect(iterator.next()).rejects.toMatchObject({ code: 'WATCH_OVERFLOW' });
  });

  it('ends the iteration when the signal aborts, and forgets the watcher', async () => {
    const abort = new AbortController();
    const watcher = store.watch('/core/', { signal: abort.signal });
    const done = (async () => {
      let count = 0;
      for await (const batch of watcher) count += batch.length;
      return count;
    })();
    await store.create('/core/configmaps/ns/a', configMap('ns', 'a'));
    await new Promise((resolve) => setImmediate(resolve));
    abort.abort();
    await expect(done).resolves.toBe(1);
    expect(store.stats().watchers).toBe(0);
  });

  it('ends watchers with CLOSED when the store closes', async () => {
    const watcher = store.watch('/core/');
    const ended = expect(watcher[Symbol.asyncIterator]().next()).rejects.toMatchObject({ code: 'CLOSED' });
    await store.close();
    await ended;
    expect(() => store.watch('/core/')).toThrow(StorageError);
  });

  it('refuses a revision from the future with TOO_NEW', async () => {
    await store.create('/core/configmaps/ns/a', configMap('ns', 'a'));
    expect(() => store.watch('/core/', { fromRevision: 5 })).toThrow(expect.objectContaining({ code: 'TOO_NEW' }));
  });

  it('replays beyond the memory ring from SQLite, then continues live', async () => {
    for (let i = 1; i <= 150; i++) await store.create(`/core/configmaps/ns/c${i}`, configMap('ns', `c${i}`));
    expect(store.stats().memoryFromRevision).toBe(86);
    const watcher = store.watch('/core/configmaps/', { fromRevision: 10, bufferSize: 32 });
    const replayed = await take(watcher, 140);
    await store.delete('/core/configmaps/ns/c1');
    const live = await take(watcher, 1);
    expect([...replayed, ...live].map((e) => e.revision)).toEqual(Array.from({ length: 141 }, (_, i) => i + 11));
  });

  it('a filter that throws ends only its own watch', async () => {
    const bad = store.watch('/core/', {
      filter: () => {
        throw new Error('boom');
      },
    });
    const good = store.watch('/core/');
    await take(bad, 0);
    await store.create('/core/configmaps/ns/a', configMap('ns', 'a'));
    await expect(take(bad, 1)).rejects.toMatchObject({ code: 'INVALID' });
    expect(brief(await take(good, 1))).toEqual(['ADDED /core/configmaps/ns/a 1']);
  });
});
