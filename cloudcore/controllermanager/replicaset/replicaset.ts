/**
 * The ReplicaSet controller: keeps `spec.replicas` active pods matching the selector, owning them through a controller
 * reference (adopting matching orphans, releasing pods that stopped matching), and reports status. Expectations keep it
 * from acting on a cache that has not caught up with its own creations and deletions.
 */
import { labelSelectorFromStructured, type LabelSelector } from '../../../pkg/apiserver/selectors';
import { isTombstone, NAMESPACE_INDEX, objectKey, type KubeObject, type SharedInformer } from '../../../pkg/kube';
import { newQueue, REFS, runWorkers, type Controller, type ControllerContext } from '../context';
import { recheckOwner, claim } from '../util/claim';
import { Expectations } from '../util/expectations';
import { CONTROLLER_UID_INDEX, controllerUidIndex } from '../util/indexes';
import { controllerOf, ownerKey } from '../util/meta';
import { isPodActive, isPodReady } from '../util/pods';
import type { Pod, ReplicaSet } from '../util/types';
import { createPods, deletePods, podFromTemplate, podKey, type PodControl } from '../util/pod-control';
import { BURST_REPLICAS, podsToDelete } from './manage';
import { calculateStatus, updateStatus } from './status';

/** A selector that cannot be compiled selects nothing (the real controller logs it and waits for a fix). */
export function compileSelector(selector: ReplicaSet['spec']['selector'] | undefined): LabelSelector | undefined {
  try {
    return labelSelectorFromStructured(selector);
  } catch {
    return undefined;
  }
}

/** The ReplicaSets (or Deployments...) in the pod's namespace whose selector matches it: candidates to adopt an orphan. */
export function selectingOwners<T extends ReplicaSet>(informer: SharedInformer<T>, obj: KubeObject): T[] {
  const labels = obj.metadata?.labels ?? {};
  return informer.store
    .byIndex(NAMESPACE_INDEX, obj.metadata?.namespace ?? '')
    .filter((owner) => {
      const selector = compileSelector(owner.spec.selector);
      return selector !== undefined && !selector.empty && selector.matches(labels);
    });
}

