import { cloudResource, edgeResource, objectResource, parseEdgeResource, splitNodeResource } from './resource';

test('cloud and edge strings round-trip, cluster scope as null', () => {
  const pod = objectResource({ kind: 'Pod', metadata: { namespace: 'default', name: 'web-1' } });
  expect(cloudResource('edge-1', pod)).toBe('node/edge-1/default/pod/web-1');
  expect(splitNodeResource('node/edge-1/default/pod/web-1')).toEqual({ node: 'edge-1', rest: 'default/pod/web-1' });
  expect(parseEdgeResource('default/pod/web-1')).toEqual(pod);
  const node = objectResource({ kind: 'Node', metadata: { name: 'edge-1' } });
  expect(edgeResource(node)).toBe('null/node/edge-1');
  expect(parseEdgeResource('null/node/edge-1')).toEqual({ namespace: '', type: 'node', name: 'edge-1' });
  expect(parseEdgeResource('default/configmap')).toEqual({ namespace: 'default', type: 'configmap', name: '' });
});

test('connection events carry the node alone', () => {
  expect(splitNodeResource('node/edge-1')).toEqual({ node: 'edge-1', rest: '' });
});

test.each(['', 'default', 'a//b', 'a/b/c/d', '/pod/x', 'default/pod/'])('%j is not an edge resource', (bad) => {
  expect(parseEdgeResource(bad)).toBeUndefined();
});

test.each(['pod/x', 'node/', 'node//x', 'nodes/a/b'])('%j has no node prefix', (bad) => {
  expect(splitNodeResource(bad)).toBeUndefined();
});
