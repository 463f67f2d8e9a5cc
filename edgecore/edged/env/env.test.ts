import type { Container, Pod } from '../api';
import { PodConfigError } from '../pod-errors';
import { podReferences } from '../object-source';
import { MemoryObjects } from '../volumes/testing';
import { expand, resolveEnv, type EnvContext } from '.';

function pod(container: Container, extra: Partial<Pod['spec']> = {}): Pod {
  return {
    metadata: { name: 'web-1', namespace: 'ns1', uid: 'u-1', labels: { app: 'web' }, annotations: { 'a/b': 'x' } },
    spec: { nodeName: 'edge-1', serviceAccountName: 'sa', containers: [container], ...extra },
  };
}

let objects: MemoryObjects;
let ctx: EnvContext;
beforeEach(() => {
  objects = new MemoryObjects();
  ctx = { objects, nodeName: 'edge-1', hostIP: '192.168.1.5', podIP: '10.88.0.7', nodeAllocatable: { cpu: '4', memory: '8Gi' } };
});

async function env(container: Container, extra?: Partial<Pod['spec']>): Promise<Record<string, string>> {
  return Object.fromEntries((await resolveEnv(pod(container, extra), container, ctx)).map((e) => [e.name, e.value]));
}

async function configError(container: Container): Promise<PodConfigError> {
  const err = await resolveEnv(pod(container), container, ctx).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(PodConfigError);
  expect((err as PodConfigError).reason).toBe('CreateContainerConfigError');
  return err as PodConfigError;
}

describe('expand', () => {
  const vars: Record<string, string> = { A: 'a', B: 'b' };
  it.each([
    ['$(A)-$(B)', 'a-b'],
    ['$(MISSING)', '$(MISSING)'],
    ['$$(A)', '$(A)'],
    ['$$', '$'],
    ['cost $5', 'cost $5'],
    ['$(A', '$(A'],
    ['x$', 'x$'],
    ['$()', '$()'],
  ])('%s -> %s', (input, output) => expect(expand(input, (n) => vars[n])).toBe(output));
});

