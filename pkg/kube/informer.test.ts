/** Informers against the real embedded API server: list, watch, resume after a restart, relist after 410, kubectl. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Registry } from 'prom-client';
import { sleep } from '../timing';
import { isTombstone } from './cache';
import { createClient, type Client } from './client';
import { runController } from './controller';
import { enqueueHandlers, InformerFactory } from './factory';
import type { EventHandlers, InformerSpec } from './informer';
import { loadKubeConfig } from './kubeconfig';
import { objectKey, RESOURCES, type KubeObject } from './resource';
import { TestControlPlane, testLogger } from './testing/control-plane';
import { WorkQueue } from './workqueue';

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

const log = testLogger();
const run = promisify(execFile);
const LABEL = 'test=informer';
const spec: InformerSpec = { ...RESOURCES.configMaps, namespace: 'default', labelSelector: LABEL };

const cm = (name: string, value: string, labelled = true): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default', ...(labelled ? { labels: { test: 'informer' } } : {}) },
  data: { value },
});

/** get + update (not patch), so these tests depend on the informer only. */
async function setValue(client: Client, name: string, value: string, labels?: Record<string, string>): Promise<void> {
  const configMaps = client.resource<ConfigMap>(RESOURCES.configMaps);
  const current = await configMaps.get(name, { namespace: 'default' });
  await configMaps.update({ ...current, data: { ...current.data, value }, metadata: { ...current.metadata, ...(labels ? { labels } : {}) } });
}

/** Events as short strings; resync calls (old === new) are left out. */
function recorder<T extends KubeObject & { data?: Record<string, string> }>() {
  const events: string[] = [];
  const handlers: EventHandlers<T> = {
    add: (obj) => void events.push(`add ${objectKey(obj)}`),
    update: (old, obj) => void (old !== obj && events.push(`update ${objectKey(obj)} ${obj.data?.['value'] ?? ''}`.trim())),
    delete: (obj) => void events.push(isTombstone(obj) ? `tombstone ${obj.key}` : `delete ${objectKey(obj)}`),
  };
  return { events, handlers };
}

async function until(check: () => boolean, what: string | (() => string), ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await sleep(10);
  }
}

async function counter(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const { values } = await registry.getSingleMetric(name)!.get();
  return values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))?.value ?? 0;
}

/** A control plane, a client on it, and a running informer factory; `close` stops all of it. */
async function setup(options: { eventRetention?: { maxEvents: number; compactIntervalMs: number } } = {}) {
  const plane = new TestControlPlane(log, options);
  const cp = await plane.start();
  const kubeconfigPath = cp.kubeconfigPath;
  const client = createClient(loadKubeConfig({ kubeconfigPath, qps: 1000, burst: 1000 }));
  const registry = new Registry();
  const factory = new InformerFactory({ client, log, registry, resyncMs: 0, backoff: { initialMs: 20, maxMs: 200 } });
  const stop = new AbortController();
  let running: Promise<void> | undefined;
  return {
    plane,
    port: cp.address.port,
    kubeconfigPath,
    client,
    registry,
    factory,
    signal: stop.signal,
    start: () => (running = factory.start(stop.signal)),
    async close() {
      stop.abort();
      await running;
      await plane.dispose();
    },
  };
}

/** Writes made while the informer cannot reach the server: on a second server over the same data, on another port. */
async function whileDisconnected(plane: TestControlPlane, write: (client: Client, cp: Awaited<ReturnType<TestControlPlane['start']>>) => Promise<void>) {
  await plane.stop();
  const side = await plane.start(0);
  await write(createClient(loadKubeConfig({ kubeconfigPath: side.kubeconfigPath, qps: 1000, burst: 1000 })), side);
  await plane.stop();
}

