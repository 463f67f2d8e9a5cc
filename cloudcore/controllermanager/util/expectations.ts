/**
 * Creations and deletions a controller has asked for but not yet seen in its informer (client-go's
 * UIDTrackingControllerExpectations). While any are outstanding the controller does not act on its stale cache, so a
 * ReplicaSet never creates the same missing pod twice. Expectations expire after a TTL in case an event was missed.
 */
import type { Clock } from '../../../pkg/timing/kube-time';

interface Entry {
  adds: number;
  /** Keys of the pods whose deletion we wait to observe. */
  deletes: Set<string>;
  at: number;
}

export const EXPECTATIONS_TTL_MS = 5 * 60_000;

export class Expectations {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly now: Clock,
    private readonly ttlMs = EXPECTATIONS_TTL_MS,
  ) {}

  /** True when nothing is outstanding for the key (or what was is too old to wait for). */
  satisfied(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry) return true;
    if (entry.adds <= 0 && entry.deletes.size === 0) return true;
    return this.now() - entry.at > this.ttlMs;
  }

  /** Replaces what is expected for the key: `adds` creations and the deletion of these pods. */
  expect(key: string, adds: number, deleteKeys: readonly string[]): void {
    this.entries.set(key, { adds, deletes: new Set(deleteKeys), at: this.now() });
  }

  expectCreations(key: string, count: number): void {
    this.expect(key, count, []);
  }

  expectDeletions(key: string, podKeys: readonly string[]): void {
    this.expect(key, 0, podKeys);
  }

  /** A pod the controller created showed up (or its creation failed, so it never will). */
  creationObserved(key: string): void {
    const entry = this.entries.get(key);
    if (entry) entry.adds--;
  }

  deletionObserved(key: string, podKey: string): void {
    this.entries.get(key)?.deletes.delete(podKey);
  }

  /** The controller object itself is gone. */
  forget(key: string): void {
    this.entries.delete(key);
  }
}
