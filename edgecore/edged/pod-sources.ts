/**
 * The desired pods, from the two places they come from: the cloud (through metamanager: the stored list at start,
 * then its notices) and static manifests. A notice can be older than the list read at start (it was queued before
 * the read), so an update only replaces a pod with a newer or equal resourceVersion of the same uid.
 */
import { parseResourceVersion } from '../../pkg/message';
import type { Pod } from './api';

/** `replaced`: the uid of an older pod of the same name, which must go (the cloud deleted and recreated it). */
export type PodChange = { kind: 'upsert'; pod: Pod; replaced?: string } | { kind: 'remove'; uid: string; pod: Pod | undefined };

export class PodSources {
  private readonly byUid = new Map<string, Pod>();
  private readonly uidByName = new Map<string, string>();

  /** Applies a pod the cloud sent; returns the change for the workers, or undefined when it changes nothing. */
  upsert(pod: Pod): PodChange | undefined {
    const uid = pod.metadata.uid;
    if (!uid) return undefined;
    const name = podName(pod);
    const current = this.byUid.get(uid);
    if (current !== undefined && isOlder(pod, current)) return undefined;
    const previousUid = this.uidByName.get(name);
    this.byUid.set(uid, pod);
    this.uidByName.set(name, uid);
    if (previousUid !== undefined && previousUid !== uid) {
      this.byUid.delete(previousUid);
      return { kind: 'upsert', pod, replaced: previousUid };
    }
    return { kind: 'upsert', pod };
  }

  /** The pod is gone: by its last state when the cloud sent one, else by name. */
  remove(namespace: string, name: string, last: Pod | undefined): PodChange | undefined {
    const uid = last?.metadata.uid ?? this.uidByName.get(`${namespace}/${name}`);
    if (uid === undefined) return undefined;
    const pod = this.byUid.get(uid);
    this.byUid.delete(uid);
    if (this.uidByName.get(`${namespace}/${name}`) === uid) this.uidByName.delete(`${namespace}/${name}`);
    return { kind: 'remove', uid, pod: pod ?? last };
  }

  get(uid: string): Pod | undefined {
    return this.byUid.get(uid);
  }

  byName(namespace: string, name: string): Pod | undefined {
    const uid = this.uidByName.get(`${namespace}/${name}`);
    return uid === undefined ? undefined : this.byUid.get(uid);
  }

  all(): Pod[] {
    return [...this.byUid.values()];
  }
}

function podName(pod: Pod): string {
  return `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name ?? ''}`;
}

function isOlder(pod: Pod, than: Pod): boolean {
  const next = parseResourceVersion(pod.metadata.resourceVersion);
  const known = parseResourceVersion(than.metadata.resourceVersion);
  return next !== undefined && known !== undefined && next < known;
}
