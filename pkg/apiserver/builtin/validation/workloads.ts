/** apps/v1 spec validation: Deployment, ReplicaSet and DaemonSet (pkg/apis/apps/validation). */
import { child, forbidden, invalid, notSupported, required } from '../../schema/errors';
import type { Cause, KObject } from '../types';
import { goIntOrString, goLabelSelector, goStringMap } from '../util/go-syntax';
import { isObject, obj, objs, str, stringMap } from '../util/json';
import { selectorMatches } from '../util/label-selector';
import { invalidRendered, nonNegative, notSupportedRendered, requiredEnum } from './causes';
import { validateLabelSelector } from './meta';
import { validatePodTemplateSpec } from './pod-spec';
import { goQuote } from '../../schema/go-format';
import { regexError } from '../../schema/names';

const PERCENT = /^[0-9]+%$/;

function intOrPercentValue(v: unknown): { value: number; percent: boolean } {
  if (typeof v === 'number') return { value: v, percent: false };
  const s = str(v);
  return PERCENT.test(s) ? { value: Number(s.slice(0, -1)), percent: true } : { value: 0, percent: false };
}

/** `ValidatePositiveIntOrPercent` and `IsNotMoreThan100Percent`. */
function intOrPercent(v: unknown, path: string): Cause[] {
  if (v === undefined || v === null) return [];
  const errs: Cause[] = [];
  if (typeof v === 'string' && !PERCENT.test(v)) {
    errs.push(
      invalidRendered(path, goIntOrString(v), regexError("a valid percent string must be a numeric string followed by an ending '%'", '[0-9]+%', '1%', '93%')),
    );
  } else if (typeof v === 'number') {
    errs.push(...nonNegative(v, path));
  }
  const { value, percent } = intOrPercentValue(v);
  if (percent && value > 100) errs.push(invalidRendered(path, goIntOrString(v), 'must not be greater than 100%'));
  return errs;
}

interface SelectorRules {
  /** `deployment` or `daemonset`, as the "empty selector" message names it. */
  readonly noun: string;
  /** ReplicaSets and Deployments check the restart policy at the end, DaemonSets at once. */
  readonly activeDeadlineMessage: string;
}

