/**
 * Garbage collection of dead containers and sandboxes (kubelet's containerGC with MaxPerPodContainer = 1): for a
 * known pod, keep the newest exited instance of each container (its status and logs are the lastState) and the
 * newest sandbox; for a pod no source knows any more, remove everything once all sources have been read.
 */
import { ContainerState, PodSandboxState } from '../../../gen/runtime/v1/api';
import * as labels from '../cri/labels';
import { cleanupPod } from './sync';
import type { SyncContext } from './sync-context';

export interface GcResult {
  removedContainers: number;
  removedSandboxes: number;
  /** Pods removed because no source knows them. */
  removedPods: string[];
}

export async function collectGarbage(ctx: SyncContext, isKnown: (uid: string) => boolean, sourcesReady: boolean): Promise<GcResult> {
  const { cri } = ctx.deps;
  const selector = { labelSelector: { [labels.MANAGED_BY]: 'true' } };
  const [sandboxes, containers] = await Promise.all([cri.listPodSandbox(selector), cri.listContainers(selector)]);
  const result: GcResult = { removedContainers: 0, removedSandboxes: 0, removedPods: [] };
  const uids = new Set([...sandboxes, ...containers].map((x) => x.labels[labels.POD_UID] ?? '').filter((u) => u !== ''));
  for (const uid of uids) {
    if (isKnown(uid)) continue;
    if (!sourcesReady) continue;
    await cleanupPod(ctx, uid);
    result.removedPods.push(uid);
  }

  const kept = new Set<string>(); // sandbox ids still holding containers
  const groups = new Map<string, typeof containers>();
  for (const c of containers) {
    const uid = c.labels[labels.POD_UID] ?? '';
    if (!isKnown(uid)) continue;
    const key = `${uid}/${c.labels[labels.CONTAINER_NAME] ?? c.metadata?.name ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  for (const group of groups.values()) {
    group.sort((a, b) => (b.metadata?.attempt ?? 0) - (a.metadata?.attempt ?? 0) || Number(b.createdAt - a.createdAt));
    let deadKept = 0;
    for (const c of group) {
      if (c.state !== ContainerState.CONTAINER_EXITED) {
        kept.add(c.podSandboxId);
        continue;
      }
      // Running instances always stay, and the newest dead one (the status' lastState and `kubectl logs -p`).
      if (deadKept < 1) {
        deadKept++;
        kept.add(c.podSandboxId);
        continue;
      }
      await cri.removeContainer(c.id);
      result.removedContainers++;
    }
  }

  const newest = new Map<string, { id: string; attempt: number }>();
  for (const s of sandboxes) {
    const uid = s.labels[labels.POD_UID] ?? '';
    const attempt = s.metadata?.attempt ?? 0;
    const n = newest.get(uid);
    if (n === undefined || attempt > n.attempt) newest.set(uid, { id: s.id, attempt });
  }
  for (const s of sandboxes) {
    const uid = s.labels[labels.POD_UID] ?? '';
    if (!isKnown(uid) || newest.get(uid)?.id === s.id) continue;
    if (s.state === PodSandboxState.SANDBOX_READY || kept.has(s.id)) continue;
    await cri.removePodSandbox(s.id);
    result.removedSandboxes++;
  }
  return result;
}