export function createReplicaSetController(ctx: ControllerContext): Controller {
  const recorder = ctx.events.recorder('replicaset-controller');
  const rsClient = ctx.client.resource<ReplicaSet>(REFS.replicaSets);
  const podClient = ctx.client.resource<Pod>(REFS.pods);
  const replicaSets = ctx.factory.forResource<ReplicaSet>(REFS.replicaSets, { indexers: { [CONTROLLER_UID_INDEX]: controllerUidIndex } });
  const pods = ctx.factory.forResource<Pod>(REFS.pods, { indexers: { [CONTROLLER_UID_INDEX]: controllerUidIndex } });
  const queue = newQueue(ctx, 'replicaset');
  const expectations = new Expectations(ctx.now);
  const deps: PodControl = { pods: podClient, expectations, recorder };

  /** The key of the ReplicaSet that controls the pod, if it is one we know. */
  const rsKeyOf = (pod: Pod): string | undefined => {
    const key = ownerKey(pod, 'ReplicaSet', 'apps');
    const rs = key ? replicaSets.store.get(key) : undefined;
    return rs && rs.metadata?.uid === controllerOf(pod)?.uid ? key : undefined;
  };
  const enqueueOrphanOwners = (pod: Pod): void => {
    for (const rs of selectingOwners(replicaSets, pod)) queue.add(objectKey(rs));
  };
  const podDeleted = (pod: Pod): void => {
    const key = rsKeyOf(pod);
    if (!key) return;
    expectations.deletionObserved(key, objectKey(pod));
    queue.add(key);
  };

  replicaSets.addHandler({
    add: (rs) => queue.add(objectKey(rs)),
    update: (_old, rs) => queue.add(objectKey(rs)),
    delete: (obj) => {
      const key = isTombstone(obj) ? obj.key : objectKey(obj);
      expectations.forget(key);
      queue.add(key);
    },
  });
  pods.addHandler({
    add: (pod) => {
      if (pod.metadata?.deletionTimestamp) return podDeleted(pod);
      const key = rsKeyOf(pod);
      if (key) {
        expectations.creationObserved(key);
        queue.add(key);
      } else if (!controllerOf(pod)) {
        enqueueOrphanOwners(pod);
      }
    },
    update: (old, pod) => {
      if (old.metadata?.resourceVersion === pod.metadata?.resourceVersion) return;
      if (pod.metadata?.deletionTimestamp) {
        podDeleted(pod);
        return;
      }
      const oldKey = rsKeyOf(old);
      const key = rsKeyOf(pod);
      if (oldKey && oldKey !== key) queue.add(oldKey);
      if (key) {
        queue.add(key);
        const rs = replicaSets.store.get(key);
        const minReady = rs?.spec.minReadySeconds ?? 0;
        if (minReady > 0 && !isPodReady(old) && isPodReady(pod)) queue.addAfter(key, minReady * 1000 + 1000);
      } else if (!controllerOf(pod)) {
        enqueueOrphanOwners(pod);
      }
    },
    delete: (obj) => podDeleted(isTombstone(obj) ? obj.obj : obj),
  });

  /** Pods of the ReplicaSet's siblings (same controller owner): they rank which pods to delete first. */
  const relatedPods = (rs: ReplicaSet): Pod[] => {
    const owner = controllerOf(rs);
    if (!owner) return [];
    return replicaSets.store
      .byIndex(CONTROLLER_UID_INDEX, owner.uid)
      .filter((sibling) => sibling.metadata?.uid !== rs.metadata?.uid)
      .flatMap((sibling) => pods.store.byIndex(CONTROLLER_UID_INDEX, sibling.metadata?.uid ?? ''))
      .filter(isPodActive);
  };

  async function reconcile(key: string, signal: AbortSignal): Promise<{ requeueAfterMs?: number } | void> {
    const rs = replicaSets.store.get(key);
    if (!rs) {
      expectations.forget(key);
      return;
    }
    const selector = compileSelector(rs.spec.selector);
    if (!selector) {
      ctx.log.warn({ controller: 'replicaset', key }, 'invalid selector; waiting for the ReplicaSet to change');
      return;
    }
    const needsSync = expectations.satisfied(key);
    const active = pods.store.byIndex(NAMESPACE_INDEX, rs.metadata?.namespace ?? '').filter(isPodActive);
    const owned = await claim(active, {
      owner: rs,
      ownerApiVersion: 'apps/v1',
      ownerKind: 'ReplicaSet',
      matches: (pod) => selector.matches(pod.metadata?.labels ?? {}),
      client: podClient,
      canAdopt: () => recheckOwner(rsClient, rs, signal),
      signal,
    });

    let manageError: unknown;
    if (needsSync && !rs.metadata?.deletionTimestamp) {
      try {
        await manage(key, rs, owned, signal);
      } catch (error) {
        if (signal.aborted) throw error;
        manageError = error;
      }
    }
    const status = calculateStatus(rs, owned, manageError, ctx.now());
    const written = await updateStatus(rsClient, rs, status, signal);
    if (manageError !== undefined) throw manageError;
    const replicas = written.spec.replicas ?? 1;
    const minReady = written.spec.minReadySeconds ?? 0;
    if (minReady > 0 && status.readyReplicas === replicas && status.availableReplicas !== replicas) {
      return { requeueAfterMs: minReady * 1000 };
    }
  }

  async function manage(key: string, rs: ReplicaSet, owned: Pod[], signal: AbortSignal): Promise<void> {
    const diff = owned.length - (rs.spec.replicas ?? 1);
    if (diff < 0) {
      const count = Math.min(-diff, BURST_REPLICAS);
      expectations.expectCreations(key, count);
      const newPods = Array.from({ length: count }, () => podFromTemplate(rs.spec.template, rs, 'apps/v1', 'ReplicaSet'));
      await createPods(deps, key, rs, newPods, signal);
    } else if (diff > 0) {
      const victims = podsToDelete(owned, relatedPods(rs), Math.min(diff, BURST_REPLICAS));
      expectations.expectDeletions(key, victims.map(podKey));
      await deletePods(deps, key, rs, victims, signal);
    }
  }

  return { name: 'replicaset', start: (signal) => runWorkers(ctx, 'replicaset', queue, reconcile, signal) };
}
