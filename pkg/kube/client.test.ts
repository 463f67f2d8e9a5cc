/** The Client against the real embedded API server over HTTPS. */
import { createClient, type Client } from './client';
import { isAlreadyExists, isConflict, isNotFound, KubeApiError } from './errors';
import { loadKubeConfig } from './kubeconfig';
import { RESOURCES, type KubeObject } from './resource';
import { readFileSync, writeFileSync } from 'node:fs';
import { LinkProxy } from '../testing/link-proxy';
import { TestControlPlane, testLogger } from './testing/control-plane';

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}
interface Pod extends KubeObject {
  spec: { nodeName?: string; containers: { name: string; image: string }[] };
  status?: { phase?: string };
}
interface Node extends KubeObject {
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

const log = testLogger();

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}
const plane = new TestControlPlane(log);
let client: Client;
let kubeconfigPath: string;

beforeAll(async () => {
  kubeconfigPath = (await plane.start()).kubeconfigPath;
  client = createClient(loadKubeConfig({ kubeconfigPath, qps: 1000, burst: 1000 }));
});
afterAll(() => plane.dispose());

const cm = (name: string, data: Record<string, string> = { a: '1' }, labels?: Record<string, string>): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default', ...(labels ? { labels } : {}) },
  data,
});

describe('Client against the embedded API server', () => {
  it('creates, reads, lists, updates, patches and deletes a namespaced object', async () => {
    const configMaps = client.resource<ConfigMap>(RESOURCES.configMaps);
    const created = await configMaps.create(cm('crud', { a: '1' }, { app: 'crud' }));
    expect(created.metadata?.uid).toBeTruthy();
    await expect(configMaps.create(cm('crud'))).rejects.toMatchObject({ code: 409, reason: 'AlreadyExists' });

    const got = await configMaps.get('crud', { namespace: 'default' });
    expect(got.data).toEqual({ a: '1' });
    const listed = await configMaps.list({ namespace: 'default', labelSelector: 'app=crud' });
    expect(listed.items.map((i) => i.metadata?.name)).toEqual(['crud']);
    expect(listed.metadata.resourceVersion).toBeTruthy();

    const updated = await configMaps.update({ ...got, data: { a: '2' } });
    expect(updated.data).toEqual({ a: '2' });
    const stale = await failure(configMaps.update({ ...got, data: { a: 'stale' } }));
    expect(isConflict(stale)).toBe(true);
    expect(isAlreadyExists(stale)).toBe(false);
    expect(stale).toMatchObject({ code: 409, reason: 'Conflict' });

    const merged = await configMaps.patch('crud', { data: { b: 'x' } }, { type: 'merge', namespace: 'default' });
    expect(merged.data).toEqual({ a: '2', b: 'x' });
    const jsonPatched = await configMaps.patch('crud', [{ op: 'remove', path: '/data/a' }], { type: 'json', namespace: 'default' });
    expect(jsonPatched.data).toEqual({ b: 'x' });

    const wrongUid = configMaps.delete('crud', { namespace: 'default', preconditions: { uid: 'not-the-uid' } });
    expect(isConflict(await failure(wrongUid))).toBe(true);
    await configMaps.delete('crud', { namespace: 'default', preconditions: { uid: created.metadata!.uid as string } });
    const missing = await failure(configMaps.get('crud', { namespace: 'default' }));
    expect(missing).toBeInstanceOf(KubeApiError);
    expect(isNotFound(missing)).toBe(true);
  });

  it('handles cluster-scoped objects and the status subresource', async () => {
    const nodes = client.resource<Node>(RESOURCES.nodes);
    const node = await nodes.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'edge-client-test', labels: { edge: 'true' } } });
    expect(node.metadata?.namespace).toBeUndefined();
    const withStatus = await nodes.updateStatus({ ...node, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
    expect(withStatus.status?.conditions).toEqual([expect.objectContaining({ type: 'Ready', status: 'True' })]);
    // A status update keeps the rest of the object as it was.
    const labelsIgnored = await nodes.updateStatus({ ...withStatus, metadata: { ...withStatus.metadata, labels: { edge: 'changed' } } });
    expect(labelsIgnored.metadata?.labels).toEqual({ edge: 'true' });
    expect((await nodes.list({ labelSelector: 'edge=true' })).items.map((n) => n.metadata?.name)).toContain('edge-client-test');
    await nodes.delete('edge-client-test', { propagationPolicy: 'Background' });
    await expect(nodes.get('edge-client-test')).rejects.toMatchObject({ code: 404, reason: 'NotFound' });
  });

  it('strategic-merge-patches a pod by list merge key and deletes it at once with grace period 0', async () => {
    const pods = client.resource<Pod>(RESOURCES.pods);
    await pods.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'smp', namespace: 'default' },
      spec: { nodeName: 'edge-1', containers: [{ name: 'a', image: 'busybox:1' }, { name: 'b', image: 'busybox:1' }] },
    });
    const patched = await pods.patch('smp', { spec: { containers: [{ name: 'b', image: 'busybox:2' }] } }, { type: 'strategic', namespace: 'default' });
    expect(patched.spec.containers.map((c) => `${c.name}=${c.image}`)).toEqual(['a=busybox:1', 'b=busybox:2']);
    const status = await pods.patch('smp', { status: { phase: 'Running' } }, { type: 'merge', namespace: 'default', subresource: 'status' });
    expect(status.status?.phase).toBe('Running');
    await pods.delete('smp', { namespace: 'default', gracePeriodSeconds: 0 });
    await expect(pods.get('smp', { namespace: 'default' })).rejects.toMatchObject({ code: 404, reason: 'NotFound' });
  });

  it('pages through a list with limit and continue', async () => {
    const configMaps = client.resource<ConfigMap>(RESOURCES.configMaps);
    for (let i = 0; i < 5; i++) await configMaps.create(cm(`page-${i}`, { i: String(i) }, { set: 'paging' }));
    const names: string[] = [];
    let cont: string | undefined;
    let pages = 0;
    do {
      const page = await configMaps.list({ namespace: 'default', labelSelector: 'set=paging', limit: 2, continue: cont });
      names.push(...page.items.map((i) => i.metadata!.name!));
      cont = page.metadata.continue || undefined;
      pages++;
    } while (cont);
    expect(pages).toBe(3);
    expect(names.sort()).toEqual(['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
  });

  it('keeps one connection alive for sequential requests (no TCP and TLS handshake per request)', async () => {
    const port = Number(new URL(readKubeconfigServer(kubeconfigPath)).port);
    const proxy = await LinkProxy.start('127.0.0.1', port);
    try {
      const viaProxy = `${kubeconfigPath}.proxy`;
      writeFileSync(viaProxy, readFileSync(kubeconfigPath, 'utf8').replace(`127.0.0.1:${port}`, proxy.address));
      const counted = createClient(loadKubeConfig({ kubeconfigPath: viaProxy, qps: 1000, burst: 1000 }));
      for (let i = 0; i < 20; i++) await counted.resource(RESOURCES.namespaces).get('default');
      expect(proxy.connections).toBe(1);
    } finally {
      await proxy.close();
    }
  });

  it('rate-limits requests to the configured QPS after the burst', async () => {
    const slow = createClient(loadKubeConfig({ kubeconfigPath, qps: 10, burst: 1 }));
    const started = Date.now();
    for (let i = 0; i < 4; i++) await slow.resource(RESOURCES.namespaces).get('default');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('rejects with the abort reason, and with code 0 when nothing answers', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stopping'));
    await expect(client.resource(RESOURCES.namespaces).get('default', { signal: controller.signal })).rejects.toThrow('stopping');

    const other = new TestControlPlane(log);
    const cp = await other.start();
    const kc = loadKubeConfig({ kubeconfigPath: cp.kubeconfigPath, qps: 100, burst: 100 });
    await other.dispose();
    await expect(createClient(kc).resource(RESOURCES.namespaces).get('default')).rejects.toMatchObject({ code: 0, reason: 'Unreachable' });
  });
});

function readKubeconfigServer(path: string): string {
  const match = /server: *(\S+)/.exec(readFileSync(path, 'utf8'));
  if (!match) throw new Error(`no server in ${path}`);
  return match[1]!;
}
