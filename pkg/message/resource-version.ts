/**
 * Kubernetes resourceVersions compared as unsigned integers, as KubeEdge compares them. Kubernetes calls them opaque,
 * but every API server this project talks to (etcd revisions, kine, the embedded SQLite store) hands out uint64
 * counters that grow with each write, and delivery relies on that to drop duplicates and stale versions. As text,
 * "9" would sort after "10"; BigInt has no 2^53 ceiling.
 */

const UINT64_DIGITS = /^[0-9]{1,20}$/;
const MAX_UINT64 = (1n << 64n) - 1n;

/** The version as a bigint, or undefined when it is missing, empty or not an unsigned 64-bit decimal integer. */
export function parseResourceVersion(text: string | undefined): bigint | undefined {
  if (text === undefined || !UINT64_DIGITS.test(text)) return undefined;
  const value = BigInt(text);
  return value <= MAX_UINT64 ? value : undefined;
}
