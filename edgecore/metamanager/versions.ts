/** The one rule deciding whether a change is written: pure, so it is tested on its own. */
import type { ApplyOutcome, Change } from './store';

/** What the store knows about a key: a stored object's version, or the version its delete carried. */
export interface KnownVersion {
  readonly resourceVersion: bigint;
  readonly deleted: boolean;
}

/**
 * - nothing known: applied.
 * - upsert: applied when newer than the object or tombstone; the object's own version again is a duplicate; anything
 *   else (older, or not newer than the delete) is stale, so a late update cannot bring a deleted object back.
 * - delete: applied when at or after the stored object's version (a delete carries the last state the cloud had, which
 *   may be the version stored here) or newer than an earlier delete; the same delete again is a duplicate.
 */
export function decide(change: Pick<Change, 'kind' | 'resourceVersion'>, known: KnownVersion | undefined): ApplyOutcome {
  if (known === undefined) return 'applied';
  const incoming = change.resourceVersion;
  const stored = known.resourceVersion;
  if (incoming > stored) return 'applied';
  if (incoming < stored) return 'stale';
  // Same version as what is known.
  if (change.kind === 'upsert') return known.deleted ? 'stale' : 'duplicate';
  return known.deleted ? 'duplicate' : 'applied';
}
