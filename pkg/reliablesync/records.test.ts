/** Record names, labels, resourceVersion order, resource strings and what a delivered message says: no server needed. */
import { jsonContent, newMessage, Operation } from '../message';
import { deliveredChange } from './delivered-object';
import { ReliableSyncError } from './errors';
import { NODE_LABEL, nodeLabelValue, nodeSelector, objectSyncName, parseObjectSyncName, recordResource } from './records';
import { parseResource, resourceTypeOf } from './resource-types';
import { isNewerResourceVersion, parseResourceVersion, requireResourceVersion } from './resource-version';

const UID = '0b6c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3';

describe('record names', () => {
  it('is <node>.<uid> and parses back, also for node names with dots', () => {
    expect(objectSyncName('edge-1', UID)).toBe(`edge-1.${UID}`);
    expect(parseObjectSyncName(objectSyncName('edge.zone-a.example', UID))).toEqual({ node: 'edge.zone-a.example', uid: UID });
    expect(parseObjectSyncName('no-dot')).toBeUndefined();
    expect(parseObjectSyncName('trailing.')).toBeUndefined();
  });

  it('refuses names that cannot make a valid record name, saying which field and why', () => {
    const fail = (node: string, uid: string): ReliableSyncError => {
      try {
        objectSyncName(node, uid);
      } catch (error) {
        return error as ReliableSyncError;
      }
      throw new Error('expected a failure');
    };
    expect(fail('Edge_1', UID)).toMatchObject({ code: 'INVALID_NAME', message: expect.stringContaining('node: "Edge_1"') });
    expect(fail('', UID).message).toContain('node:');
    expect(fail('edge-1', '').message).toContain('metadata.uid');
    expect(fail('edge-1', 'a.b').message).toContain('metadata.uid');
    expect(fail(`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(40)}`, UID).message).toContain('too long');
  });

  it('labels records with the node name, or a stable hash when the name cannot be a label value', () => {
    expect(nodeLabelValue('edge-1')).toBe('edge-1');
    const long = `${'a'.repeat(60)}.example.com`;
    expect(nodeLabelValue(long)).toMatch(/^h-[0-9a-f]{40}$/);
    expect(nodeLabelValue(long)).toBe(nodeLabelValue(long));
    expect(nodeSelector('edge-1')).toBe(`${NODE_LABEL}=edge-1`);
  });

  it('keeps namespaced objects in ObjectSync and cluster-scoped ones in ClusterObjectSync', () => {
    expect(recordResource('default').kind).toBe('ObjectSync');
    expect(recordResource(undefined).kind).toBe('ClusterObjectSync');
  });
});

describe('resourceVersion order', () => {
  it('compares as unsigned integers, not as strings, beyond 2^53', () => {
    expect(isNewerResourceVersion(10n, '9')).toBe(true);
    expect(isNewerResourceVersion(9n, '10')).toBe(false);
    expect(isNewerResourceVersion(10n, '10')).toBe(false);
    expect(isNewerResourceVersion(BigInt('18446744073709551615'), '18446744073709551614')).toBe(true);
    expect(isNewerResourceVersion(1n, undefined)).toBe(true);
    expect(parseResourceVersion('-1')).toBeUndefined();
    expect(parseResourceVersion('12a')).toBeUndefined();
    expect(() => requireResourceVersion('abc', 'header.resourceVersion')).toThrow(/header.resourceVersion: "abc" is not a resourceVersion/);
  });
});

describe('resource strings', () => {
  it('reads the edge and cloud forms, with null for cluster scope', () => {
    expect(parseResource('default/configmap/cm')).toEqual({ namespace: 'default', type: 'configmap', name: 'cm' });
    expect(parseResource('node/edge-1/null/node/edge-1')).toEqual({ node: 'edge-1', type: 'node', name: 'edge-1' });
    expect(parseResource('node/edge-1/kube-system/pod/p')).toEqual({ node: 'edge-1', namespace: 'kube-system', type: 'pod', name: 'p' });
    expect(parseResource('node/pod/x')).toEqual({ namespace: 'node', type: 'pod', name: 'x' });
    expect(parseResource('membership')).toBeUndefined();
    expect(parseResource('a//b')).toBeUndefined();
    expect(resourceTypeOf('ConfigMap')).toBe('configmap');
  });
});

describe('deliveredChange', () => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default', uid: UID, resourceVersion: '7' } };
  const message = (operation: Operation, content: unknown, resource = 'default/configmap/cm', resourceVersion = '7') =>
    newMessage({ source: 'edgecontroller', group: 'resource', operation, resource, resourceVersion, ...(content === undefined ? {} : jsonContent(content)) });

  it('reads an update: object identity and the header resourceVersion', () => {
    expect(deliveredChange('edge-1', message(Operation.OPERATION_UPDATE, cm, 'node/edge-1/default/configmap/cm', '8'))).toEqual({
      action: 'upsert',
      object: { apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', namespace: 'default', uid: UID },
      resourceVersion: 8n,
    });
  });

  it('reads a delete, and a cluster-scoped object from an object with no namespace', () => {
    const node = { kind: 'Node', apiVersion: 'v1', metadata: { name: 'edge-1', uid: UID } };
    expect(deliveredChange('edge-1', message(Operation.OPERATION_DELETE, node, 'null/node/edge-1'))).toEqual({
      action: 'delete',
      object: { apiVersion: 'v1', kind: 'Node', name: 'edge-1', uid: UID },
    });
  });

  it('fills apiVersion and kind from the resource type when the content lacks them', () => {
    const change = deliveredChange('edge-1', message(Operation.OPERATION_INSERT, { metadata: cm.metadata }));
    expect(change).toMatchObject({ action: 'upsert', object: { apiVersion: 'v1', kind: 'ConfigMap' } });
  });

  it('skips what carries no Kubernetes object', () => {
    expect(deliveredChange('edge-1', message(Operation.OPERATION_QUERY, cm)).action).toBe('skip');
    expect(deliveredChange('edge-1', message(Operation.OPERATION_UPDATE, undefined)).action).toBe('skip');
    expect(deliveredChange('edge-1', message(Operation.OPERATION_UPDATE, { twin: {} })).action).toBe('skip');
    expect(deliveredChange('edge-1', message(Operation.OPERATION_UPDATE, cm, 'membership'))).toMatchObject({ action: 'skip' });
    expect(deliveredChange('edge-1', message(Operation.OPERATION_UPDATE, { metadata: { ...cm.metadata, resourceVersion: undefined } }, undefined, ''))).toMatchObject({
      action: 'skip',
      reason: 'no resourceVersion',
    });
  });

  it('refuses inconsistent messages, naming the field', () => {
    expect(() => deliveredChange('edge-2', message(Operation.OPERATION_UPDATE, cm, 'node/edge-1/default/configmap/cm'))).toThrow(/route.resource: .*for node "edge-1"/);
    expect(() => deliveredChange('edge-1', message(Operation.OPERATION_UPDATE, cm, undefined, 'v7'))).toThrow(/header.resourceVersion: "v7"/);
    expect(() => deliveredChange('edge-1', message(Operation.OPERATION_UPDATE, { metadata: { uid: UID } }, 'default/widget/w'))).toThrow(/content.apiVersion\/kind/);
  });
});
