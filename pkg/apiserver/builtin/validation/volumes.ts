/** Pod volume validation (`ValidateVolumes` / `validateVolumeSource`) for the volume kinds this server knows. */
import { child, duplicate, forbidden, index, invalid, required } from '../../schema/errors';
import { isDns1123Label } from '../../schema/names';
import type { Cause, KObject } from '../types';
import { isObject, objs, str } from '../util/json';
import { isNegative, parseQuantity } from '../util/quantity';
import { nameErrors, optionalEnum } from './causes';
import { validateFieldRef, validateLocalDescendingPath, validateResourceFieldRef } from './container';

/** In the order the real code tries them, which decides which one the "more than 1" error names. */
const SOURCES = [
  'emptyDir',
  'hostPath',
  'gitRepo',
  'secret',
  'nfs',
  'iscsi',
  'persistentVolumeClaim',
  'downwardAPI',
  'fc',
  'configMap',
  'projected',
  'csi',
  'ephemeral',
  'image',
] as const;

const FILE_MODE_ERROR = 'must be a number between 0 and 0777 (octal), both inclusive';
const VOLUME_FIELD_PATHS = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid'];
const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

function fileMode(mode: unknown, path: string): Cause[] {
  return typeof mode === 'number' && (mode < 0 || mode > 0o777) ? [invalid(path, mode, FILE_MODE_ERROR)] : [];
}

/** `ValidateLocalNonReservedPath`. */
function localNonReservedPath(target: string, path: string): Cause[] {
  const errs = validateLocalDescendingPath(target, path);
  if (target.startsWith('..') && !target.startsWith('../')) errs.push(invalid(path, target, "must not start with '..'"));
  return errs;
}

function keyToPaths(items: unknown, path: string): Cause[] {
  return objs(items).flatMap((item, i) => {
    const p = index(path, i);
    const errs: Cause[] = [];
    if (!str(item.key)) errs.push(required(child(p, 'key')));
    if (!str(item.path)) errs.push(required(child(p, 'path')));
    errs.push(...localNonReservedPath(str(item.path), child(p, 'path')));
    errs.push(...fileMode(item.mode, child(p, 'mode')));
    return errs;
  });
}

