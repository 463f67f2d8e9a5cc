/**
 * Kubernetes resourceVersions are opaque strings to clients, but every backend here (etcd, kine, our apiserver
 * storage) issues unsigned 64-bit integers that grow with each write. MetaManager relies on that to drop duplicates
 * and stale versions, as KubeEdge's ObjectSync does, so it compares them as unsigned integers, never as strings
 * ("9" > "10" as text).
 */
import { parseResourceVersion as parseVersion } from '../../pkg/message';
import { invalidField } from './errors';

/** Parses a resourceVersion; throws INVALID naming `field` unless it is an unsigned 64-bit decimal integer. */
export function parseResourceVersion(text: string, field: string): bigint {
  const version = parseVersion(text);
  if (version === undefined) {
    throw invalidField(
      field,
      `${JSON.stringify(text)} is not a number; a resourceVersion must be an unsigned 64-bit decimal integer, as the ` +
        "API server issues it (send the object's metadata.resourceVersion)",
    );
  }
  return version;
}

/** The canonical text of a version: no leading zeros, so that equal versions are equal strings in the store. */
export function formatResourceVersion(version: bigint): string {
  return version.toString(10);
}
