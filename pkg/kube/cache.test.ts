import { Indexer, NAMESPACE_INDEX } from './cache';
import { objectKey, resourcePath, splitKey } from './resource';

interface Pod {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string };
  spec?: { nodeName?: string };
}

const pod = (namespace: string, name: string, nodeName?: string): Pod => ({
  metadata: { namespace, name },
  spec: nodeName ? { nodeName } : {},
});
const byNode = (p: Pod): string[] => (p.spec?.nodeName ? [p.spec.nodeName] : []);

describe('Indexer', () => {
  it('indexes by namespace and by custom functions, and re-indexes on update and delete', () => {
    const cache = new Indexer<Pod>({ byNode });
    cache.set('a/p1', pod('a', 'p1', 'edge-1'));
    cache.set('a/p2', pod('a', 'p2', 'edge-2'));
    cache.set('b/p3', pod('b', 'p3', 'edge-1'));
    expect(cache.byIndex('byNode', 'edge-1').map((p) => p.metadata.name).sort()).toEqual(['p1', 'p3']);
    expect(cache.indexKeys(NAMESPACE_INDEX, 'a').sort()).toEqual(['a/p1', 'a/p2']);

    const old = cache.set('a/p1', pod('a', 'p1', 'edge-2'));
    expect(old?.spec?.nodeName).toBe('edge-1');
    expect(cache.indexKeys('byNode', 'edge-1')).toEqual(['b/p3']);
    expect(cache.indexKeys('byNode', 'edge-2').sort()).toEqual(['a/p1', 'a/p2']);

    expect(cache.delete('b/p3')?.metadata.name).toBe('p3');
    expect(cache.delete('b/p3')).toBeUndefined();
    expect(cache.byIndex('byNode', 'edge-1')).toEqual([]);
    expect(cache.byIndex(NAMESPACE_INDEX, 'b')).toEqual([]);
    expect(cache.size).toBe(2);
  });

  it('builds an index added later over the objects already cached', () => {
    const cache = new Indexer<Pod>();
    cache.set('a/p1', pod('a', 'p1', 'edge-1'));
    cache.addIndexers({ byNode });
    expect(cache.indexKeys('byNode', 'edge-1')).toEqual(['a/p1']);
    cache.addIndexers({ byNode });
    expect(() => cache.addIndexers({ byNode: () => [] })).toThrow('index "byNode" already exists');
    expect(() => cache.byIndex('nope', 'x')).toThrow('no index named "nope"');
  });
});

describe('keys and paths', () => {
  it('keys objects as namespace/name or name, and splits them back', () => {
    expect(objectKey({ metadata: { namespace: 'ns', name: 'n' } })).toBe('ns/n');
    expect(objectKey({ metadata: { name: 'node-1' } })).toBe('node-1');
    expect(() => objectKey({ metadata: {} })).toThrow('no metadata.name');
    expect(splitKey('ns/n')).toEqual({ namespace: 'ns', name: 'n' });
    expect(splitKey('node-1')).toEqual({ name: 'node-1' });
  });

  it('builds core, group, namespaced, cluster-scoped and subresource paths', () => {
    const pods = { apiVersion: 'v1', plural: 'pods' };
    const devices = { apiVersion: 'devices.kubeedge.io/v1beta1', plural: 'devices' };
    expect(resourcePath(pods)).toBe('/api/v1/pods');
    expect(resourcePath(pods, 'default', 'p', 'status')).toBe('/api/v1/namespaces/default/pods/p/status');
    expect(resourcePath({ apiVersion: 'v1', plural: 'nodes' }, undefined, 'edge 1')).toBe('/api/v1/nodes/edge%201');
    expect(resourcePath(devices, 'ns')).toBe('/apis/devices.kubeedge.io/v1beta1/namespaces/ns/devices');
    expect(() => resourcePath(pods, 'ns', '')).toThrow('no name');
  });
});
