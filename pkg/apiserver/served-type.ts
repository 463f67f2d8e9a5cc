/**
 * A resource the API server serves: built-in (pkg/apiserver/builtin) or defined by a CustomResourceDefinition. The REST
 * handlers are generic; everything type-specific is here, as data and pure functions.
 */
import type { KubeObject } from './storage';

export interface FieldCause {
  type: string;
  field: string;
  message: string;
}

export interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export interface ScaleSpec {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
  /** Scale.status.selector, the label selector in its string form. */
  selector?(object: KubeObject): string;
}

export interface ServedType {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** The subresources served: status, scale, binding, finalize. */
  subresources: string[];
  /** Where objects are stored when this is a view of another resource (events.k8s.io events are core events). */
  storageResource?: { group: string; plural: string };
  toStorage?(object: KubeObject): KubeObject;
  fromStorage?(object: KubeObject): KubeObject;
  /**
   * Write path, in this order (after the server has set or carried over uid, creationTimestamp and deletion fields):
   *   create: dropUnknownFields -> decodeError -> defaults -> prepareForCreate -> validate
   *   update: dropUnknownFields -> decodeError -> defaults -> prepareForUpdate -> validate(next, old)
   * Each mutates an object the caller owns. /status writes skip defaults and prepareForUpdate.
   */
  defaults(object: KubeObject): void;
  /** Registry rules on create: the status a new object starts with, generation 1. */
  prepareForCreate?(object: KubeObject): void;
  /** Registry rules on update: status kept (types with a status subresource), allocated values kept, generation. */
  prepareForUpdate?(next: KubeObject, old: KubeObject): void;
  validate(object: KubeObject, old?: KubeObject): FieldCause[];
  /** Deletes fields the schema does not declare, returning their paths (for ?fieldValidation=Strict|Warn). */
  dropUnknownFields?(object: KubeObject): string[];
  /** The 400 the real decoder answers before validation (a Secret value that is not base64), if any. */
  decodeError?(object: KubeObject): string | undefined;
  table: {
    columns: ColumnDefinition[];
    cells(object: KubeObject, nowMs?: number): unknown[];
    conditions?(object: KubeObject): unknown[] | undefined;
  };
  scale?: ScaleSpec;
}

export const apiVersionOf = (t: Pick<ServedType, 'group' | 'version'>): string =>
  t.group ? `${t.group}/${t.version}` : t.version;

function storageOf(t: ServedType): { group: string; plural: string } {
  return t.storageResource ?? { group: t.group, plural: t.plural };
}

/** Storage key prefix of the type: all namespaces, or one. */
export function storagePrefix(t: ServedType, namespace = ''): string {
  const { group, plural } = storageOf(t);
  const base = `/${group || 'core'}/${plural}/`;
  return t.namespaced && namespace ? `${base}${namespace}/` : base;
}

export function storageKey(t: ServedType, namespace: string, name: string): string {
  return `${storagePrefix(t, namespace)}${name}`;
}
