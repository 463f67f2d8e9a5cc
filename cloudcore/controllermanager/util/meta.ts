/** Owner references, finalizers and the compare-and-swap patches that change them. */
import { splitKey, type KubeObject, type ResourceClient } from '../../../pkg/kube';
import type { Obj, OwnerReference } from './types';

export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

/** The owner reference with controller=true, if any (metav1.GetControllerOf). */
export function controllerOf(obj: Obj): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((ref) => ref.controller === true);
}

/** What a controller puts on the objects it creates: controller=true, and the owner waits for it in foreground deletion. */
export function controllerRef(owner: Obj, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata?.name ?? '', uid: owner.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true };
}

export const isDeleting = (obj: Obj | undefined): boolean => Boolean(obj?.metadata?.deletionTimestamp);

export const hasFinalizer = (obj: Obj, finalizer: string): boolean => (obj.metadata?.finalizers ?? []).includes(finalizer);

/** The controller owner's key ("namespace/name") when its controller reference names `kind` in `group`. */
export function ownerKey(obj: Obj, kind: string, group: string): string | undefined {
  const ref = controllerOf(obj);
  if (!ref || ref.kind !== kind || groupOf(ref.apiVersion) !== group) return undefined;
  const namespace = obj.metadata?.namespace;
  return namespace ? `${namespace}/${ref.name}` : ref.name;
}

export const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');

export function namespaceAndName(key: string): { namespace: string; name: string } {
  const { namespace, name } = splitKey(key);
  return { namespace: namespace ?? '', name };
}

/**
 * Replaces metadata.ownerReferences with a JSON merge patch that carries the resourceVersion read, so a concurrent
 * change fails with 409 Conflict instead of being overwritten. Works for every type, custom resources included.
 */
export async function patchOwnerReferences<T extends KubeObject>(
  client: ResourceClient<T>,
  obj: Obj,
  refs: OwnerReference[],
  signal?: AbortSignal,
): Promise<T> {
  return patchMetadata(client, obj, { ownerReferences: refs.length > 0 ? refs : null }, signal);
}

/** Replaces metadata.finalizers the same way. */
export async function patchFinalizers<T extends KubeObject>(client: ResourceClient<T>, obj: Obj, finalizers: string[], signal?: AbortSignal): Promise<T> {
  return patchMetadata(client, obj, { finalizers: finalizers.length > 0 ? finalizers : null }, signal);
}

async function patchMetadata<T extends KubeObject>(client: ResourceClient<T>, obj: Obj, fields: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
  const meta = obj.metadata ?? {};
  const patch = { metadata: { ...fields, resourceVersion: meta.resourceVersion } };
  return client.patch(meta.name ?? '', patch, { type: 'merge', namespace: meta.namespace, ...(signal ? { signal } : {}) });
}