describe('resolveEnv', () => {
  it('takes envFrom first (with prefix), then env with $(VAR) expansion over what came before', async () => {
    objects.putConfigMap('ns1', 'cfg', { HOST: 'db', PORT: '5432' });
    objects.putSecret('ns1', 'sec', { PASSWORD: 'pw' });
    const result = await resolveEnv(
      pod({ name: 'c' }),
      {
        name: 'c',
        envFrom: [{ configMapRef: { name: 'cfg' } }, { prefix: 'S_', secretRef: { name: 'sec' } }],
        env: [
          { name: 'URL', value: 'postgres://$(HOST):$(PORT)/$(LATER)' },
          { name: 'LATER', value: 'x' },
          { name: 'PORT', value: '6543' },
        ],
      },
      ctx,
    );
    expect(result).toEqual([
      { name: 'HOST', value: 'db' },
      { name: 'PORT', value: '6543' },
      { name: 'S_PASSWORD', value: 'pw' },
      { name: 'URL', value: 'postgres://db:5432/$(LATER)' },
      { name: 'LATER', value: 'x' },
    ]);
  });

  it('reads configMapKeyRef and secretKeyRef, skipping optional ones that are missing', async () => {
    objects.putConfigMap('ns1', 'cfg', { mode: 'fast' });
    objects.putSecret('ns1', 'sec', { token: 'abc' });
    expect(
      await env({
        name: 'c',
        env: [
          { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'mode' } } },
          { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'sec', key: 'token' } } },
          { name: 'GONE', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k', optional: true } } },
          { name: 'NOKEY', valueFrom: { secretKeyRef: { name: 'sec', key: 'nokey', optional: true } } },
        ],
        envFrom: [{ configMapRef: { name: 'absent', optional: true } }],
      }),
    ).toEqual({ MODE: 'fast', TOKEN: 'abc' });
  });

  it('fails like kubelet for missing configmaps, secrets and keys', async () => {
    objects.putConfigMap('ns1', 'cfg', { a: '1' });
    objects.putSecret('ns1', 'sec', { a: '1' });
    expect((await configError({ name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'x', key: 'k' } } }] })).message).toBe('configmap "x" not found');
    expect((await configError({ name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'y', key: 'k' } } }] })).message).toBe('secret "y" not found');
    expect((await configError({ name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }] })).message).toBe("couldn't find key k in ConfigMap ns1/cfg");
    expect((await configError({ name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'sec', key: 'k' } } }] })).message).toBe("couldn't find key k in Secret ns1/sec");
    expect((await configError({ name: 'c', envFrom: [{ secretRef: { name: 'z' } }] })).message).toBe('secret "z" not found');
  });

  it('names the object when the store cannot be asked', async () => {
    objects.configMap = () => Promise.reject(new Error('metamanager timed out'));
    expect((await configError({ name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }] })).message).toBe(
      'failed to get configmap "cfg": metamanager timed out',
    );
  });

  it('resolves fieldRefs', async () => {
    const field = (fieldPath: string) => ({ valueFrom: { fieldRef: { fieldPath } } });
    expect(
      await env({
        name: 'c',
        env: [
          { name: 'NAME', ...field('metadata.name') },
          { name: 'NS', ...field('metadata.namespace') },
          { name: 'UID', ...field('metadata.uid') },
          { name: 'APP', ...field("metadata.labels['app']") },
          { name: 'ANN', ...field("metadata.annotations['a/b']") },
          { name: 'NODE', ...field('spec.nodeName') },
          { name: 'SA', ...field('spec.serviceAccountName') },
          { name: 'HOST_IP', ...field('status.hostIP') },
          { name: 'POD_IP', ...field('status.podIP') },
          { name: 'POD_IPS', ...field('status.podIPs') },
        ],
      }),
    ).toEqual({ NAME: 'web-1', NS: 'ns1', UID: 'u-1', APP: 'web', ANN: 'x', NODE: 'edge-1', SA: 'sa', HOST_IP: '192.168.1.5', POD_IP: '10.88.0.7', POD_IPS: '10.88.0.7' });
    expect((await configError({ name: 'c', env: [{ name: 'X', ...field('metadata.labels') }] })).message).toBe('unsupported fieldPath: metadata.labels');
    expect((await configError({ name: 'c', env: [{ name: 'X', ...field('spec.bogus') }] })).message).toBe('unsupported fieldPath: spec.bogus');
  });

  it('resolves resourceFieldRefs with divisors, defaulting limits to node allocatable', async () => {
    const res = (resource: string, divisor?: string, containerName?: string) => ({
      valueFrom: { resourceFieldRef: { resource, ...(divisor ? { divisor } : {}), ...(containerName ? { containerName } : {}) } },
    });
    const container: Container = {
      name: 'c',
      resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '250m', memory: '64Mi' } },
      env: [
        { name: 'CPU_LIMIT', ...res('limits.cpu') },
        { name: 'CPU_LIMIT_M', ...res('limits.cpu', '1m') },
        { name: 'MEM_LIMIT', ...res('limits.memory') },
        { name: 'MEM_LIMIT_MI', ...res('limits.memory', '1Mi') },
        { name: 'MEM_REQ_MI', ...res('requests.memory', '1Mi') },
        { name: 'OTHER_CPU', ...res('limits.cpu', undefined, 'side') },
      ],
    };
    const p = pod(container, { containers: [container, { name: 'side' }] });
    const result = Object.fromEntries((await resolveEnv(p, container, ctx)).map((e) => [e.name, e.value]));
    expect(result).toEqual({ CPU_LIMIT: '1', CPU_LIMIT_M: '500', MEM_LIMIT: String(128 * 1024 * 1024), MEM_LIMIT_MI: '128', MEM_REQ_MI: '64', OTHER_CPU: '4' });
    expect((await configError({ name: 'c', env: [{ name: 'X', ...res('limits.gpu') }] })).message).toBe('unsupported container resource : limits.gpu');
  });
});

describe('podReferences', () => {
  it('lists the configmaps and secrets of volumes, projected sources, env and envFrom', () => {
    const refs = podReferences({
      metadata: { name: 'p' },
      spec: {
        volumes: [{ name: 'a', configMap: { name: 'cm1' } }, { name: 'b', secret: { secretName: 's1' } }, { name: 'c', projected: { sources: [{ configMap: { name: 'cm2' } }, { secret: { name: 's2' } }] } }],
        initContainers: [{ name: 'i', envFrom: [{ configMapRef: { name: 'cm3' } }] }],
        containers: [{ name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 's3', key: 'k' } } }], envFrom: [{ secretRef: { name: 's4' } }] }],
      },
    });
    expect([...refs.configMaps].sort()).toEqual(['cm1', 'cm2', 'cm3']);
    expect([...refs.secrets].sort()).toEqual(['s1', 's2', 's3', 's4']);
  });
});
