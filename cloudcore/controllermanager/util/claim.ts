/**
 * ControllerRefManager.ClaimObject: a controller takes the objects its selector matches. It keeps what it already owns
 * and still matches, adopts matching orphans (after checking, with a live read, that it is not being deleted), and
 * releases what it owns but no longer matches. Objects another controller owns are never touched.
 */
import { isNotFound, type KubeObject, type ResourceClient } from '../../../pkg/kube';
import { controllerOf, controllerRef, isDeleting, patchOwnerReferences } from './meta';
import type { Obj } from './types';

export interface ClaimOptions<T extends Obj & KubeObject> {
  owner: Obj;
  ownerApiVersion: string;
  ownerKind: string;
  matches(obj: T): boolean;
  client: ResourceClient<T>;
  /** Resolves when the owner may adopt (it still exists with the same uid and is not being deleted); throws otherwise. */
  canAdopt(): Promise<void>;
  signal?: AbortSignal;
}

export async function claim<T extends Obj & KubeObject>(objects: readonly T[], options: ClaimOptions<T>): Promise<T[]> {
  const { owner } = options;
  const ownerUid = owner.metadata?.uid;
  const claimed: T[] = [];
  let adoptable: Promise<void> | undefined;
  for (const obj of objects) {
    const ref = controllerOf(obj);
    if (ref) {
      if (ref.uid !== ownerUid) continue;
      if (options.matches(obj)) {
        claimed.push(obj);
        continue;
      }
      // Ours, but no longer selected: let it go (unless we are being deleted, then the GC handles it).
      if (isDeleting(owner)) continue;
      const refs = (obj.metadata?.ownerReferences ?? []).filter((r) => r.uid !== ownerUid);
      await ignoreNotFound(patchOwnerReferences(options.client, obj, refs, options.signal));
      continue;
    }
    if (isDeleting(owner) || !options.matches(obj) || isDeleting(obj)) continue;
    if (owner.metadata?.namespace && owner.metadata.namespace !== obj.metadata?.namespace) continue;
    adoptable ??= options.canAdopt();
    await adoptable;
    const refs = [...(obj.metadata?.ownerReferences ?? []), controllerRef(owner, options.ownerApiVersion, options.ownerKind)];
    const adopted = await ignoreNotFound(patchOwnerReferences(options.client, obj, refs, options.signal));
    if (adopted) claimed.push(adopted);
  }
  return claimed;
}

async function ignoreNotFound<T>(promise: Promise<T>): Promise<T | undefined> {
  try {
    return await promise;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** RecheckDeletionTimestamp: a live read of the owner, refusing adoption if it changed identity or is being deleted. */
export async function recheckOwner<T extends KubeObject>(client: ResourceClient<T>, owner: Obj, signal?: AbortSignal): Promise<void> {
  const meta = owner.metadata ?? {};
  const fresh = await client.get(meta.name ?? '', { namespace: meta.namespace, ...(signal ? { signal } : {}) });
  if (fresh.metadata?.uid !== meta.uid) {
    throw new Error(`original ${meta.namespace}/${meta.name} is gone: got uid ${fresh.metadata?.uid}, wanted ${meta.uid}`);
  }
  if (fresh.metadata?.deletionTimestamp) {
    throw new Error(`${meta.namespace}/${meta.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
  }
}
