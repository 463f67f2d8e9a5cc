/**
 * One Deployment sync: finding or creating the new ReplicaSet, scaling ReplicaSets (with ScalingReplicaSet events),
 * proportional scaling, history cleanup and the status write. Holds a private copy of the Deployment, which status
 * writes replace, as the real controller's `d` pointer.
 */
import type { Logger } from 'pino';
import { isAlreadyExists, isNotFound, KubeApiError, type ResourceClient } from '../../../pkg/kube';
import type { EventRecorder } from '../events/recorder';
import { getCondition, setCondition } from '../util/conditions';
import { computeHash } from '../util/hash';
import { controllerOf, controllerRef } from '../util/meta';
import type { Clock } from '../../../pkg/timing/kube-time';
import type { Deployment, ReplicaSet } from '../util/types';
import { calculateStatus, condition, hasProgressDeadline, REASON, rolloutStatus, sameStatus } from './status';
import {
  byCreation,
  equalIgnoreHash,
  filterActive,
  findActiveOrLatest,
  findNewReplicaSet,
  HASH_LABEL,
  isRollingUpdate,
  isSaturated,
  maxRevision,
  maxSurge,
  newRSNewReplicas,
  proportion,
  replicasAnnotationsNeedUpdate,
  replicasOf,
  revisionOf,
  REVISION,
  rsReplicas,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  specReplicasSum,
} from './util';

export interface SyncDeps {
  rsClient: ResourceClient<ReplicaSet>;
  deployments: ResourceClient<Deployment>;
  recorder: EventRecorder;
  now: Clock;
  /** Revision annotations already written through /status, by Deployment uid (see writeStatus). */
  revisionWritten: Map<string, string>;
  log: Logger;
}

export class Sync {
  constructor(
    private readonly deps: SyncDeps,
    /** A private copy; replaced by what each status write returns. */
    public d: Deployment,
    /** The ReplicaSets this Deployment owns (after adoption). */
    public rsList: ReplicaSet[],
    private readonly signal: AbortSignal,
  ) {}

  get name(): string {
    return this.d.metadata?.name ?? '';
  }

  /** The new ReplicaSet (created if asked and missing) and all the others, with revisions synced. */
  async newAndOld(create: boolean): Promise<{ newRS: ReplicaSet | undefined; oldRSs: ReplicaSet[] }> {
    const existing = findNewReplicaSet(this.d, this.rsList);
    const oldRSs = this.rsList.filter((rs) => rs.metadata?.uid !== existing?.metadata?.uid);
    const newRS = await this.newReplicaSet(existing, oldRSs, create);
    return { newRS, oldRSs };
  }

