import type { ConfigMap, KeyToPath, Pod, Secret } from '../api';
import { fieldPathValue, type PodRuntimeFields } from '../env/field-path';
import { configMapData, secretData } from '../object-source';
import type { FileProjection, Payload } from './atomic-writer';

/** kubelet's default mode for configMap, secret, projected and downwardAPI volume files. */
export const DEFAULT_FILE_MODE = 0o644;

/** Thrown by the payload builders; the manager prefixes it with `MountVolume.SetUp failed for volume "x" : `. */
export class PayloadError extends Error {
  override readonly name = 'PayloadError';
}

export interface Ownership {
  /** pod.spec.securityContext.fsGroup: files get this group and group read, as kubelet's SetVolumeOwnership. */
  fsGroup?: number;
}

/**
 * The files of a configMap (or projected configMap) source, as kubelet's MakePayload: every key when `items` is
 * empty, else only the listed keys at their paths; a listed key that is missing fails unless the source is optional.
 */
export function configMapPayload(
  configMap: ConfigMap,
  items: KeyToPath[] | undefined,
  defaultMode: number,
  optional: boolean,
  ownership: Ownership,
): Payload {
  return keyedPayload(configMapData(configMap), items, defaultMode, optional, ownership, (key) => `configmap references non-existent config key: ${key}`);
}

export function secretPayload(secret: Secret, items: KeyToPath[] | undefined, defaultMode: number, optional: boolean, ownership: Ownership): Payload {
  return keyedPayload(secretData(secret), items, defaultMode, optional, ownership, (key) => `references non-existent secret key: ${key}`);
}

function keyedPayload(
  data: Record<string, Buffer>,
  items: KeyToPath[] | undefined,
  defaultMode: number,
  optional: boolean,
  ownership: Ownership,
  missing: (key: string) => string,
): Payload {
  const payload: Payload = new Map();
  if (items === undefined || items.length === 0) {
    for (const [key, value] of Object.entries(data)) payload.set(key, file(value, defaultMode, ownership));
    return payload;
  }
  for (const item of items) {
    const value = data[item.key];
    if (value === undefined) {
      if (optional) continue;
      throw new PayloadError(missing(item.key));
    }
    payload.set(item.path, file(value, item.mode ?? defaultMode, ownership));
  }
  return payload;
}

export interface DownwardAPIFile {
  path: string;
  fieldRef?: { apiVersion?: string; fieldPath: string };
  resourceFieldRef?: unknown;
  mode?: number;
}

/** downwardAPI items with fieldRef (resourceFieldRef is not supported in volumes yet). */
export function downwardAPIPayload(pod: Pod, items: DownwardAPIFile[], defaultMode: number, fields: PodRuntimeFields, ownership: Ownership): Payload {
  const payload: Payload = new Map();
  for (const item of items) {
    if (item.fieldRef === undefined) {
      throw new PayloadError(`downwardAPI item "${item.path}": only fieldRef is supported by edged; remove resourceFieldRef or use an env variable`);
    }
    const value = fieldPathValue(pod, item.fieldRef.fieldPath, fields, true);
    if (value instanceof Error) throw new PayloadError(value.message);
    payload.set(item.path, file(Buffer.from(value, 'utf8'), item.mode ?? defaultMode, ownership));
  }
  return payload;
}

export function file(data: Buffer, mode: number, ownership: Ownership): FileProjection {
  if (ownership.fsGroup === undefined) return { data, mode };
  return { data, mode: mode | 0o440, gid: ownership.fsGroup };
}

/** Merges projected sources; a path given twice is an error, as the API's validation says. */
export function mergePayloads(target: Payload, add: Payload): void {
  for (const [path, projection] of add) {
    if (target.has(path)) throw new PayloadError(`conflicting duplicate paths: ${path}`);
    target.set(path, projection);
  }
}
