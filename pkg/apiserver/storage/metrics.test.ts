/** The Prometheus view of the store, and a real pino logger as its log. */
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createStorageMetrics } from './metrics';
import { configMap, openTestStore, take, tempDir } from './testing/fixtures';

describe('storage metrics', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('counts writes by type, overflows and rejections, and reports gauges', async () => {
    const registry = new Registry();
    const store = await openTestStore(tmp.file(), { metrics: createStorageMetrics(registry), log: pino({ level: 'silent' }), watchBufferSize: 1 });
    const watcher = store.watch('/core/');
    await store.create('/core/configmaps/ns/a', configMap('ns', 'a'));
    await store.update('/core/configmaps/ns/a', configMap('ns', 'a', { v: '2' }));
    await store.create('/core/configmaps/ns/b', configMap('ns', 'b'));
    await store.delete('/core/configmaps/ns/b');
    await expect(take(watcher, 2)).rejects.toMatchObject({ code: 'WATCH_OVERFLOW' });
    const text = await registry.metrics();
    expect(text).toContain('apiserver_storage_writes_total{type="ADDED"} 2');
    expect(text).toContain('apiserver_storage_writes_total{type="MODIFIED"} 1');
    expect(text).toContain('apiserver_storage_writes_total{type="DELETED"} 1');
    expect(text).toContain('apiserver_storage_watch_overflows_total 1');
    expect(text).toContain('apiserver_storage_objects 1');
    expect(text).toContain('apiserver_storage_revision 4');
    expect(text).toContain('apiserver_storage_watchers 0');
    await store.close();
  });
});
