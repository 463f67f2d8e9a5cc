/**
 * Cache indexes shared by several controllers. An index is identified by its name and function: controllers adding the
 * same index to a shared informer must pass these very functions.
 */
import { controllerOf } from './meta';
import type { Obj, Pod } from './types';

/** Pods by spec.nodeName (unbound pods are not indexed). */
export const POD_NODE_INDEX = 'spec.nodeName';
export const podNodeIndex = (pod: Pod): string[] => (pod.spec?.nodeName ? [pod.spec.nodeName] : []);

/** Objects by the uid of their controller owner. */
export const CONTROLLER_UID_INDEX = 'controller-uid';
export const controllerUidIndex = (obj: Obj): string[] => {
  const ref = controllerOf(obj);
  return ref ? [ref.uid] : [];
};

/** Objects by the uid of every owner they reference (the garbage collector's dependents lookup). */
export const OWNER_UID_INDEX = 'owner-uid';
export const ownerUidIndex = (obj: Obj): string[] => (obj.metadata?.ownerReferences ?? []).map((ref) => ref.uid);

/** Objects by their own uid. */
export const UID_INDEX = 'uid';
export const uidIndex = (obj: Obj): string[] => (obj.metadata?.uid ? [obj.metadata.uid] : []);
