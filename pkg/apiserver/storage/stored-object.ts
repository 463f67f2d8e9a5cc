/** One stored version of an object: its key, revision and JSON, with the parsed form made on first use. */

export interface KubeMetadata {
  name?: string;
  namespace?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  [field: string]: unknown;
}

/** A Kubernetes object as plain JSON. The store only reads and writes `metadata.resourceVersion`. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: KubeMetadata;
  [field: string]: unknown;
}

/**
 * Immutable. `json` is what was persisted, with `metadata.resourceVersion` equal to `revision`, so the HTTP layer serves
 * it (and lists of thousands of them) by concatenation. `object` is parsed from `json` on first access and cached:
 * objects nobody inspects cost only their JSON string. Never mutate `object` (it is shared by every reader and
 * watcher); to change an object, copy it, or use `Store.guaranteedUpdate`, which hands out a private copy.
 */
export class StoredObject {
  private parsed: KubeObject | undefined;

  constructor(
    readonly key: string,
    readonly revision: number,
    readonly json: string,
    /** Test aid (StoreOptions.freezeObjects): deep-freeze `object` so a caller that mutates it fails loudly. */
    private readonly freeze = false,
  ) {}

  get object(): KubeObject {
    if (this.parsed === undefined) {
      const parsed = JSON.parse(this.json) as KubeObject;
      this.parsed = this.freeze ? deepFreeze(parsed) : parsed;
    }
    return this.parsed;
  }

  /** A private, mutable deep copy of `object`. */
  copy(): KubeObject {
    return JSON.parse(this.json) as KubeObject;
  }

  /** This object's content as it would be stored at `revision`: the form DELETED events carry. */
  restamp(revision: number): StoredObject {
    return new StoredObject(this.key, revision, JSON.stringify(stamp(this.object, revision)), this.freeze);
  }
}

/** A shallow copy of `object` whose metadata.resourceVersion is `revision`; the input is not modified. */
export function stamp(object: KubeObject, revision: number): KubeObject {
  return { ...object, metadata: { ...object.metadata, resourceVersion: String(revision) } };
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
