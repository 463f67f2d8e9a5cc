/**
 * The resources being served, by group/version/plural. Built-in types are added at start; a CustomResourceDefinition
 * adds (and replaces or removes) its types while the server runs, so lookups always read the current map.
 */
import { apiVersionOf, type ServedType } from './served-type';

export interface GroupVersion {
  group: string;
  version: string;
}

export class TypeRegistry {
  private readonly types = new Map<string, ServedType>();
  /** Bumped on every change so discovery and OpenAPI documents can be cached by it. */
  private generation = 0;

  get version(): number {
    return this.generation;
  }

  add(type: ServedType): void {
    this.types.set(keyOf(type.group, type.version, type.plural), type);
    this.generation++;
  }

  remove(group: string, version: string, plural: string): void {
    if (this.types.delete(keyOf(group, version, plural))) this.generation++;
  }

  lookup(group: string, version: string, plural: string): ServedType | undefined {
    return this.types.get(keyOf(group, version, plural));
  }

  /** By kind: for objects that name themselves (ownerReferences, create bodies). */
  lookupKind(apiVersion: string, kind: string): ServedType | undefined {
    for (const type of this.types.values()) {
      if (type.kind === kind && apiVersionOf(type) === apiVersion) return type;
    }
    return undefined;
  }

  all(): ServedType[] {
    return [...this.types.values()];
  }

  /** Served group versions, core first, then groups by name. */
  groupVersions(): GroupVersion[] {
    const seen = new Map<string, GroupVersion>();
    for (const t of this.types.values()) seen.set(apiVersionOf(t), { group: t.group, version: t.version });
    return [...seen.values()].sort((a, b) => (a.group === b.group ? 0 : a.group < b.group ? -1 : 1));
  }

  inGroupVersion(group: string, version: string): ServedType[] {
    return this.all().filter((t) => t.group === group && t.version === version);
  }
}

const keyOf = (group: string, version: string, plural: string): string => `${group}/${version}/${plural}`;
