/**
 * The garbage collector, over every served type. Keyed by object uid:
 * - an object whose owners are all gone is deleted (propagating as its own finalizers ask); one with a live owner
 *   loses only its references to the gone ones;
 * - an owner being deleted in the foreground (finalizer foregroundDeletion) gets its dependents deleted, and its
 *   finalizer removed once no dependent with blockOwnerDeletion is left;
 * - an owner being deleted with the orphan finalizer has its references removed from its dependents, then the
 *   finalizer removed.
 * An owner is "gone" when it is neither in the cache nor, read live by its reference's kind and name, the same uid.
 */
import { isConflict, isNotFound, type EventHandlers } from '../../../pkg/kube';
import { newQueue, REFS, runWorkers, type Controller, type ControllerContext } from '../context';
import { FOREGROUND_FINALIZER, hasFinalizer, ORPHAN_FINALIZER, patchFinalizers, patchOwnerReferences } from '../util/meta';
import type { Obj, OwnerReference } from '../util/types';
import { Graph, objectOf, type Found } from './graph';

type OwnerState = 'solid' | 'waiting' | 'dangling' | 'unknown';

/** Dependents blocking a foreground deletion are watched through events; this is only a safety net. */
const FOREGROUND_RECHECK_MS = 30_000;
const UNKNOWN_OWNER_RECHECK_MS = 60_000;
const SYNC_TIMEOUT_MS = 60_000;