/** Selector, template-match and template rules shared by the three workloads. */
function validateSelectorAndTemplate(spec: KObject, path: string, rules: SelectorRules): Cause[] {
  const errs: Cause[] = [];
  const selector = spec.selector;
  const selPath = child(path, 'selector');
  if (!isObject(selector)) {
    errs.push(required(selPath));
  } else {
    errs.push(...validateLabelSelector(selector, selPath));
    if (objs(selector.matchExpressions).length + Object.keys(obj(selector.matchLabels)).length === 0) {
      errs.push(invalidRendered(selPath, goLabelSelector(selector), `empty selector is invalid for ${rules.noun}`));
    }
  }
  const template = obj(spec.template);
  const tPath = child(path, 'template');
  const labels = obj(template.metadata).labels;
  const empty = isObject(selector) && objs(selector.matchExpressions).length + Object.keys(obj(selector.matchLabels)).length === 0;
  if (!empty && !selectorMatches(selector, stringMap(labels))) {
    errs.push(invalidRendered(child(child(tPath, 'metadata'), 'labels'), goStringMap(labels), '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplateSpec(template, tPath));
  const podSpec = obj(template.spec);
  if (str(podSpec.restartPolicy) !== 'Always') {
    errs.push(notSupported(child(child(tPath, 'spec'), 'restartPolicy'), str(podSpec.restartPolicy), ['Always']));
  }
  if (podSpec.activeDeadlineSeconds !== undefined && podSpec.activeDeadlineSeconds !== null) {
    errs.push(invalid(child(child(tPath, 'spec'), 'activeDeadlineSeconds'), podSpec.activeDeadlineSeconds, rules.activeDeadlineMessage));
  }
  return errs;
}

export function validateReplicaSetSpec(specValue: unknown, path = 'spec'): Cause[] {
  const spec = obj(specValue);
  return [
    ...nonNegative(spec.replicas, child(path, 'replicas')),
    ...nonNegative(spec.minReadySeconds, child(path, 'minReadySeconds')),
    // The real message says "deployment" for ReplicaSets too.
    ...validateSelectorAndTemplate(spec, path, { noun: 'deployment', activeDeadlineMessage: 'activeDeadlineSeconds in ReplicaSet is not Supported' }),
  ];
}

function validateDeploymentStrategy(strategy: unknown, path: string): Cause[] {
  const s = obj(strategy);
  const type = str(s.type);
  const ru = s.rollingUpdate;
  if (type === 'Recreate') {
    return ru !== undefined && ru !== null ? [forbidden(child(path, 'rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'")] : [];
  }
  if (type === 'RollingUpdate') {
    if (!isObject(ru)) return [required(child(path, 'rollingUpdate'), 'this should be defaulted and never be nil')];
    const rp = child(path, 'rollingUpdate');
    const errs = [...intOrPercent(ru.maxUnavailable, child(rp, 'maxUnavailable')), ...intOrPercent(ru.maxSurge, child(rp, 'maxSurge'))];
    if (intOrPercentValue(ru.maxUnavailable).value === 0 && intOrPercentValue(ru.maxSurge).value === 0) {
      errs.push(invalidRendered(child(rp, 'maxUnavailable'), goIntOrString(ru.maxUnavailable), 'may not be 0 when `maxSurge` is 0'));
    }
    return errs;
  }
  const rendered = `apps.DeploymentStrategy{Type:${goQuote(type)}, RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}`;
  return [notSupportedRendered(path, rendered, ['Recreate', 'RollingUpdate'])];
}

export function validateDeploymentSpec(specValue: unknown, path = 'spec'): Cause[] {
  const spec = obj(specValue);
  const errs = [
    ...nonNegative(spec.replicas, child(path, 'replicas')),
    ...validateSelectorAndTemplate(spec, path, { noun: 'deployment', activeDeadlineMessage: 'activeDeadlineSeconds in ReplicaSet is not Supported' }),
    ...validateDeploymentStrategy(spec.strategy, child(path, 'strategy')),
    ...nonNegative(spec.minReadySeconds, child(path, 'minReadySeconds')),
    ...nonNegative(spec.revisionHistoryLimit, child(path, 'revisionHistoryLimit')),
  ];
  const pds = spec.progressDeadlineSeconds;
  if (typeof pds === 'number') {
    errs.push(...nonNegative(pds, child(path, 'progressDeadlineSeconds')));
    if (pds <= (typeof spec.minReadySeconds === 'number' ? spec.minReadySeconds : 0)) {
      errs.push(invalid(child(path, 'progressDeadlineSeconds'), pds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

function validateDaemonSetStrategy(strategy: unknown, path: string): Cause[] {
  const s = obj(strategy);
  const type = str(s.type);
  if (type === 'OnDelete') return [];
  if (type !== 'RollingUpdate') {
    if (type === '') return requiredEnum(type, path, ['RollingUpdate', 'OnDelete']);
    const rendered = `apps.DaemonSetUpdateStrategy{Type:${goQuote(type)}, RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}`;
    return [notSupportedRendered(path, rendered, ['RollingUpdate', 'OnDelete'])];
  }
  const ru = s.rollingUpdate;
  const rp = child(path, 'rollingUpdate');
  if (!isObject(ru)) return [required(rp)];
  const errs = [...intOrPercent(ru.maxUnavailable, child(rp, 'maxUnavailable')), ...intOrPercent(ru.maxSurge, child(rp, 'maxSurge'))];
  const hasUnavailable = intOrPercentValue(ru.maxUnavailable).value !== 0;
  const hasSurge = intOrPercentValue(ru.maxSurge).value !== 0;
  if (hasUnavailable && hasSurge) errs.push(invalidRendered(child(rp, 'maxSurge'), goIntOrString(ru.maxSurge), 'may not be set when maxUnavailable is non-zero'));
  if (!hasUnavailable && !hasSurge) errs.push(required(child(rp, 'maxUnavailable'), 'cannot be 0 when maxSurge is 0'));
  return errs;
}

export function validateDaemonSetSpec(specValue: unknown, path = 'spec'): Cause[] {
  const spec = obj(specValue);
  return [
    ...validateSelectorAndTemplate(spec, path, { noun: 'daemonset', activeDeadlineMessage: 'activeDeadlineSeconds in DaemonSet is not Supported' }),
    ...nonNegative(spec.minReadySeconds, child(path, 'minReadySeconds')),
    ...nonNegative(spec.templateGeneration, child(path, 'templateGeneration')),
    ...validateDaemonSetStrategy(spec.updateStrategy, child(path, 'updateStrategy')),
    ...nonNegative(spec.revisionHistoryLimit, child(path, 'revisionHistoryLimit')),
  ];
}

/** `ValidateImmutableField(spec.selector)` with the Go rendering of the new selector. */
export function immutableSelector(next: unknown, old: unknown): Cause[] {
  const a = obj(next).selector;
  const b = obj(old).selector;
  if (JSON.stringify(normalizeSelector(a)) === JSON.stringify(normalizeSelector(b))) return [];
  return [invalidRendered('spec.selector', goLabelSelector(a), 'field is immutable')];
}

/** Semantic equality ignores the order of map keys and treats an empty map like a missing one. */
function normalizeSelector(s: unknown): unknown {
  if (!isObject(s)) return null;
  const labels = stringMap(s.matchLabels);
  const sorted = Object.fromEntries(Object.keys(labels).sort().map((k) => [k, labels[k]]));
  return { matchLabels: sorted, matchExpressions: objs(s.matchExpressions) };
}
