/** Integration-test helpers: the real embedded control plane in a temp dir, a client for it, and delivered messages. */
import { randomUUID } from 'node:crypto';
import { createClient, loadKubeConfig, type Client, type KubeObject } from '../../kube';
import { TestControlPlane, testLogger } from '../../kube/testing/control-plane';
import type { Logger } from '../../log';
import { jsonContent, newMessage, Operation, type Message } from '../../message';
import { ensureReliableSyncCRDs } from '../ensure-crds';

export interface SyncTestEnv {
  client: Client;
  log: Logger;
  kubeconfigPath: string;
  stop(): Promise<void>;
}

/** A control plane with the reliable-sync CRDs served. */
export async function startSyncTestEnv(): Promise<SyncTestEnv> {
  const log = testLogger();
  const plane = new TestControlPlane(log);
  const { kubeconfigPath } = await plane.start();
  const client = createClient(loadKubeConfig({ kubeconfigPath, qps: 1000, burst: 1000 }));
  await ensureReliableSyncCRDs(client);
  return { client, log, kubeconfigPath, stop: () => plane.dispose() };
}

/** What cloudhub hands the recorder after an ack: a downstream message carrying the object. */
export function deliveredMessage(node: string, object: KubeObject, operation = Operation.OPERATION_UPDATE, resourceVersion?: string): Message {
  const meta = object.metadata ?? {};
  const type = (object.kind ?? '').toLowerCase();
  return newMessage({
    source: 'edgecontroller',
    group: 'resource',
    operation,
    resource: `node/${node}/${meta.namespace ?? 'null'}/${type}/${meta.name ?? ''}`,
    resourceVersion: resourceVersion ?? meta.resourceVersion ?? '',
    ...jsonContent(object),
  });
}

/** A ConfigMap-shaped object as if read from the API server (the recorder does not need it to exist). */
export function fakeConfigMap(name: string, resourceVersion: string, uid = randomUUID(), namespace = 'default'): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, uid, resourceVersion } };
}

export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
