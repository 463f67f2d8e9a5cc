import { PatchError } from '../errors';
import { applyStrategicMergePatch } from '../strategic/apply';
import { METADATA_ONLY, NODE, POD, POD_SPEC, SERVICE_ACCOUNT } from './core';
import { WORKLOAD, strategicMergeSchemaFor } from './registry';
import { fieldStrategy, listStrategy } from './types';

describe('strategicMergeSchemaFor', () => {
  it('finds the described built-in kinds by group and kind', () => {
    expect(strategicMergeSchemaFor({ group: '', kind: 'Pod' })).toBe(POD);
    expect(strategicMergeSchemaFor({ group: '', kind: 'Node' })).toBe(NODE);
    expect(strategicMergeSchemaFor({ group: '', kind: 'ServiceAccount' })).toBe(SERVICE_ACCOUNT);
    for (const kind of ['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet']) {
      expect(strategicMergeSchemaFor({ group: 'apps', kind })).toBe(WORKLOAD);
    }
  });

  it('gives other built-in kinds their ObjectMeta, and custom resources nothing', () => {
    for (const [group, kind] of [
      ['', 'ConfigMap'],
      ['', 'Secret'],
      ['', 'Endpoints'],
      ['', 'Event'],
      ['coordination.k8s.io', 'Lease'],
      ['rbac.authorization.k8s.io', 'Role'],
      ['apiextensions.k8s.io', 'CustomResourceDefinition'],
    ]) {
      expect(strategicMergeSchemaFor({ group, kind })).toBe(METADATA_ONLY);
    }
    expect(strategicMergeSchemaFor({ group: 'devices.kubeedge.io', kind: 'Device' })).toBeUndefined();
    expect(strategicMergeSchemaFor({ group: '', kind: 'constructor' })).toBe(METADATA_ONLY);
  });

  it('answers 415 for a custom resource, with the media types the server accepts', () => {
    const schema = strategicMergeSchemaFor({ group: 'devices.kubeedge.io', kind: 'Device' });
    let thrown: unknown;
    try {
      applyStrategicMergePatch({ metadata: { name: 'd' } }, { spec: {} }, schema);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(PatchError);
    expect(thrown).toMatchObject({
      code: 'UNSUPPORTED',
      status: 415,
      message:
        'the body of the request was in an unknown format - accepted media types include: ' +
        'application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
    });
  });
});

describe('the core tags', () => {
  const keyOf = (schema: typeof POD_SPEC, field: string): string | undefined => {
    const list = listStrategy(fieldStrategy(schema, field));
    return list.merge ? list.mergeKey : undefined;
  };

  it('match k8s.io/api core/v1 for the pod spec', () => {
    expect(keyOf(POD_SPEC, 'containers')).toBe('name');
    expect(keyOf(POD_SPEC, 'volumes')).toBe('name');
    expect(keyOf(POD_SPEC, 'hostAliases')).toBe('ip');
    expect(keyOf(POD_SPEC, 'topologySpreadConstraints')).toBe('topologyKey');
    expect(keyOf(POD_SPEC, 'tolerations')).toBeUndefined();
    expect(keyOf(POD_SPEC, 'readinessGates')).toBeUndefined();
    const container = fieldStrategy(POD_SPEC, 'containers');
    const item = container?.kind === 'mergeList' ? container.item : undefined;
    expect(keyOf(item ?? {}, 'ports')).toBe('containerPort');
    expect(keyOf(item ?? {}, 'volumeMounts')).toBe('mountPath');
    expect(keyOf(item ?? {}, 'volumeDevices')).toBe('devicePath');
    expect(keyOf(item ?? {}, 'envFrom')).toBeUndefined();
  });

  it('leave node taints to be replaced whole', () => {
    const node = { spec: { taints: [{ key: 'a', effect: 'NoSchedule' }] } };
    const out = applyStrategicMergePatch(node, { spec: { taints: [{ key: 'b', effect: 'NoSchedule' }] } }, NODE);
    expect(out).toEqual({ spec: { taints: [{ key: 'b', effect: 'NoSchedule' }] } });
  });

  it('merge ownerReferences by uid', () => {
    const obj = { metadata: { ownerReferences: [{ uid: 'u1', kind: 'ReplicaSet', name: 'rs' }] } };
    const patch = { metadata: { ownerReferences: [{ uid: 'u1', controller: true }] } };
    expect(applyStrategicMergePatch(obj, patch, METADATA_ONLY)).toEqual({
      metadata: { ownerReferences: [{ uid: 'u1', kind: 'ReplicaSet', name: 'rs', controller: true }] },
    });
  });
});