export function createGarbageCollector(ctx: ControllerContext): Controller {
  const log = ctx.log.child({ controller: 'garbagecollector' });
  const recorder = ctx.events.recorder('garbage-collector-controller');
  const queue = newQueue(ctx, 'garbagecollector');
  const enqueue = (obj: Obj): void => {
    if (obj.metadata?.uid) queue.add(obj.metadata.uid);
  };
  const handlers = (): EventHandlers<Obj> => ({
    add: (obj) => {
      if (mayNeedCollecting(obj)) enqueue(obj);
      if (obj.metadata?.deletionTimestamp) for (const dep of graph.dependents(obj.metadata.uid ?? '')) enqueue(dep.obj);
    },
    update: (old, obj) => {
      // Only what the collector looks at; a resync (old === new) re-checks everything.
      if (old !== obj && !collectorFieldsChanged(old, obj)) return;
      if (mayNeedCollecting(obj)) enqueue(obj);
      if (obj.metadata?.deletionTimestamp) for (const dep of graph.dependents(obj.metadata.uid ?? '')) enqueue(dep.obj);
    },
    delete: (tombstone) => {
      const obj = objectOf(tombstone);
      // Its dependents may now be orphans; an owner waiting in the foreground may now be unblocked.
      for (const dep of graph.dependents(obj.metadata?.uid ?? '')) enqueue(dep.obj);
      for (const ref of obj.metadata?.ownerReferences ?? []) queue.add(ref.uid);
    },
  });
  const graph = new Graph(ctx.client, ctx.factory, log, handlers);
  graph.follow(ctx.discovery);
  // A CRD added or removed changes what is served.
  const crdChanged = (): void => ctx.discovery.requestRefresh();
  ctx.factory.forResource(REFS.crds).addHandler({ add: crdChanged, update: (old, crd) => old !== crd && crdChanged(), delete: crdChanged });
  /** Objects whose owner's kind discovery did not know: checked again whenever discovery changes. */
  const waitingForDiscovery = new Set<string>();
  ctx.discovery.onChange(() => {
    for (const uid of waitingForDiscovery) queue.add(uid);
    waitingForDiscovery.clear();
  });

  async function ownerState(dependent: Found, ref: OwnerReference, signal: AbortSignal): Promise<OwnerState> {
    const namespace = dependent.obj.metadata?.namespace;
    const cached = graph.find(ref.uid);
    if (cached && (!cached.resource.namespaced || cached.obj.metadata?.namespace === namespace)) return stateOf(cached.obj);
    const resource = ctx.discovery.resourceFor(ref.apiVersion, ref.kind);
    if (!resource) {
      // Perhaps a CRD discovery has not caught up with: look again, and come back when it changes.
      waitingForDiscovery.add(dependent.obj.metadata?.uid ?? '');
      ctx.discovery.requestRefresh();
      return 'unknown';
    }
    if (resource.namespaced && !namespace) {
      // A cluster-scoped object cannot be owned by a namespaced one: the reference can never resolve.
      const gvk = `${ref.apiVersion}, Kind=${ref.kind}`;
      recorder.event(dependent.obj, 'Warning', 'OwnerRefInvalidNamespace', `ownerRef [${gvk}, namespace: , name: ${ref.name}, uid: ${ref.uid}] does not exist in namespace ""`);
      return 'dangling';
    }
    try {
      const live = await graph.resourceClient(resource).get(ref.name, { namespace: resource.namespaced ? namespace : undefined, signal });
      return live.metadata?.uid === ref.uid ? stateOf(live) : 'dangling';
    } catch (error) {
      if (isNotFound(error)) return 'dangling';
      throw error;
    }
  }

  async function deleteObject(found: Found, policy: 'Background' | 'Foreground' | 'Orphan', signal: AbortSignal): Promise<void> {
    const { name, namespace, uid } = found.obj.metadata ?? {};
    try {
      await graph.resourceClient(found.resource).delete(name ?? '', {
        namespace: found.resource.namespaced ? namespace : undefined,
        propagationPolicy: policy,
        preconditions: { uid },
        signal,
      });
      log.debug({ kind: found.resource.kind, namespace, name, policy }, 'deleted');
      ctx.metrics.collected(policy);
    } catch (error) {
      // Gone already, or replaced by a new object of the same name (the uid precondition failed).
      if (!isNotFound(error) && !isConflict(error)) throw error;
    }
  }

  async function removeFinalizer(found: Found, finalizer: string, signal: AbortSignal): Promise<void> {
    const rest = (found.obj.metadata?.finalizers ?? []).filter((f) => f !== finalizer);
    try {
      await patchFinalizers(graph.resourceClient(found.resource), found.obj, rest, signal);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  async function processDeleting(found: Found, uid: string, signal: AbortSignal): Promise<{ requeueAfterMs?: number } | void> {
    if (hasFinalizer(found.obj, ORPHAN_FINALIZER)) {
      for (const dep of graph.dependents(uid)) {
        const refs = (dep.obj.metadata?.ownerReferences ?? []).filter((r) => r.uid !== uid);
        await patchOwnerReferences(graph.resourceClient(dep.resource), dep.obj, refs, signal).catch((error: unknown) => {
          if (!isNotFound(error)) throw error;
        });
      }
      await removeFinalizer(found, ORPHAN_FINALIZER, signal);
      return;
    }
    if (!hasFinalizer(found.obj, FOREGROUND_FINALIZER)) return;
    const dependents = graph.dependents(uid);
    for (const dep of dependents) if (!dep.obj.metadata?.deletionTimestamp) enqueue(dep.obj);
    const blocking = dependents.filter((dep) => dep.obj.metadata?.ownerReferences?.some((r) => r.uid === uid && r.blockOwnerDeletion));
    if (blocking.length > 0) return { requeueAfterMs: FOREGROUND_RECHECK_MS };
    await removeFinalizer(found, FOREGROUND_FINALIZER, signal);
  }

  async function reconcile(uid: string, signal: AbortSignal): Promise<{ requeueAfterMs?: number } | void> {
    const found = graph.find(uid);
    if (!found) return;
    if (found.obj.metadata?.deletionTimestamp) return processDeleting(found, uid, signal);
    const refs = found.obj.metadata?.ownerReferences ?? [];
    if (refs.length === 0) return;

    const states = await Promise.all(refs.map((ref) => ownerState(found, ref, signal)));
    const solid = refs.filter((_, i) => states[i] === 'solid');
    if (solid.length > 0) {
      // Keep the object for its live owners; drop the references to gone owners and to owners deleting in the foreground.
      const keep = refs.filter((_, i) => states[i] === 'solid' || states[i] === 'unknown');
      if (keep.length === refs.length) return;
      await patchOwnerReferences(graph.resourceClient(found.resource), found.obj, keep, signal).catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
      });
      return;
    }
    if (states.includes('unknown')) return { requeueAfterMs: UNKNOWN_OWNER_RECHECK_MS };
    if (states.includes('waiting') && graph.dependents(uid).length > 0) return deleteObject(found, 'Foreground', signal);
    const policy = hasFinalizer(found.obj, ORPHAN_FINALIZER) ? 'Orphan' : hasFinalizer(found.obj, FOREGROUND_FINALIZER) ? 'Foreground' : 'Background';
    return deleteObject(found, policy, signal);
  }

  return {
    name: 'garbagecollector',
    async start(signal) {
      if (!(await graph.waitForSync(signal, SYNC_TIMEOUT_MS))) log.warn('not every resource synced in time; collecting anyway');
      return runWorkers(ctx, 'garbagecollector', queue, reconcile, signal);
    },
  };
}

/**
 * Whether reconcile could do anything with the object itself: it has owners, or it is being deleted. Most objects have
 * neither (a pod created directly, a ConfigMap), and queueing them only to find that out cost every write a queue
 * round. As Kubernetes' graph builder, which queues an object for deletion checks only through its owners or its own
 * deletion. (Its dependents are queued through the graph when it goes or is deleting, see the handlers.)
 */
function mayNeedCollecting(obj: Obj): boolean {
  return (obj.metadata?.ownerReferences?.length ?? 0) > 0 || Boolean(obj.metadata?.deletionTimestamp);
}

function collectorFieldsChanged(old: Obj, obj: Obj): boolean {
  const view = (o: Obj): string => JSON.stringify([o.metadata?.ownerReferences, o.metadata?.deletionTimestamp, o.metadata?.finalizers]);
  return view(old) !== view(obj);
}

function stateOf(owner: Obj): OwnerState {
  return owner.metadata?.deletionTimestamp && hasFinalizer(owner, FOREGROUND_FINALIZER) ? 'waiting' : 'solid';
}

