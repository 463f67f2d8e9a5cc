/**
 * The ServiceAccounts controller: every active namespace has a `default` ServiceAccount (pods default to it), made
 * again if deleted. Keyed by namespace name.
 */
import { isAlreadyExists, isNotFound, isTombstone, KubeApiError } from '../../../pkg/kube';
import { newQueue, REFS, runWorkers, type Controller, type ControllerContext } from '../context';
import type { Namespace, Obj } from '../util/types';

export const DEFAULT_SERVICE_ACCOUNT = 'default';

export function createServiceAccountController(ctx: ControllerContext): Controller {
  const namespaces = ctx.factory.forResource<Namespace>(REFS.namespaces);
  const accounts = ctx.factory.forResource<Obj>(REFS.serviceAccounts);
  const client = ctx.client.resource<Obj>(REFS.serviceAccounts);
  const queue = newQueue(ctx, 'serviceaccount');

  const enqueue = (ns: Namespace): void => void queue.add(ns.metadata?.name ?? '');
  namespaces.addHandler({ add: enqueue, update: (_old, ns) => enqueue(ns) });
  accounts.addHandler({
    delete: (obj) => {
      const sa = isTombstone(obj) ? obj.obj : obj;
      if (sa.metadata?.name === DEFAULT_SERVICE_ACCOUNT && sa.metadata.namespace) queue.add(sa.metadata.namespace);
    },
  });

  async function reconcile(name: string, signal: AbortSignal): Promise<void> {
    const ns = namespaces.store.get(name);
    if (!ns || ns.metadata?.deletionTimestamp || ns.status?.phase === 'Terminating') return;
    if (accounts.store.get(`${name}/${DEFAULT_SERVICE_ACCOUNT}`)) return;
    try {
      await client.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace: name } }, { signal });
    } catch (error) {
      // Made meanwhile, or the namespace went away or started terminating: nothing to do.
      if (isAlreadyExists(error) || isNotFound(error) || (error instanceof KubeApiError && error.code === 403)) return;
      throw error;
    }
  }

  return { name: 'serviceaccount', start: (signal) => runWorkers(ctx, 'serviceaccount', queue, reconcile, signal) };
}
