/**
 * The Deployment controller: one ReplicaSet per pod template (named and labelled by the template hash), scaled by the
 * Deployment's strategy, with revisions, history cleanup and the status `kubectl rollout status` follows.
 */
import { isTombstone, NAMESPACE_INDEX, objectKey } from '../../../pkg/kube';
import { newQueue, REFS, runWorkers, type Controller, type ControllerContext } from '../context';
import { compileSelector, selectingOwners } from '../replicaset/replicaset';
import { claim, recheckOwner } from '../util/claim';
import { getCondition } from '../util/conditions';
import { CONTROLLER_UID_INDEX, controllerUidIndex } from '../util/indexes';
import { controllerOf, ownerKey } from '../util/meta';
import type { Deployment, Pod, ReplicaSet } from '../util/types';
import { rolloutRecreate, rolloutRolling } from './rollout';
import { condition, hasProgressDeadline, REASON } from './status';
import { Sync, type SyncDeps } from './sync';
import { desiredReplicasAnnotation, filterActive, replicasOf } from './util';

export function createDeploymentController(ctx: ControllerContext): Controller {
  const recorder = ctx.events.recorder('deployment-controller');
  const dClient = ctx.client.resource<Deployment>(REFS.deployments);
  const rsClient = ctx.client.resource<ReplicaSet>(REFS.replicaSets);
  const deployments = ctx.factory.forResource<Deployment>(REFS.deployments);
  const replicaSets = ctx.factory.forResource<ReplicaSet>(REFS.replicaSets, { indexers: { [CONTROLLER_UID_INDEX]: controllerUidIndex } });
  const pods = ctx.factory.forResource<Pod>(REFS.pods, { indexers: { [CONTROLLER_UID_INDEX]: controllerUidIndex } });
  const queue = newQueue(ctx, 'deployment');
  const deps: SyncDeps = { rsClient, deployments: dClient, recorder, now: ctx.now, revisionWritten: new Map(), log: ctx.log.child({ controller: 'deployment' }) };

  /** The Deployment controlling the ReplicaSet, if it is one we know. */
  const deploymentKeyOf = (rs: ReplicaSet): string | undefined => {
    const key = ownerKey(rs, 'Deployment', 'apps');
    const d = key ? deployments.store.get(key) : undefined;
    return d && d.metadata?.uid === controllerOf(rs)?.uid ? key : undefined;
  };
  const enqueueFor = (rs: ReplicaSet): void => {
    const key = deploymentKeyOf(rs);
    if (key) queue.add(key);
    else if (!controllerOf(rs)) for (const d of selectingOwners(deployments, rs)) queue.add(objectKey(d));
  };

  deployments.addHandler({
    add: (d) => queue.add(objectKey(d)),
    update: (_old, d) => queue.add(objectKey(d)),
    delete: (obj) => {
      const key = isTombstone(obj) ? obj.key : objectKey(obj);
      deps.revisionWritten.delete((isTombstone(obj) ? obj.obj : obj).metadata?.uid ?? '');
      queue.add(key);
    },
  });
  replicaSets.addHandler({
    add: enqueueFor,
    update: (old, rs) => {
      if (old.metadata?.resourceVersion === rs.metadata?.resourceVersion) return;
      if (controllerOf(old)?.uid !== controllerOf(rs)?.uid) enqueueFor(old);
      enqueueFor(rs);
    },
    delete: (obj) => enqueueFor(isTombstone(obj) ? obj.obj : obj),
  });
  // Recreate waits for the old pods to be gone.
  pods.addHandler({
    delete: (obj) => {
      const pod = isTombstone(obj) ? obj.obj : obj;
      const rsKey = ownerKey(pod, 'ReplicaSet', 'apps');
      const rs = rsKey ? replicaSets.store.get(rsKey) : undefined;
      const key = rs ? deploymentKeyOf(rs) : undefined;
      if (key && deployments.store.get(key)?.spec.strategy?.type === 'Recreate') queue.add(key);
    },
  });

  async function reconcile(key: string, signal: AbortSignal): Promise<{ requeueAfterMs?: number } | void> {
    const cached = deployments.store.get(key);
    if (!cached) return;
    const d = structuredClone(cached);
    const sel = d.spec.selector;
    if (Object.keys(sel?.matchLabels ?? {}).length === 0 && (sel?.matchExpressions ?? []).length === 0) {
      recorder.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) {
        await dClient.updateStatus({ ...d, status: { ...(d.status ?? {}), observedGeneration: d.metadata?.generation } }, { signal });
      }
      return;
    }
    const selector = compileSelector(sel);
    if (!selector) return;

    const rsList = await claim(replicaSets.store.byIndex(NAMESPACE_INDEX, d.metadata?.namespace ?? ''), {
      owner: d,
      ownerApiVersion: 'apps/v1',
      ownerKind: 'Deployment',
      matches: (rs) => selector.matches(rs.metadata?.labels ?? {}),
      client: rsClient,
      canAdopt: () => recheckOwner(dClient, d, signal),
      signal,
    });
    const sync = new Sync(deps, d, rsList, signal);

    if (d.metadata?.deletionTimestamp) {
      const { newRS, oldRSs } = await sync.newAndOld(false);
      await sync.syncRolloutStatus([...oldRSs, newRS], newRS);
      return;
    }
    await checkPausedConditions(sync, ctx.now());
    if (d.spec.paused || (await isScalingEvent(sync))) {
      const { newRS, oldRSs } = await sync.newAndOld(false);
      await sync.scale(newRS, oldRSs);
      const latest = (rs: ReplicaSet): ReplicaSet => sync.rsList.find((r) => r.metadata?.uid === rs.metadata?.uid) ?? rs;
      if (d.spec.paused) await sync.cleanup(oldRSs.map(latest));
      await sync.syncDeploymentStatus([...oldRSs.map(latest), newRS && latest(newRS)], newRS && latest(newRS));
      return;
    }
    const after =
      d.spec.strategy?.type === 'Recreate'
        ? await rolloutRecreate(sync, rsList.flatMap((rs) => pods.store.byIndex(CONTROLLER_UID_INDEX, rs.metadata?.uid ?? '')))
        : await rolloutRolling(sync);
    return after !== undefined ? { requeueAfterMs: after } : undefined;
  }

  return { name: 'deployment', start: (signal) => runWorkers(ctx, 'deployment', queue, reconcile, signal) };
}

