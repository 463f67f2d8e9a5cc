/**
 * Kubernetes resourceVersions compared as unsigned integers, as KubeEdge does. Kubernetes calls them opaque, but every
 * API server this project talks to (etcd revisions, the embedded SQLite store) hands out increasing integers.
 */

/** Longer than any uint64 (20 digits) with room to spare; longer strings are not treated as versions. */
const MAX_DIGITS = 40;
const DIGITS = /^[0-9]+$/;

/** The version as a bigint, or undefined when it is empty or not an unsigned integer (then it cannot be compared). */
export function parseResourceVersion(version: string): bigint | undefined {
  if (version.length === 0 || version.length > MAX_DIGITS || !DIGITS.test(version)) return undefined;
  return BigInt(version);
}

/** True when `candidate` is known to be newer than `than`; an unknown version on either side counts as newer. */
export function isNewerVersion(candidate: bigint | undefined, than: bigint | undefined): boolean {
  return candidate === undefined || than === undefined || candidate > than;
}
