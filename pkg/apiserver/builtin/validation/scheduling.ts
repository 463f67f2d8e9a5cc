/** Scheduling parts of a pod spec: tolerations, affinity, topology spread constraints, scheduling gates. */
import { child, duplicate, forbidden, index, invalid, required } from '../../schema/errors';
import type { Cause, KObject } from '../types';
import { isObject, list, objs, str, strings } from '../util/json';
import { NOT_POSITIVE, notSupportedRendered, optionalEnum } from './causes';
import { validateLabelSelector } from './meta';
import { isQualifiedName, isValidLabelValue } from './strings';
import { goQuote } from '../../schema/go-format';

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function validateTaintEffect(effect: unknown, allowEmpty: boolean, path: string): Cause[] {
  const e = str(effect);
  if (!allowEmpty && e === '') return [required(path)];
  return TAINT_EFFECTS.includes(e) ? [] : optionalEnum(e, path, TAINT_EFFECTS);
}

const labelName = (k: string, path: string): Cause[] => isQualifiedName(k).map((m) => invalid(path, k, m));

export function validateTolerations(tolerations: unknown, path: string): Cause[] {
  const errs: Cause[] = [];
  objs(tolerations).forEach((t, i) => {
    const p = index(path, i);
    const k = str(t.key);
    const op = str(t.operator);
    if (k) errs.push(...labelName(k, child(p, 'key')));
    if (!k && op !== 'Exists') {
      errs.push(invalid(child(p, 'operator'), op, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && str(t.effect) !== 'NoExecute') {
      errs.push(invalid(child(p, 'effect'), str(t.effect), "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (op === 'Equal' || op === '') {
      const msgs = isValidLabelValue(str(t.value));
      if (msgs.length > 0) errs.push(invalid(child(p, 'operator'), str(t.value), msgs.join(';')));
    } else if (op === 'Exists') {
      if (str(t.value)) errs.push(invalid(child(p, 'operator'), t, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(...optionalEnum(op, child(p, 'operator'), ['Equal', 'Exists']));
    }
    if (str(t.effect)) errs.push(...validateTaintEffect(t.effect, true, child(p, 'effect')));
  });
  return errs;
}

function nodeSelectorRequirement(rq: KObject, path: string): Cause[] {
  const errs: Cause[] = [];
  const values = strings(rq.values);
  const op = str(rq.operator);
  if (op === 'In' || op === 'NotIn') {
    if (values.length === 0) errs.push(required(child(path, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
  } else if (op === 'Exists' || op === 'DoesNotExist') {
    if (values.length > 0) errs.push(forbidden(child(path, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
  } else if (op === 'Gt' || op === 'Lt') {
    if (values.length !== 1) errs.push(required(child(path, 'values'), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
  } else {
    errs.push(invalid(child(path, 'operator'), op, 'not a valid selector operator'));
  }
  return [...errs, ...labelName(str(rq.key), child(path, 'key'))];
}

function nodeSelectorTerm(term: KObject, path: string): Cause[] {
  return [
    ...objs(term.matchExpressions).flatMap((rq, j) => nodeSelectorRequirement(rq, index(child(path, 'matchExpressions'), j))),
    ...objs(term.matchFields).flatMap((rq, j) => {
      const p = index(child(path, 'matchFields'), j);
      const errs: Cause[] = [];
      if (str(rq.key) !== 'metadata.name') errs.push(invalid(child(p, 'key'), str(rq.key), 'not a valid field selector key'));
      if ((str(rq.operator) === 'In' || str(rq.operator) === 'NotIn') && strings(rq.values).length !== 1) {
        errs.push(required(child(p, 'values'), 'must be only one value when `operator` is \'In\' or \'NotIn\' for node field selector'));
      }
      return errs;
    }),
  ];
}

function podAffinityTerm(term: KObject, path: string): Cause[] {
  const errs = validateLabelSelector(term.labelSelector, child(path, 'labelSelector'));
  errs.push(...validateLabelSelector(term.namespaceSelector, child(path, 'namespaceSelector')));
  if (!str(term.topologyKey)) errs.push(required(child(path, 'topologyKey'), 'can not be empty'));
  else errs.push(...labelName(str(term.topologyKey), child(path, 'topologyKey')));
  return errs;
}

const weightError = (w: unknown, path: string): Cause[] =>
  typeof w !== 'number' || w <= 0 || w > 100 ? [invalid(child(path, 'weight'), w ?? 0, 'must be in the range 1-100')] : [];

function podAffinity(aff: unknown, path: string): Cause[] {
  if (!isObject(aff)) return [];
  const req = child(path, 'requiredDuringSchedulingIgnoredDuringExecution');
  const pref = child(path, 'preferredDuringSchedulingIgnoredDuringExecution');
  return [
    ...objs(aff.requiredDuringSchedulingIgnoredDuringExecution).flatMap((t, i) => podAffinityTerm(t, index(req, i))),
    ...objs(aff.preferredDuringSchedulingIgnoredDuringExecution).flatMap((t, i) => [
      ...weightError(t.weight, index(pref, i)),
      ...(isObject(t.podAffinityTerm) ? podAffinityTerm(t.podAffinityTerm, child(index(pref, i), 'podAffinityTerm')) : []),
    ]),
  ];
}

export function validateAffinity(affinity: unknown, path: string): Cause[] {
  if (!isObject(affinity)) return [];
  const errs: Cause[] = [];
  const na = affinity.nodeAffinity;
  if (isObject(na)) {
    const np = child(path, 'nodeAffinity');
    const required_ = na.requiredDuringSchedulingIgnoredDuringExecution;
    if (isObject(required_)) {
      const rp = child(child(np, 'requiredDuringSchedulingIgnoredDuringExecution'), 'nodeSelectorTerms');
      const terms = objs(required_.nodeSelectorTerms);
      if (terms.length === 0) errs.push(required(rp, 'must have at least one node selector term'));
      terms.forEach((t, i) => errs.push(...nodeSelectorTerm(t, index(rp, i))));
    }
    const pp = child(np, 'preferredDuringSchedulingIgnoredDuringExecution');
    objs(na.preferredDuringSchedulingIgnoredDuringExecution).forEach((t, i) => {
      errs.push(...weightError(t.weight, index(pp, i)));
      if (isObject(t.preference)) errs.push(...nodeSelectorTerm(t.preference, child(index(pp, i), 'preference')));
    });
  }
  errs.push(...podAffinity(affinity.podAffinity, child(path, 'podAffinity')));
  errs.push(...podAffinity(affinity.podAntiAffinity, child(path, 'podAntiAffinity')));
  return errs;
}

export function validateTopologySpread(constraints: unknown, path: string): Cause[] {
  const errs: Cause[] = [];
  const all = objs(constraints);
  all.forEach((c, i) => {
    const p = index(path, i);
    if (typeof c.maxSkew !== 'number' || c.maxSkew <= 0) errs.push(invalid(child(p, 'maxSkew'), c.maxSkew ?? 0, NOT_POSITIVE));
    if (!str(c.topologyKey)) errs.push(required(child(p, 'topologyKey'), 'can not be empty'));
    const when = str(c.whenUnsatisfiable);
    if (!['DoNotSchedule', 'ScheduleAnyway'].includes(when)) {
      errs.push(notSupportedRendered(child(p, 'whenUnsatisfiable'), goQuote(when), ['DoNotSchedule', 'ScheduleAnyway']));
    }
    const pair = `{${str(c.topologyKey)}, ${when}}`;
    if (all.slice(i + 1).some((o) => str(o.topologyKey) === str(c.topologyKey) && str(o.whenUnsatisfiable) === when)) {
      errs.push(duplicate(child(p, '{topologyKey, whenUnsatisfiable}'), pair));
    }
    if (c.minDomains !== undefined && c.minDomains !== null) {
      if (typeof c.minDomains !== 'number' || c.minDomains <= 0) errs.push(invalid(child(p, 'minDomains'), c.minDomains, NOT_POSITIVE));
      else if (when !== 'DoNotSchedule') {
        errs.push(invalid(child(p, 'minDomains'), c.minDomains, `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${when}`));
      }
    }
    errs.push(...optionalEnum(c.nodeAffinityPolicy, child(p, 'nodeAffinityPolicy'), ['Honor', 'Ignore']));
    errs.push(...optionalEnum(c.nodeTaintsPolicy, child(p, 'nodeTaintsPolicy'), ['Honor', 'Ignore']));
    errs.push(...validateLabelSelector(c.labelSelector, child(p, 'labelSelector')));
  });
  return errs;
}

export function validateSchedulingGates(gates: unknown, path: string): Cause[] {
  const errs: Cause[] = [];
  const seen = new Set<string>();
  objs(gates).forEach((g, i) => {
    const name = str(g.name);
    errs.push(...labelName(name, index(path, i)));
    if (seen.has(name)) errs.push(duplicate(index(path, i), name));
    seen.add(name);
  });
  return errs;
}

export function validateReadinessGates(gates: unknown, path: string): Cause[] {
  return objs(gates).flatMap((g, i) => labelName(str(g.conditionType), child(index(path, i), 'conditionType')));
}

export function validateHostAliases(aliases: unknown, path: string, isIp: (v: string) => boolean): Cause[] {
  return objs(aliases).flatMap((a, i) => {
    const p = index(path, i);
    const errs: Cause[] = [];
    if (!isIp(str(a.ip))) errs.push(invalid(child(p, 'ip'), str(a.ip), 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
    list(a.hostnames).forEach((h, j) => {
      if (typeof h === 'string' && h === '') errs.push(invalid(index(child(p, 'hostnames'), j), h, 'must be a valid hostname'));
    });
    return errs;
  });
}
