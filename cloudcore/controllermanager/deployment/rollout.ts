/**
 * The two strategies. RollingUpdate scales the new ReplicaSet up within maxSurge and the old ones down within
 * maxUnavailable, unhealthy old replicas first (rolloutRolling); Recreate scales everything old to zero, waits for the
 * old pods to be gone, then scales the new one up (rolloutRecreate).
 */
import { isTerminal } from '../util/pods';
import type { Pod, ReplicaSet } from '../util/types';
import type { Sync } from './sync';
import { deploymentComplete } from './status';
import {
  actualReplicasSum,
  availableReplicasSum,
  byCreation,
  filterActive,
  maxUnavailable,
  newRSNewReplicas,
  replicasOf,
  rsReplicas,
  specReplicasSum,
} from './util';

/** Returns when to look again (the progress deadline), if ever. */
export async function rolloutRolling(sync: Sync): Promise<number | undefined> {
  let { newRS, oldRSs } = await sync.newAndOld(true);
  const all = (): (ReplicaSet | undefined)[] => [...oldRSs, newRS];

  if (newRS && rsReplicas(newRS) !== replicasOf(sync.d)) {
    const target = rsReplicas(newRS) > replicasOf(sync.d) ? replicasOf(sync.d) : newRSNewReplicas(sync.d, all(), newRS);
    const { scaled, rs } = await sync.scaleReplicaSet(newRS, target);
    newRS = rs;
    if (scaled) return sync.syncRolloutStatus(all(), newRS);
  }

  if (await reconcileOldReplicaSets(sync, oldRSs, newRS)) {
    oldRSs = oldRSs.map((rs) => latest(sync, rs));
    return sync.syncRolloutStatus(all(), newRS);
  }

  if (deploymentComplete(sync.d, sync.d.status ?? {})) await sync.cleanup(oldRSs);
  return sync.syncRolloutStatus(all(), newRS);
}

/** Scales old ReplicaSets down as far as maxUnavailable allows; true if anything was scaled. */
async function reconcileOldReplicaSets(sync: Sync, oldRSs: ReplicaSet[], newRS: ReplicaSet | undefined): Promise<boolean> {
  const oldCount = specReplicasSum(oldRSs);
  if (oldCount === 0) return false;
  const allCount = specReplicasSum([...oldRSs, newRS]);
  const minAvailable = replicasOf(sync.d) - maxUnavailable(sync.d);
  const newUnavailable = newRS ? rsReplicas(newRS) - (newRS.status?.availableReplicas ?? 0) : 0;
  const maxScaledDown = allCount - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;

  // Unhealthy old replicas first: they can go without lowering availability.
  let cleaned = 0;
  for (const rs of filterActive(oldRSs).sort(byCreation)) {
    if (cleaned >= maxScaledDown) break;
    const current = latest(sync, rs);
    // Status may still count replicas just scaled away (available > spec): nothing unhealthy to clean up then.
    const unhealthy = rsReplicas(current) - (current.status?.availableReplicas ?? 0);
    if (rsReplicas(current) === 0 || unhealthy <= 0) continue;
    const down = Math.min(maxScaledDown - cleaned, unhealthy);
    await sync.scaleReplicaSet(current, rsReplicas(current) - down);
    cleaned += down;
  }

  // Then healthy ones, while availability stays above the minimum.
  const old = oldRSs.map((rs) => latest(sync, rs));
  const available = availableReplicasSum([...old, newRS]);
  let scaledDown = 0;
  if (available > minAvailable) {
    const total = available - minAvailable;
    for (const rs of filterActive(old).sort(byCreation)) {
      if (scaledDown >= total) break;
      const down = Math.min(rsReplicas(rs), total - scaledDown);
      await sync.scaleReplicaSet(rs, rsReplicas(rs) - down);
      scaledDown += down;
    }
  }
  return cleaned + scaledDown > 0;
}

/** `pods` are the Deployment's pods (terminating ones included): Recreate waits until the old ones are gone. */
export async function rolloutRecreate(sync: Sync, pods: readonly Pod[]): Promise<number | undefined> {
  let { newRS, oldRSs } = await sync.newAndOld(false);
  let scaledDown = false;
  for (const rs of filterActive(oldRSs)) {
    const { scaled } = await sync.scaleReplicaSet(rs, 0);
    scaledDown ||= scaled;
  }
  oldRSs = oldRSs.map((rs) => latest(sync, rs));
  if (scaledDown || oldPodsRunning(newRS, oldRSs, pods)) return sync.syncRolloutStatus([...oldRSs, newRS], newRS);

  if (!newRS) ({ newRS, oldRSs } = await sync.newAndOld(true));
  if (newRS) newRS = (await sync.scaleReplicaSet(newRS, replicasOf(sync.d))).rs;
  if (deploymentComplete(sync.d, sync.d.status ?? {})) await sync.cleanup(oldRSs);
  return sync.syncRolloutStatus([...oldRSs, newRS], newRS);
}

function oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[], pods: readonly Pod[]): boolean {
  if (actualReplicasSum(oldRSs) > 0) return true;
  const oldUids = new Set(oldRSs.map((rs) => rs.metadata?.uid));
  return pods.some((pod) => {
    const owner = pod.metadata?.ownerReferences?.find((r) => r.controller)?.uid;
    return owner !== undefined && owner !== newRS?.metadata?.uid && oldUids.has(owner) && !isTerminal(pod);
  });
}

const latest = (sync: Sync, rs: ReplicaSet): ReplicaSet => sync.rsList.find((r) => r.metadata?.uid === rs.metadata?.uid) ?? rs;