describe('SharedInformer against the embedded API server', () => {
  it('lists, then reports adds, updates and deletes in order; shares informers; replays the cache to late handlers', async () => {
    const t = await setup();
    try {
      const configMaps = t.client.resource<ConfigMap>(RESOURCES.configMaps);
      await configMaps.create(cm('a', '1'));
      await configMaps.create(cm('b', '1'));
      await configMaps.create(cm('unlabelled', '1', false));
      const informer = t.factory.forResource<ConfigMap>(spec);
      expect(t.factory.forResource(spec)).toBe(informer);
      expect(t.factory.forResource({ ...spec, labelSelector: 'other=x' })).not.toBe(informer);
      const rec = recorder<ConfigMap>();
      informer.addHandler(rec.handlers);
      let resyncs = 0;
      const resyncing = t.factory.forResource<ConfigMap>({ ...spec, labelSelector: `${LABEL},resync!=no` }, { resyncMs: 50 });
      resyncing.addHandler({ update: (old, obj) => void (old === obj && resyncs++) });
      void t.start();
      await t.factory.waitForSync(t.signal);
      expect(informer.hasSynced()).toBe(true);
      expect(rec.events).toEqual(['add default/a', 'add default/b']);
      expect(informer.store.get('default/a')).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', data: { value: '1' } });

      await configMaps.create(cm('c', '1'));
      await setValue(t.client, 'a', '2');
      await configMaps.delete('b', { namespace: 'default' });
      // Leaving the selector is a delete for this informer.
      await setValue(t.client, 'c', '1', { test: 'other' });
      await until(() => rec.events.length === 6, 'four events');
      expect(rec.events.slice(2)).toEqual(['add default/c', 'update default/a 2', 'delete default/b', 'delete default/c']);
      expect(informer.store.keys().sort()).toEqual(['default/a']);

      const late = recorder<ConfigMap>();
      informer.addHandler(late.handlers);
      expect(late.events).toEqual(['add default/a']);
      expect(resyncs).toBeGreaterThanOrEqual(2);
    } finally {
      await t.close();
    }
  });

  it('resumes its watch after the server restarts, getting every event made while it was away, without relisting', async () => {
    const t = await setup();
    try {
      const configMaps = t.client.resource<ConfigMap>(RESOURCES.configMaps);
      await configMaps.create(cm('a', '1'));
      await configMaps.create(cm('b', '1'));
      const informer = t.factory.forResource<ConfigMap>(spec);
      const rec = recorder<ConfigMap>();
      informer.addHandler(rec.handlers);
      void t.start();
      await informer.waitForSync(t.signal);
      const before = informer.resourceVersion;

      await whileDisconnected(t.plane, async (side) => {
        const sideMaps = side.resource<ConfigMap>(RESOURCES.configMaps);
        await sideMaps.create(cm('c', '1'));
        await setValue(side, 'a', '2');
        await sideMaps.delete('b', { namespace: 'default' });
        await setValue(side, 'a', '3');
      });
      await t.plane.start(t.port);
      await until(() => rec.events.length === 6, 'the missed events');
      expect(rec.events).toEqual(['add default/a', 'add default/b', 'add default/c', 'update default/a 2', 'delete default/b', 'update default/a 3']);
      expect(Number(informer.resourceVersion)).toBeGreaterThan(Number(before));

      // Live again: a new write arrives as an event too.
      await setValue(t.client, 'c', '9');
      await until(() => rec.events.length === 7, 'a live event');
      expect(rec.events[6]).toBe('update default/c 9');
      expect(await counter(t.registry, 'kube_informer_lists_total', { resource: 'configmaps' })).toBe(1);
      expect(await counter(t.registry, 'kube_informer_relists_total', { resource: 'configmaps', reason: 'gone' })).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('relists after 410 Gone and reports what changed meanwhile, with tombstones for vanished objects', async () => {
    const t = await setup({ eventRetention: { maxEvents: 1, compactIntervalMs: 0 } });
    try {
      const configMaps = t.client.resource<ConfigMap>(RESOURCES.configMaps);
      for (const name of ['a', 'b', 'c']) await configMaps.create(cm(name, '1'));
      const informer = t.factory.forResource<ConfigMap>(spec);
      const rec = recorder<ConfigMap>();
      informer.addHandler(rec.handlers);
      void t.start();
      await informer.waitForSync(t.signal);

      await whileDisconnected(t.plane, async (side, cp) => {
        const sideMaps = side.resource<ConfigMap>(RESOURCES.configMaps);
        await sideMaps.delete('a', { namespace: 'default' });
        await setValue(side, 'b', '2');
        await sideMaps.create(cm('d', '1'));
        for (let i = 0; i < 5; i++) await sideMaps.create(cm(`filler-${i}`, '1', false));
        await cp.store.compact();
      });
      await t.plane.start(t.port);
      await until(() => rec.events.includes('tombstone default/a'), () => `the tombstone (events: ${rec.events.join(', ')})`, 5_000);
      expect(rec.events.slice(3).sort()).toEqual(['add default/d', 'tombstone default/a', 'update default/b 2']);
      expect(informer.store.keys().sort()).toEqual(['default/b', 'default/c', 'default/d']);
      expect(await counter(t.registry, 'kube_informer_relists_total', { resource: 'configmaps', reason: 'gone' })).toBe(1);
      expect(await counter(t.registry, 'kube_informer_lists_total', { resource: 'configmaps' })).toBe(2);
    } finally {
      await t.close();
    }
  });

  it('sees what kubectl does, and indexes pods by node', async () => {
    const t = await setup();
    try {
      // Its discovery cache goes to the test's data dir, not to $HOME (or the working directory, without HOME).
      const kubectlArgs = (args: string[]) => ['--kubeconfig', t.kubeconfigPath, '--cache-dir', join(t.plane.dataDir, 'kubectl-cache'), ...args];
      const kubectl = (...args: string[]) => run('/usr/bin/kubectl', kubectlArgs(args), { env: { PATH: process.env['PATH'] ?? '' } });
      const kubectlWithStdin = (args: string[], stdin: string) =>
        new Promise<void>((resolve, reject) => {
          let stderr = '';
          const child = execFile('/usr/bin/kubectl', kubectlArgs(args), { env: { PATH: process.env['PATH'] ?? '' } });
          child.stderr?.on('data', (chunk: string) => (stderr += chunk));
          child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kubectl ${args.join(' ')} exited ${code}: ${stderr}`))));
          child.stdin?.end(stdin);
        });
      const pods = t.factory.forResource<KubeObject & { spec?: { nodeName?: string } }>(RESOURCES.pods, {
        indexers: { byNode: (pod) => (pod.spec?.nodeName ? [pod.spec.nodeName] : []) },
      });
      const configMaps = t.factory.forResource<ConfigMap>({ ...RESOURCES.configMaps, namespace: 'default' });
      const rec = recorder<ConfigMap>();
      configMaps.addHandler(rec.handlers);
      void t.start();
      await t.factory.waitForSync(t.signal);

      // kubectl create/label would send protobuf or a PATCH; apply (first time), replace and delete send JSON.
      const manifest = (value: string) => JSON.stringify({ ...cm('from-kubectl', value, false), metadata: { name: 'from-kubectl', namespace: 'default', labels: { touched: value } } });
      await kubectlWithStdin(['apply', '-f', '-'], manifest('1'));
      await until(() => rec.events.includes('add default/from-kubectl'), 'the kubectl configmap');
      await kubectlWithStdin(['replace', '-f', '-'], manifest('2'));
      await until(() => rec.events.includes('update default/from-kubectl 2'), () => `the replace (events: ${rec.events.join(', ')})`);
      expect(configMaps.store.get('default/from-kubectl')?.metadata?.labels).toEqual({ touched: '2' });
      await kubectl('delete', 'configmap', 'from-kubectl', '-n', 'default');
      await until(() => rec.events.includes('delete default/from-kubectl'), 'the delete');

      const pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'edge-pod', namespace: 'default' },
        spec: { nodeName: 'edge-7', containers: [{ name: 'c', image: 'busybox' }] },
      };
      await kubectlWithStdin(['apply', '-f', '-'], JSON.stringify(pod));
      await until(() => pods.store.byIndex('byNode', 'edge-7').length === 1, 'the pod in the node index');
      expect(pods.store.byIndex('byNode', 'edge-7')[0]?.metadata?.name).toBe('edge-pod');
      await kubectl('delete', 'pod', 'edge-pod', '-n', 'default', '--grace-period=0', '--force');
      await until(() => pods.store.byIndex('byNode', 'edge-7').length === 0, 'the pod to leave the index');
    } finally {
      await t.close();
    }
  });

  it('drives a level-triggered controller: events become keys, reconcile rereads the cache and converges', async () => {
    const t = await setup();
    try {
      const configMaps = t.client.resource<ConfigMap>(RESOURCES.configMaps);
      await configMaps.create(cm('x', '1'));
      const informer = t.factory.forResource<ConfigMap>(spec);
      const queue = new WorkQueue<string>({ name: 'stamp', registry: t.registry });
      informer.addHandler(enqueueHandlers(queue));
      let reconciles = 0;
      const controller = runController({
        name: 'stamp',
        queue,
        workers: 2,
        log,
        signal: t.signal,
        registry: t.registry,
        reconcile: async (key, signal) => {
          reconciles++;
          const current = informer.store.get(key);
          if (!current || current.data?.['stamped'] === current.data?.['value']) return;
          await configMaps.update({ ...current, data: { ...current.data, stamped: current.data?.['value'] ?? '' } }, { signal });
        },
      });
      void t.start();
      await t.factory.waitForSync(t.signal);
      await configMaps.create(cm('y', '7'));
      await setValue(t.client, 'x', '2');
      await until(() => informer.store.get('default/x')?.data?.['stamped'] === '2' && informer.store.get('default/y')?.data?.['stamped'] === '7', 'both stamped');
      await configMaps.delete('y', { namespace: 'default' });
      await until(() => !informer.store.get('default/y'), 'y gone');
      expect(reconciles).toBeGreaterThanOrEqual(4);
      await t.close();
      await controller;
    } finally {
      await t.close();
    }
  });
});
