/**
 * `ValidatePodUpdate`: a pod's spec is immutable except for container images, `activeDeadlineSeconds`, added
 * tolerations, a negative grace period becoming 1, and removed scheduling gates.
 */
import { child, forbidden, index, invalid, required } from '../../schema/errors';
import { jsonEqual } from '../../schema/schema-types';
import type { Cause, KObject } from '../types';
import { isObject, obj, objs, str } from '../util/json';

const MAX_INT32 = 2147483647;

export const POD_UPDATABLE_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

function containerUpdates(next: KObject[], old: KObject[], path: string): { errs: Cause[]; stop: boolean } {
  if (next.length !== old.length) return { errs: [forbidden(path, 'pod updates may not add or remove containers')], stop: true };
  const errs: Cause[] = [];
  next.forEach((c, i) => {
    const image = str(c.image);
    if (!image) errs.push(required(child(index(path, i), 'image')));
    if (image.trim().length !== image.length) errs.push(invalid(child(index(path, i), 'image'), image, 'must not have leading or trailing whitespace'));
  });
  return { errs, stop: false };
}

/** Leaf paths where two JSON values differ, for the error text (the real one prints a Go `cmp.Diff`). */
function differences(a: unknown, b: unknown, path: string, out: string[]): void {
  if (jsonEqual(a, b)) return;
  if (isObject(a) && isObject(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) differences(a[k], b[k], child(path, k), out);
  } else if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((x, i) => differences(x, b[i], index(path, i), out));
  } else {
    out.push(`${path}: ${JSON.stringify(a ?? null)} -> ${JSON.stringify(b ?? null)}`);
  }
}

export function validatePodSpecUpdate(nextSpec: unknown, oldSpec: unknown): Cause[] {
  const next = obj(nextSpec);
  const old = obj(oldSpec);
  const errs: Cause[] = [];
  for (const f of ['containers', 'initContainers'] as const) {
    const r = containerUpdates(objs(next[f]), objs(old[f]), child('spec', f));
    errs.push(...r.errs);
    if (r.stop) return errs;
  }
  const ads = next.activeDeadlineSeconds;
  const adsPath = 'spec.activeDeadlineSeconds';
  if (typeof ads === 'number') {
    if (ads < 0 || ads > MAX_INT32) return [...errs, invalid(adsPath, ads, `must be between 0 and ${MAX_INT32}, inclusive`)];
    if (typeof old.activeDeadlineSeconds === 'number' && old.activeDeadlineSeconds < ads) {
      return [...errs, invalid(adsPath, ads, 'must be less than or equal to previous value')];
    }
  } else if (typeof old.activeDeadlineSeconds === 'number') {
    errs.push(invalid(adsPath, null, 'must not update from a positive integer to nil value'));
  }
  // Tolerations may only be added: every old one must still be there (tolerationSeconds may shrink).
  const nextTolerations = objs(next.tolerations);
  for (const t of objs(old.tolerations)) {
    const kept = nextTolerations.some((n) => jsonEqual({ ...n, tolerationSeconds: null }, { ...t, tolerationSeconds: null }));
    if (!kept) errs.push(forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds'));
  }
  const oldGates = objs(old.schedulingGates).map((g) => str(g.name));
  for (const g of objs(next.schedulingGates)) {
    if (!oldGates.includes(str(g.name))) {
      errs.push(forbidden('spec.schedulingGates', 'only deletion is allowed, but found new scheduling gate \'' + str(g.name) + "'"));
    }
  }
  if (jsonEqual(next, old)) return errs;
  // Put the allowed changes into a copy of the old spec; anything still different is forbidden.
  const munged: KObject = structuredClone(old);
  for (const f of ['containers', 'initContainers'] as const) {
    const nextList = objs(next[f]);
    munged[f] = objs(munged[f]).map((c, i) => ({ ...c, image: nextList[i]?.image }));
    if (!Array.isArray(old[f])) munged[f] = old[f];
  }
  munged.activeDeadlineSeconds = next.activeDeadlineSeconds;
  munged.tolerations = next.tolerations;
  munged.schedulingGates = next.schedulingGates;
  if (typeof old.terminationGracePeriodSeconds === 'number' && old.terminationGracePeriodSeconds < 0 && next.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = 1;
  }
  for (const k of Object.keys(munged)) if (munged[k] === undefined) delete munged[k];
  if (jsonEqual(munged, next)) return errs;
  const diff: string[] = [];
  differences(munged, next, 'spec', diff);
  errs.push(forbidden('spec', `pod updates may not change fields other than ${POD_UPDATABLE_FIELDS.join(',')}\n${diff.join('\n')}`));
  return errs;
}