function downwardApiItems(items: unknown, path: string): Cause[] {
  return objs(items).flatMap((item, i) => {
    const p = index(path, i);
    const errs: Cause[] = [];
    if (!str(item.path)) errs.push(required(child(p, 'path')));
    errs.push(...localNonReservedPath(str(item.path), child(p, 'path')));
    if (isObject(item.fieldRef)) {
      errs.push(...validateFieldRef(item.fieldRef, child(p, 'fieldRef'), VOLUME_FIELD_PATHS));
      if (isObject(item.resourceFieldRef)) errs.push(invalid(p, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
    } else if (isObject(item.resourceFieldRef)) {
      errs.push(...validateResourceFieldRef(item.resourceFieldRef, child(p, 'resourceFieldRef'), true));
    } else {
      errs.push(required(p, 'one of fieldRef and resourceFieldRef is required'));
    }
    errs.push(...fileMode(item.mode, child(p, 'mode')));
    return errs;
  });
}

function projectedSources(sources: unknown, path: string): Cause[] {
  return objs(sources).flatMap((src, i) => {
    const p = index(path, i);
    const errs: Cause[] = [];
    let count = 0;
    for (const kind of ['secret', 'downwardAPI', 'configMap', 'serviceAccountToken', 'clusterTrustBundle']) {
      const s = src[kind];
      if (!isObject(s)) continue;
      const sp = child(p, kind);
      if (++count > 1) {
        errs.push(forbidden(sp, 'may not specify more than 1 volume type per source'));
        continue;
      }
      if (kind === 'secret' || kind === 'configMap') errs.push(...keyToPaths(s.items, child(sp, 'items')));
      if (kind === 'downwardAPI') errs.push(...downwardApiItems(s.items, child(sp, 'items')));
      if (kind === 'serviceAccountToken') {
        if (!str(s.path)) errs.push(required(child(sp, 'path')));
        const exp = s.expirationSeconds;
        if (typeof exp === 'number' && exp < 600) errs.push(invalid(child(sp, 'expirationSeconds'), exp, 'may not specify a duration less than 10 minutes'));
        if (typeof exp === 'number' && exp > 2 ** 32) errs.push(invalid(child(sp, 'expirationSeconds'), exp, 'may not specify a duration larger than 2^32 seconds'));
      }
    }
    if (count === 0) errs.push(required(p, 'must specify exactly 1 volume type'));
    return errs;
  });
}

function validateSource(kind: (typeof SOURCES)[number], s: KObject, path: string): Cause[] {
  const errs: Cause[] = [];
  switch (kind) {
    case 'emptyDir': {
      const size = parseQuantity(s.sizeLimit);
      if (size !== undefined && isNegative(size)) errs.push(forbidden(child(path, 'sizeLimit'), 'SizeLimit field must be a valid resource quantity'));
      break;
    }
    case 'hostPath':
      if (!str(s.path)) errs.push(required(child(path, 'path')));
      if (str(s.path).split('/').includes('..')) errs.push(invalid(child(path, 'path'), str(s.path), "must not contain '..'"));
      errs.push(...optionalEnum(s.type, child(path, 'type'), HOST_PATH_TYPES));
      break;
    case 'secret':
      if (!str(s.secretName)) errs.push(required(child(path, 'secretName')));
      errs.push(...fileMode(s.defaultMode, child(path, 'defaultMode')), ...keyToPaths(s.items, child(path, 'items')));
      break;
    case 'configMap':
      if (!str(s.name)) errs.push(required(child(path, 'name')));
      errs.push(...fileMode(s.defaultMode, child(path, 'defaultMode')), ...keyToPaths(s.items, child(path, 'items')));
      break;
    case 'persistentVolumeClaim':
      if (!str(s.claimName)) errs.push(required(child(path, 'claimName')));
      break;
    case 'downwardAPI':
      errs.push(...fileMode(s.defaultMode, child(path, 'defaultMode')), ...downwardApiItems(s.items, child(path, 'items')));
      break;
    case 'projected':
      errs.push(...fileMode(s.defaultMode, child(path, 'defaultMode')), ...projectedSources(s.sources, child(path, 'sources')));
      break;
    case 'nfs':
      if (!str(s.server)) errs.push(required(child(path, 'server')));
      if (!str(s.path)) errs.push(required(child(path, 'path')));
      else if (!str(s.path).startsWith('/')) errs.push(invalid(child(path, 'path'), str(s.path), 'must be an absolute path'));
      break;
    case 'csi':
      if (!str(s.driver)) errs.push(required(child(path, 'driver')));
      break;
    case 'ephemeral':
      if (!isObject(s.volumeClaimTemplate)) errs.push(required(child(path, 'volumeClaimTemplate')));
      break;
    case 'iscsi':
      if (!str(s.targetPortal)) errs.push(required(child(path, 'targetPortal')));
      if (!str(s.iqn)) errs.push(required(child(path, 'iqn')));
      break;
    default:
      break;
  }
  return errs;
}

/**
 * Validates `volumes` and returns the names of the volumes that passed: containers may only mount those (a volume
 * with errors is left out, as the real code does, so its mounts are reported `Not found` too).
 */
export function validateVolumes(volumes: unknown, path: string): { names: Set<string>; errors: Cause[] } {
  const names = new Set<string>();
  const errors: Cause[] = [];
  objs(volumes).forEach((vol, i) => {
    const p = index(path, i);
    const errs: Cause[] = [];
    let count = 0;
    for (const kind of SOURCES) {
      const source = vol[kind];
      if (!isObject(source)) continue;
      if (++count > 1) errs.push(forbidden(child(p, kind), 'may not specify more than 1 volume type'));
      else errs.push(...validateSource(kind, source, child(p, kind)));
    }
    // Volume kinds this server does not model (cloud disks...) are accepted uninspected.
    if (count === 0 && Object.keys(vol).every((k) => k === 'name')) errs.push(required(p, 'must specify a volume type'));
    const name = str(vol.name);
    if (!name) errs.push(required(child(p, 'name')));
    else errs.push(...nameErrors(name, child(p, 'name'), isDns1123Label));
    if (names.has(name)) errs.push(duplicate(child(p, 'name'), name));
    if (errs.length === 0) names.add(name);
    errors.push(...errs);
  });
  return { names, errors };
}
