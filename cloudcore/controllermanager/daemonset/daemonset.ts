/**
 * The DaemonSet controller: one pod per eligible node (node name, affinity, taints), created pinned to its node by a
 * required `metadata.name` node affinity and placed by the scheduler, as Kubernetes does (so a node that cannot take
 * it shows why in the pod's FailedScheduling event). RollingUpdate replaces pods within maxUnavailable; OnDelete
 * only replaces pods someone deleted.
 */
import { isTombstone, KubeApiError, NAMESPACE_INDEX, objectKey } from '../../../pkg/kube';
import { newQueue, REFS, runWorkers, type Controller, type ControllerContext } from '../context';
import { compileSelector, selectingOwners } from '../replicaset/replicaset';
import { claim, recheckOwner } from '../util/claim';
import { Expectations } from '../util/expectations';
import { computeHash, semanticEqual } from '../util/hash';
import { controllerOf, ownerKey } from '../util/meta';
import { createPods, deletePods, podFromTemplate, podKey, type PodControl } from '../util/pod-control';
import { isPodReady, isTerminal } from '../util/pods';
import type { DaemonSet, DaemonSetStatus, Node, Pod } from '../util/types';
import { daemonTemplate, pinToNode, targetNode } from './placement';
import { calculateStatus, manage, rollingUpdate } from './update';

/** At most this many pods created or deleted per sync (the real controller's burstReplicas). */
const BURST_REPLICAS = 250;

