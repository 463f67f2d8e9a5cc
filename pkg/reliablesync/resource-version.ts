/**
 * resourceVersions compared as KubeEdge compares them: as unsigned integers (the API server's are etcd or SQLite
 * revisions). Strings would order "9" after "10"; BigInt has no 2^53 ceiling.
 */
import { parseResourceVersion } from '../message';
import { ReliableSyncError } from './errors';

export { parseResourceVersion };

/** Like parseResourceVersion, but a bad value is an error naming `field`. */
export function requireResourceVersion(value: string | undefined, field: string): bigint {
  const parsed = parseResourceVersion(value);
  if (parsed === undefined) {
    throw new ReliableSyncError(
      'INVALID_RESOURCE_VERSION',
      `${field}: ${JSON.stringify(value ?? null)} is not a resourceVersion; it must be an unsigned decimal integer such as "42", as the API server writes them`,
    );
  }
  return parsed;
}

/** True when `candidate` is strictly newer than `recorded`; a missing or unreadable `recorded` counts as nothing recorded. */
export function isNewerResourceVersion(candidate: bigint, recorded: string | undefined): boolean {
  const old = parseResourceVersion(recorded);
  return old === undefined || candidate > old;
}