/** A ReplicaSet's desired-replicas annotation differs from the Deployment's replicas: a scale, not a rollout. */
async function isScalingEvent(sync: Sync): Promise<boolean> {
  const { newRS, oldRSs } = await sync.newAndOld(false);
  return filterActive(newRS ? [...oldRSs, newRS] : oldRSs).some((rs) => {
    const desired = desiredReplicasAnnotation(rs);
    return desired !== undefined && desired !== replicasOf(sync.d);
  });
}

/** Progressing=Unknown DeploymentPaused / DeploymentResumed, so a long pause does not count against the deadline. */
async function checkPausedConditions(sync: Sync, now: number): Promise<void> {
  if (!hasProgressDeadline(sync.d)) return;
  const current = getCondition(sync.d.status?.conditions, 'Progressing');
  if (current?.reason === REASON.timedOut) return;
  const pausedShown = current?.reason === REASON.paused;
  let next;
  if (sync.d.spec.paused && !pausedShown) next = condition('Progressing', 'Unknown', REASON.paused, 'Deployment is paused', now);
  else if (!sync.d.spec.paused && pausedShown) next = condition('Progressing', 'Unknown', REASON.resumed, 'Deployment is resumed', now);
  if (!next) return;
  const conditions = [...(sync.d.status?.conditions ?? []).filter((c) => c.type !== 'Progressing'), next];
  await sync.writeStatus({ ...(sync.d.status ?? {}), conditions });
}