  private async newReplicaSet(existing: ReplicaSet | undefined, oldRSs: ReplicaSet[], create: boolean): Promise<ReplicaSet | undefined> {
    const newRevision = maxRevision(oldRSs) + 1;
    if (existing) {
      const copy = structuredClone(existing);
      const annotationsChanged = setNewReplicaSetAnnotations(this.d, copy, newRevision, true);
      const minReadyChanged = (copy.spec.minReadySeconds ?? 0) !== (this.d.spec.minReadySeconds ?? 0);
      if (annotationsChanged || minReadyChanged) {
        copy.spec.minReadySeconds = this.d.spec.minReadySeconds ?? 0;
        return this.replace(await this.deps.rsClient.update(copy, { signal: this.signal }));
      }
      let needsUpdate = this.setRevision(copy.metadata?.annotations?.[REVISION] ?? '');
      if (hasProgressDeadline(this.d) && !getCondition(this.d.status?.conditions, 'Progressing')) {
        const found = condition('Progressing', 'True', REASON.foundNewRS, `Found new replica set "${copy.metadata?.name}"`, this.deps.now());
        this.setStatusCondition(found);
        needsUpdate = true;
      }
      if (needsUpdate) await this.writeStatus(this.d.status ?? {});
      return copy;
    }
    if (!create) return undefined;

    const hash = computeHash(this.d.spec.template, this.d.status?.collisionCount);
    const template = structuredClone(this.d.spec.template);
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [HASH_LABEL]: hash } };
    const selector = structuredClone(this.d.spec.selector);
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [HASH_LABEL]: hash };
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${this.name}-${hash}`,
        namespace: this.d.metadata?.namespace,
        labels: template.metadata.labels,
        ownerReferences: [controllerRef(this.d, 'apps/v1', 'Deployment')],
      },
      spec: { replicas: 0, minReadySeconds: this.d.spec.minReadySeconds ?? 0, selector, template },
    };
    const replicas = newRSNewReplicas(this.d, [...oldRSs, rs], rs);
    rs.spec.replicas = replicas;
    setNewReplicaSetAnnotations(this.d, rs, newRevision, false);

    let created: ReplicaSet;
    let alreadyExisted = false;
    try {
      created = await this.deps.rsClient.create(rs, { signal: this.signal });
    } catch (error) {
      if (isAlreadyExists(error)) {
        const found = await this.deps.rsClient.get(rs.metadata!.name!, { namespace: rs.metadata!.namespace, signal: this.signal });
        if (controllerOf(found)?.uid === this.d.metadata?.uid && equalIgnoreHash(this.d.spec.template, found.spec.template)) {
          created = found;
          alreadyExisted = true;
        } else {
          // A hash collision with a ReplicaSet that is not ours: bump collisionCount and try another name next time.
          const status = { ...(this.d.status ?? {}), collisionCount: (this.d.status?.collisionCount ?? 0) + 1 };
          await this.writeStatus(status);
          throw error;
        }
      } else if (error instanceof KubeApiError && error.code === 403) {
        throw error; // namespace terminating: nothing will be created there
      } else {
        const message = `Failed to create new replica set "${rs.metadata!.name}": ${error instanceof Error ? error.message : String(error)}`;
        if (hasProgressDeadline(this.d)) {
          this.setStatusCondition(condition('Progressing', 'False', REASON.failedRSCreate, message, this.deps.now()));
          await this.writeStatus(this.d.status ?? {}).catch(() => undefined);
        }
        this.deps.recorder.event(this.d, 'Warning', REASON.failedRSCreate, message);
        throw error;
      }
    }
    this.rsList.push(created);
    if (!alreadyExisted && replicas > 0) {
      this.deps.recorder.event(this.d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata?.name} from 0 to ${replicas}`);
    }
    let needsUpdate = this.setRevision(String(newRevision));
    if (!alreadyExisted && hasProgressDeadline(this.d)) {
      this.setStatusCondition(condition('Progressing', 'True', REASON.newRSCreated, `Created new replica set "${created.metadata?.name}"`, this.deps.now()));
      needsUpdate = true;
    }
    if (needsUpdate) await this.writeStatus(this.d.status ?? {});
    return created;
  }

  /**
   * Scales one ReplicaSet, refreshing its replica annotations; a ScalingReplicaSet event when the size changed. A
   * ReplicaSet already at `newScale` is left alone unless `refresh` (proportional scaling refreshes its annotations).
   */
  async scaleReplicaSet(rs: ReplicaSet, newScale: number, operation?: 'up' | 'down', refresh = false): Promise<{ scaled: boolean; rs: ReplicaSet }> {
    const oldScale = rsReplicas(rs);
    const desired = replicasOf(this.d);
    const max = desired + maxSurge(this.d);
    const sizeChanged = oldScale !== newScale;
    if (!sizeChanged && (!refresh || !replicasAnnotationsNeedUpdate(rs, desired, max))) return { scaled: false, rs };
    const copy = structuredClone(rs);
    copy.spec.replicas = newScale;
    setReplicasAnnotations(copy, desired, max);
    const updated = this.replace(await this.deps.rsClient.update(copy, { signal: this.signal }));
    this.deps.log.debug({ deployment: this.name, replicaSet: rs.metadata?.name, from: oldScale, to: newScale }, 'scaled');
    if (sizeChanged) {
      const op = operation ?? (newScale > oldScale ? 'up' : 'down');
      this.deps.recorder.event(this.d, 'Normal', 'ScalingReplicaSet', `Scaled ${op} replica set ${rs.metadata?.name} from ${oldScale} to ${newScale}`);
    }
    return { scaled: sizeChanged, rs: updated };
  }

  /** A scaling event (or a paused Deployment): resize the active ReplicaSets in proportion (dc.scale). */
  async scale(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
    const desired = replicasOf(this.d);
    const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
    if (activeOrLatest) {
      if (rsReplicas(activeOrLatest) !== desired) await this.scaleReplicaSet(activeOrLatest, desired);
      return;
    }
    if (isSaturated(this.d, newRS)) {
      for (const old of filterActive(oldRSs)) await this.scaleReplicaSet(old, 0);
      return;
    }
    if (!isRollingUpdate(this.d)) return;
    const all = filterActive(newRS ? [...oldRSs, newRS] : oldRSs);
    const allowed = desired > 0 ? desired + maxSurge(this.d) : 0;
    const toAdd = allowed - specReplicasSum(all);
    let operation: 'up' | 'down' | undefined;
    if (toAdd > 0) {
      // Largest first, newer first on ties (ReplicaSetsBySizeNewer); scaling down: largest first, older first.
      all.sort((a, b) => rsReplicas(b) - rsReplicas(a) || byCreation(b, a));
      operation = 'up';
    } else if (toAdd < 0) {
      all.sort((a, b) => rsReplicas(b) - rsReplicas(a) || byCreation(a, b));
      operation = 'down';
    }
    let added = 0;
    const sizes = all.map((rs) => {
      if (toAdd === 0) return rsReplicas(rs);
      const p = proportion(rs, this.d, toAdd, added);
      added += p;
      return rsReplicas(rs) + p;
    });
    for (let i = 0; i < all.length; i++) {
      // Leftovers go to the largest ReplicaSet.
      if (i === 0 && toAdd !== 0) sizes[0] = Math.max(0, sizes[0]! + toAdd - added);
      await this.scaleReplicaSet(all[i]!, sizes[i]!, operation, true);
    }
  }

  /** Keeps at most revisionHistoryLimit old ReplicaSets, deleting the oldest empty ones (cleanupDeployment). */
  async cleanup(oldRSs: readonly ReplicaSet[]): Promise<void> {
    const limit = this.d.spec.revisionHistoryLimit ?? 10;
    const cleanable = oldRSs.filter((rs) => !rs.metadata?.deletionTimestamp);
    const diff = cleanable.length - limit;
    if (diff <= 0) return;
    cleanable.sort((a, b) => (revisionOf(a) ?? 0) - (revisionOf(b) ?? 0) || byCreation(a, b));
    for (const rs of cleanable.slice(0, diff)) {
      const busy = (rs.status?.replicas ?? 0) !== 0 || rsReplicas(rs) !== 0 || (rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0);
      if (busy) continue;
      try {
        await this.deps.rsClient.delete(rs.metadata?.name ?? '', { namespace: rs.metadata?.namespace, signal: this.signal });
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
  }

  /** Writes the plain status (no Progressing update) if it changed: after scaling or while paused. */
  async syncDeploymentStatus(allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): Promise<void> {
    const status = calculateStatus(allRSs, newRS, this.d, this.deps.now());
    if (!sameStatus(this.d.status, status)) await this.writeStatus(status);
  }

  /** Writes the rollout status if it changed; returns when to look again for the progress deadline. */
  async syncRolloutStatus(allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): Promise<number | undefined> {
    const { status, changed, requeueAfterMs } = rolloutStatus(allRSs, newRS, this.d, this.deps.now());
    if (changed) await this.writeStatus(status);
    return requeueAfterMs;
  }

  /** Status (and the Deployment's revision annotation) through /status, as the real controller writes them. */
  async writeStatus(status: NonNullable<Deployment['status']>): Promise<void> {
    const written = await this.deps.deployments.updateStatus({ ...this.d, status }, { signal: this.signal });
    const uid = this.d.metadata?.uid ?? '';
    const revision = this.d.metadata?.annotations?.[REVISION];
    if (revision !== undefined) this.deps.revisionWritten.set(uid, revision);
    this.d = { ...written, metadata: { ...written.metadata, annotations: { ...(written.metadata?.annotations ?? {}), ...this.pendingRevision() } } };
  }

  /** SetDeploymentRevision: true when the annotation must be written (and was not already sent for this uid). */
  private setRevision(revision: string): boolean {
    const annotations = (this.d.metadata!.annotations ??= {});
    if (annotations[REVISION] === revision) return false;
    annotations[REVISION] = revision;
    // A server that keeps only status from a /status write drops it: do not write again and again for it.
    return this.deps.revisionWritten.get(this.d.metadata?.uid ?? '') !== revision;
  }

  private pendingRevision(): Record<string, string> {
    const revision = this.d.metadata?.annotations?.[REVISION];
    return revision !== undefined ? { [REVISION]: revision } : {};
  }

  private setStatusCondition(c: Parameters<typeof setCondition>[1]): void {
    this.d.status = { ...(this.d.status ?? {}), conditions: setCondition(this.d.status?.conditions, c) };
  }

  /** Puts a written ReplicaSet in place of its cached version in rsList. */
  private replace(rs: ReplicaSet): ReplicaSet {
    const i = this.rsList.findIndex((r) => r.metadata?.uid === rs.metadata?.uid);
    if (i >= 0) this.rsList[i] = rs;
    return rs;
  }
}