export function createDaemonSetController(ctx: ControllerContext): Controller {
  const recorder = ctx.events.recorder('daemonset-controller');
  const dsClient = ctx.client.resource<DaemonSet>(REFS.daemonSets);
  const podClient = ctx.client.resource<Pod>(REFS.pods);
  const daemonSets = ctx.factory.forResource<DaemonSet>(REFS.daemonSets);
  const pods = ctx.factory.forResource<Pod>(REFS.pods);
  const nodes = ctx.factory.forResource<Node>(REFS.nodes);
  const queue = newQueue(ctx, 'daemonset');
  const expectations = new Expectations(ctx.now);
  const control: PodControl = { pods: podClient, expectations, recorder };

  const dsKeyOf = (pod: Pod): string | undefined => {
    const key = ownerKey(pod, 'DaemonSet', 'apps');
    const ds = key ? daemonSets.store.get(key) : undefined;
    return ds && ds.metadata?.uid === controllerOf(pod)?.uid ? key : undefined;
  };
  const enqueueAll = (): void => {
    for (const ds of daemonSets.store.list()) queue.add(objectKey(ds));
  };

  daemonSets.addHandler({
    add: (ds) => queue.add(objectKey(ds)),
    update: (_old, ds) => queue.add(objectKey(ds)),
    delete: (obj) => {
      const key = isTombstone(obj) ? obj.key : objectKey(obj);
      expectations.forget(key);
      queue.add(key);
    },
  });
  pods.addHandler({
    add: (pod) => {
      const key = dsKeyOf(pod);
      if (key) {
        if (pod.metadata?.deletionTimestamp) expectations.deletionObserved(key, podKey(pod));
        else expectations.creationObserved(key);
        queue.add(key);
      } else if (!controllerOf(pod)) {
        for (const ds of selectingOwners(daemonSets, pod)) queue.add(objectKey(ds));
      }
    },
    update: (old, pod) => {
      if (old.metadata?.resourceVersion === pod.metadata?.resourceVersion) return;
      const key = dsKeyOf(pod);
      const oldKey = dsKeyOf(old);
      if (oldKey && oldKey !== key) queue.add(oldKey);
      if (key) {
        if (pod.metadata?.deletionTimestamp) expectations.deletionObserved(key, podKey(pod));
        queue.add(key);
        const minReady = daemonSets.store.get(key)?.spec.minReadySeconds ?? 0;
        if (minReady > 0 && !isPodReady(old) && isPodReady(pod)) queue.addAfter(key, minReady * 1000 + 1000);
      } else if (!controllerOf(pod)) {
        for (const ds of selectingOwners(daemonSets, pod)) queue.add(objectKey(ds));
      }
    },
    delete: (obj) => {
      const pod = isTombstone(obj) ? obj.obj : obj;
      const key = dsKeyOf(pod);
      if (!key) return;
      expectations.deletionObserved(key, podKey(pod));
      queue.add(key);
    },
  });
  // Labels, taints and conditions decide where daemon pods belong.
  nodes.addHandler({
    add: enqueueAll,
    update: (old, node) => {
      const view = (n: Node): unknown => ({ labels: n.metadata?.labels, spec: n.spec, ready: n.status?.conditions?.map((c) => [c.type, c.status]) });
      if (old !== node && !semanticEqual(view(old), view(node))) enqueueAll();
    },
    delete: enqueueAll,
  });

  async function reconcile(key: string, signal: AbortSignal): Promise<{ requeueAfterMs?: number } | void> {
    const ds = daemonSets.store.get(key);
    if (!ds) {
      expectations.forget(key);
      return;
    }
    const sel = ds.spec.selector;
    if (Object.keys(sel?.matchLabels ?? {}).length === 0 && (sel?.matchExpressions ?? []).length === 0) {
      recorder.event(ds, 'Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.');
      return;
    }
    const selector = compileSelector(sel);
    if (!selector || ds.metadata?.deletionTimestamp) return;

    const hash = computeHash(ds.spec.template, ds.status?.collisionCount);
    const nodeList = nodes.store.list();
    const owned = await claim(pods.store.byIndex(NAMESPACE_INDEX, ds.metadata?.namespace ?? ''), {
      owner: ds,
      ownerApiVersion: 'apps/v1',
      ownerKind: 'DaemonSet',
      matches: (pod) => selector.matches(pod.metadata?.labels ?? {}),
      client: podClient,
      canAdopt: () => recheckOwner(dsClient, ds, signal),
      signal,
    });
    const byNode = new Map<string, Pod[]>();
    for (const pod of owned) {
      const node = targetNode(pod);
      if (!node || (isTerminal(pod) && pod.metadata?.deletionTimestamp)) continue;
      byNode.set(node, [...(byNode.get(node) ?? []), pod]);
    }

    // The status counts what the cache shows now; what this sync changes shows up in the next one.
    const counts = calculateStatus(ds, nodeList, byNode, hash, ctx.now());
    if (!expectations.satisfied(key)) {
      await updateStatus(ds, counts, false, signal);
      return;
    }
    const { nodesNeedingPods, podsToDelete, failed } = manage(ds, nodeList, byNode);
    for (const pod of failed) {
      recorder.event(ds, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${podKey(pod)} on node ${pod.spec.nodeName}, will try to kill it`);
    }
    const rolling = (ds.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
    const old = rolling ? rollingUpdate(ds, nodeList, byNode, hash, ctx.now()) : [];
    const victims = [...podsToDelete, ...old.filter((p) => !podsToDelete.includes(p))].slice(0, BURST_REPLICAS);
    const creating = nodesNeedingPods.slice(0, BURST_REPLICAS);
    expectations.expect(key, creating.length, victims.map(podKey));
    const template = daemonTemplate(ds, hash);
    const newPods = creating.map((node) => pinToNode(podFromTemplate(template, ds, 'apps/v1', 'DaemonSet'), node));
    const results = await Promise.allSettled([createPods(control, key, ds, newPods, signal), deletePods(control, key, ds, victims, signal)]);
    await updateStatus(ds, counts, true, signal);
    const failure = results.find((r) => r.status === 'rejected');
    if (failure && !(failure.reason instanceof KubeApiError && failure.reason.code === 403)) throw failure.reason;
    const minReady = ds.spec.minReadySeconds ?? 0;
    if (minReady > 0 && counts.numberReady !== counts.numberAvailable) return { requeueAfterMs: minReady * 1000 };
  }

  async function updateStatus(ds: DaemonSet, counts: DaemonSetStatus, observed: boolean, signal: AbortSignal): Promise<void> {
    const status: DaemonSetStatus = {
      ...(ds.status ?? {}),
      ...counts,
      observedGeneration: observed ? (ds.metadata?.generation ?? 0) : (ds.status?.observedGeneration ?? 0),
    };
    const view = (s: Partial<DaemonSetStatus> | undefined): unknown =>
      Object.fromEntries(Object.keys(status).map((k) => [k, (s as Record<string, unknown> | undefined)?.[k] ?? 0]));
    if (semanticEqual(view(ds.status), view(status))) return;
    await dsClient.updateStatus({ ...ds, status }, { signal });
  }

  return { name: 'daemonset', start: (signal) => runWorkers(ctx, 'daemonset', queue, reconcile, signal) };
}
