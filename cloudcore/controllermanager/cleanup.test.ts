/**
 * Garbage collection over every served type (a CRD included), namespace deletion and default ServiceAccounts, end to
 * end with the real API server and kubectl.
 */
import { RESOURCES, isNotFound } from '../../pkg/kube';
import { REFS } from './context';
import { deploymentManifest, startEnv, waitFor, type TestEnv } from './testing/env';
import type { Namespace, Obj, Pod } from './util/types';

jest.setTimeout(120_000);

let env: TestEnv;

const CRD = JSON.stringify({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
  },
});
const WIDGETS = { apiVersion: 'example.com/v1', plural: 'widgets', kind: 'Widget' };

beforeAll(async () => {
  env = await startEnv({ manager: { discoveryResyncMs: 1000 } });
  await env.agent.addNode({ name: 'node-1' });
  expect(await env.kubectlApply(CRD)).toMatchObject({ code: 0 });
  expect(await env.kubectl('wait', '--for=condition=established', 'crd/widgets.example.com', '--timeout=30s')).toMatchObject({ code: 0 });
});

afterAll(async () => {
  await env?.stop();
});

const gone = async (get: () => Promise<unknown>): Promise<boolean> => {
  try {
    await get();
    return false;
  } catch (error) {
    if (isNotFound(error)) return true;
    throw error;
  }
};
const configMap = (name: string, namespace: string, owners: Obj[] = [], finalizers?: string[]): Obj => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name,
    namespace,
    ...(finalizers ? { finalizers } : {}),
    ownerReferences: owners.map((o) => ({ apiVersion: o.apiVersion ?? '', kind: o.kind ?? '', name: o.metadata?.name ?? '', uid: o.metadata?.uid ?? '', blockOwnerDeletion: true })),
  },
});

describe('garbage collector', () => {
  it('deletes dependents of a deleted custom resource, and keeps those with another live owner', async () => {
    const widgets = env.client.resource<Obj>(WIDGETS);
    const configMaps = env.client.resource<Obj>(RESOURCES.configMaps);
    const w1 = await widgets.create({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1', namespace: 'default' } });
    const w2 = await widgets.create({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w2', namespace: 'default' } });
    await configMaps.create(configMap('only-w1', 'default', [w1]));
    await configMaps.create(configMap('w1-and-w2', 'default', [w1, w2]));

    expect(await env.kubectl('delete', 'widget', 'w1')).toMatchObject({ code: 0 });
    await waitFor('only-w1 collected', () => gone(() => configMaps.get('only-w1', { namespace: 'default' })));
    const shared = await waitFor('w1 reference dropped', async () => {
      const cm = await configMaps.get('w1-and-w2', { namespace: 'default' });
      return cm.metadata?.ownerReferences?.length === 1 ? cm : undefined;
    });
    expect(shared.metadata?.ownerReferences?.[0]?.name).toBe('w2');

    // Foreground: the owner waits for its blocking dependents (held by a finalizer here), then goes.
    await configMaps.create(configMap('held', 'default', [w2], ['example.com/hold']));
    const deleting = env.kubectl('delete', 'widget', 'w2', '--cascade=foreground', '--timeout=60s');
    await waitFor('held marked for deletion', async () => Boolean((await configMaps.get('held', { namespace: 'default' })).metadata?.deletionTimestamp));
    expect((await widgets.get('w2', { namespace: 'default' })).metadata?.finalizers).toContain('foregroundDeletion');
    await configMaps.patch('held', { metadata: { finalizers: null } }, { type: 'merge', namespace: 'default' });
    expect(await deleting).toMatchObject({ code: 0 });
    expect(await gone(() => configMaps.get('w1-and-w2', { namespace: 'default' }))).toBe(true);
  });
});

describe('namespace controller', () => {
  it('gives a new namespace its default ServiceAccount, and empties and removes a deleted one', async () => {
    expect(await env.kubectlApply(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } }))).toMatchObject({ code: 0 });
    await waitFor('default ServiceAccount', () => env.client.resource<Obj>(REFS.serviceAccounts).get('default', { namespace: 'team' }));
    const applied = await env.kubectlApply(deploymentManifest('app', 2, 'nginx', {}, 'team'));
    expect(applied).toMatchObject({ code: 0 });
    await waitFor('2 pods running in team', async () => {
      const list = await env.client.resource<Pod>(REFS.pods).list({ namespace: 'team' });
      return list.items.length === 2 && list.items.every((p) => p.status?.phase === 'Running');
    });
    const configMaps = env.client.resource<Obj>(RESOURCES.configMaps);
    await configMaps.create(configMap('held', 'team', [], ['example.com/hold']));
    await env.client.resource<Obj>(WIDGETS).create({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'team' } });

    expect(await env.kubectl('delete', 'namespace', 'team', '--wait=false')).toMatchObject({ code: 0 });
    const namespaces = env.client.resource<Namespace>(REFS.namespaces);
    const terminating = await waitFor('conditions while the held ConfigMap remains', async () => {
      const ns = await namespaces.get('team');
      const remaining = ns.status?.conditions?.find((c) => c.type === 'NamespaceContentRemaining');
      return remaining?.message === 'Some resources are remaining: configmaps has 1 resource instances' ? ns : undefined;
    });
    expect(terminating.status?.phase).toBe('Terminating');
    expect(terminating.status?.conditions?.find((c) => c.type === 'NamespaceFinalizersRemaining')).toMatchObject({
      status: 'True',
      reason: 'SomeFinalizersRemain',
      message: 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances',
    });
    expect(await env.client.resource<Pod>(REFS.pods).list({ namespace: 'team' })).toMatchObject({ items: [] });
    expect(await env.client.resource<Obj>(WIDGETS).list({ namespace: 'team' })).toMatchObject({ items: [] });

    await configMaps.patch('held', { metadata: { finalizers: null } }, { type: 'merge', namespace: 'team' });
    await waitFor('namespace gone', () => gone(() => namespaces.get('team')));
    expect(await env.kubectl('get', 'namespace', 'team')).toMatchObject({ code: 1 });
  });

  it('kubectl delete namespace waits until it is gone', async () => {
    expect(await env.kubectlApply(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'short' } }))).toMatchObject({ code: 0 });
    const applied = await env.kubectlApply(deploymentManifest('app', 1, 'nginx', {}, 'short'));
    expect(applied).toMatchObject({ code: 0 });
    await waitFor('a pod in short', async () => (await env.client.resource<Pod>(REFS.pods).list({ namespace: 'short' })).items.length === 1);
    expect(await env.kubectl('delete', 'namespace', 'short', '--timeout=60s')).toMatchObject({ code: 0 });
    expect(await gone(() => env.client.resource<Namespace>(REFS.namespaces).get('short'))).toBe(true);
  });
});
