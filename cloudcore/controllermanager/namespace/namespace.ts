/**
 * The namespace controller: a namespace marked for deletion is emptied of every namespaced object of every served type
 * (found by discovery each time, so custom resources count), its deletion conditions are kept up to date, and once
 * nothing is left its "kubernetes" finalizer is removed through namespaces/{name}/finalize, after which the server
 * deletes it. Objects with finalizers or pods waiting for their node are waited for.
 */
import { isConflict, isNotFound, resourcePath, type ResourceClient } from '../../../pkg/kube';
import { newQueue, REFS, runWorkers, type Controller, type ControllerContext } from '../context';
import type { DiscoveredResource } from '../discovery';
import { semanticEqual } from '../util/hash';
import type { Namespace, Obj } from '../util/types';
import { deletionConditions, type DeletionReport } from './conditions';

export const NAMESPACE_FINALIZER = 'kubernetes';
/**
 * How soon to look again while content remains. Kubernetes waits for the longest pod grace period (30 s by default);
 * looking every second only lets the namespace go sooner.
 */
const RECHECK_MS = 1000;

export function createNamespaceController(ctx: ControllerContext): Controller {
  const log = ctx.log.child({ controller: 'namespace' });
  const namespaces = ctx.factory.forResource<Namespace>(REFS.namespaces);
  const nsClient = ctx.client.resource<Namespace>(REFS.namespaces);
  const queue = newQueue(ctx, 'namespace');
  const enqueue = (ns: Namespace): void => {
    if (ns.metadata?.deletionTimestamp) queue.add(ns.metadata.name ?? '');
  };
  namespaces.addHandler({ add: enqueue, update: (_old, ns) => enqueue(ns) });

  const clientFor = (r: DiscoveredResource): ResourceClient<Obj> => ctx.client.resource<Obj>({ apiVersion: r.apiVersion, plural: r.plural, kind: r.kind });
  const groupResource = (r: DiscoveredResource): string => (r.group ? `${r.plural}.${r.group}` : r.plural);

  /** Deletes what is there (in the background: the garbage collector takes dependents), then counts what is left. */
  async function deleteContent(name: string, resources: readonly DiscoveredResource[], report: DeletionReport, signal: AbortSignal): Promise<void> {
    await Promise.all(
      resources.map(async (r) => {
        const client = clientFor(r);
        try {
          const before = await client.list({ namespace: name, signal });
          for (const item of before.items) {
            if (item.metadata?.deletionTimestamp) continue;
            await client.delete(item.metadata?.name ?? '', { namespace: name, propagationPolicy: 'Background', signal }).catch((error: unknown) => {
              if (!isNotFound(error)) throw error;
            });
          }
          const after = await client.list({ namespace: name, signal });
          if (after.items.length === 0) return;
          report.remaining.set(groupResource(r), after.items.length);
          for (const item of after.items) {
            for (const f of item.metadata?.finalizers ?? []) report.finalizers.set(f, (report.finalizers.get(f) ?? 0) + 1);
          }
        } catch (error) {
          if (signal.aborted) throw error;
          if (isNotFound(error)) return; // the type stopped being served meanwhile
          report.deleteErrors.push(error instanceof Error ? error.message : String(error));
        }
      }),
    );
  }

  async function reconcile(name: string, signal: AbortSignal): Promise<{ requeueAfterMs?: number } | void> {
    const ns = namespaces.store.get(name);
    if (!ns?.metadata?.deletionTimestamp) return;
    if (!(ns.spec?.finalizers ?? []).includes(NAMESPACE_FINALIZER)) return;

    const discovered = await ctx.discovery.refresh(signal);
    const report: DeletionReport = { discoveryFailures: discovered.failures, deleteErrors: [], remaining: new Map(), finalizers: new Map() };
    const resources = discovered.resources.filter((r) => r.namespaced && r.verbs.includes('list') && r.verbs.includes('delete'));
    await deleteContent(name, resources, report, signal);

    const conditions = deletionConditions(ns.status?.conditions, report, ctx.now());
    if (!semanticEqual(conditions, ns.status?.conditions)) {
      try {
        await nsClient.updateStatus({ ...ns, status: { ...(ns.status ?? {}), phase: 'Terminating', conditions } }, { signal });
      } catch (error) {
        if (isNotFound(error)) return;
        if (!isConflict(error)) throw error;
      }
    }
    if (report.deleteErrors.length > 0) throw new Error(`namespace ${name}: ${report.deleteErrors.join('; ')}`);
    if (report.remaining.size > 0 || report.discoveryFailures.length > 0) {
      log.debug({ namespace: name, remaining: Object.fromEntries(report.remaining) }, 'waiting for content to go');
      return { requeueAfterMs: RECHECK_MS };
    }
    const fresh = await nsClient.get(name, { signal }).catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
    if (!fresh || fresh.metadata?.uid !== ns.metadata.uid) return;
    const finalizers = (fresh.spec?.finalizers ?? []).filter((f) => f !== NAMESPACE_FINALIZER);
    await ctx.client.transport.request({
      method: 'PUT',
      path: resourcePath(REFS.namespaces, undefined, name, 'finalize'),
      body: { ...fresh, spec: { ...(fresh.spec ?? {}), finalizers } },
      signal,
    });
    log.info({ namespace: name }, 'namespace emptied and finalized');
    ctx.metrics.namespaceFinalized();
  }

  return { name: 'namespace', start: (signal) => runWorkers(ctx, 'namespace', queue, reconcile, signal) };
}
