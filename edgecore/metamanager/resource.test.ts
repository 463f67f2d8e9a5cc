import { MetaError } from './errors';
import { parseEdgeResource, parseObjectResource, resourceKey } from './resource';
import { formatResourceVersion, parseResourceVersion } from './resource-version';

describe('edge resource strings', () => {
  it('parses objects and lists, cluster-scoped ones under the namespace null', () => {
    expect(parseEdgeResource('default/pod/nginx')).toEqual({ namespace: 'default', type: 'pod', name: 'nginx' });
    expect(parseEdgeResource('kube-system/configmap')).toEqual({ namespace: 'kube-system', type: 'configmap' });
    expect(resourceKey(parseObjectResource('null/node/edge-1'))).toBe('null/node/edge-1');
  });

  it.each([
    ['', /route\.resource: is empty; write <namespace>\/<type>\/<name>/],
    ['default', /names no type/],
    ['node/edge-1/default/pod/nginx', /5 parts; it looks like a cloud-side resource, whose node\/<node>\/ prefix cloudhub strips/],
    ['Default/pod/x', /namespace "Default" is not a namespace name/],
    ['default/Pod/x', /type "Pod" is not a KubeEdge resource type/],
    ['default/pod/', /name "" is not an object name/],
    ['default/pod/a b', /name "a b" is not an object name/],
  ])('refuses %j naming the field and the fix', (resource, message) => {
    expect(() => parseEdgeResource(resource)).toThrow(message);
  });

  it('refuses a list resource where an object is needed', () => {
    expect(() => parseObjectResource('default/pod')).toThrow(/route\.resource: "default\/pod" names no object/);
  });

  it('throws MetaErrors with code INVALID', () => {
    expect(() => parseEdgeResource('x')).toThrow(MetaError);
    try {
      parseEdgeResource('x');
    } catch (error) {
      expect((error as MetaError).code).toBe('INVALID');
    }
  });
});

describe('resourceVersions', () => {
  it('compare as unsigned integers, not as text, beyond 2^53', () => {
    expect(parseResourceVersion('10', 'f') > parseResourceVersion('9', 'f')).toBe(true);
    expect(parseResourceVersion('18446744073709551615', 'f') > parseResourceVersion('9007199254740993', 'f')).toBe(true);
    expect(parseResourceVersion('9007199254740993', 'f')).toBe(9007199254740993n);
    expect(formatResourceVersion(parseResourceVersion('007', 'f'))).toBe('7');
  });

  it.each(['', 'abc', '-1', '1.5', ' 1', '18446744073709551616', '1e3'])('refuses %j naming the field', (text) => {
    expect(() => parseResourceVersion(text, 'header.resourceVersion')).toThrow(
      /^header\.resourceVersion: .* is not a number; a resourceVersion must be an unsigned 64-bit decimal integer/,
    );
  });
});
