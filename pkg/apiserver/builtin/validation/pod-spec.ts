/** `ValidatePodSpec` and `ValidatePodTemplateSpec`: the parts of a pod spec users write in manifests. */
import { child, duplicate, forbidden, index, invalid, required } from '../../schema/errors';
import { isDns1123Label, isDns1123Subdomain } from '../../schema/names';
import type { Cause, KObject } from '../types';
import { isObject, obj, objs, str } from '../util/json';
import { nameErrors, optionalEnum, requiredEnum } from './causes';
import {
  hostPortConflicts,
  validateContainerCommon,
  validateIds,
  validateLifecycle,
  validateProbes,
  type ContainerContext,
} from './container';
import { validateAnnotations, validateLabels } from './meta';
import { validateAffinity, validateHostAliases, validateReadinessGates, validateSchedulingGates, validateTolerations, validateTopologySpread } from './scheduling';
import { isValidIp } from './strings';
import { validateVolumes } from './volumes';

const MAX_INT32 = 2147483647;

function validateContainers(containers: KObject[], path: string, ctx: ContainerContext): Cause[] {
  if (containers.length === 0) return [required(path)];
  const errs: Cause[] = [];
  const names = new Set<string>();
  containers.forEach((ctr, i) => {
    const p = index(path, i);
    errs.push(...validateContainerCommon(ctr, p, ctx));
    if (names.has(str(ctr.name))) errs.push(duplicate(child(p, 'name'), str(ctr.name)));
    else names.add(str(ctr.name));
    errs.push(...validateLifecycle(ctr.lifecycle, child(p, 'lifecycle'), ctx.gracePeriod));
    errs.push(...validateProbes(ctr, p));
    if (ctr.restartPolicy !== undefined && ctr.restartPolicy !== null) errs.push(forbidden(child(p, 'restartPolicy'), 'may not be set for non-init containers'));
  });
  return [...errs, ...hostPortConflicts(containers, path, new Set())];
}

function validateInitContainers(inits: KObject[], containers: KObject[], path: string, ctx: ContainerContext): Cause[] {
  const errs: Cause[] = [];
  const names = new Set(containers.map((c) => str(c.name)));
  inits.forEach((ctr, i) => {
    const p = index(path, i);
    errs.push(...validateContainerCommon(ctr, p, ctx));
    if (names.has(str(ctr.name))) errs.push(duplicate(child(p, 'name'), str(ctr.name)));
    else names.add(str(ctr.name));
    const sidecar = ctr.restartPolicy === 'Always';
    if (ctr.restartPolicy !== undefined && ctr.restartPolicy !== null && !sidecar) {
      errs.push(...optionalEnum(ctr.restartPolicy, child(p, 'restartPolicy'), ['Always']));
    }
    if (sidecar) {
      errs.push(...validateLifecycle(ctr.lifecycle, child(p, 'lifecycle'), ctx.gracePeriod));
      errs.push(...validateProbes(ctr, p));
    } else {
      const why = 'may not be set for init containers without restartPolicy=Always';
      if (ctr.lifecycle !== undefined) errs.push(forbidden(child(p, 'lifecycle'), why));
      if (ctr.livenessProbe !== undefined) errs.push(forbidden(child(p, 'livenessProbe'), why));
      if (ctr.readinessProbe !== undefined) errs.push(forbidden(child(p, 'readinessProbe'), 'may not be set for init containers'));
      if (ctr.startupProbe !== undefined) errs.push(forbidden(child(p, 'startupProbe'), why));
    }
  });
  return [...errs, ...hostPortConflicts(inits, path, new Set())];
}

function validatePodSecurityContext(sc: unknown, path: string): Cause[] {
  if (!isObject(sc)) return [];
  const errs = validateIds(sc, path);
  if (typeof sc.fsGroup === 'number' && (sc.fsGroup < 0 || sc.fsGroup > MAX_INT32)) {
    errs.push(invalid(child(path, 'fsGroup'), sc.fsGroup, `must be between 0 and ${MAX_INT32}, inclusive`));
  }
  errs.push(...optionalEnum(sc.fsGroupChangePolicy, child(path, 'fsGroupChangePolicy'), ['OnRootMismatch', 'Always']));
  return errs;
}

function validateDnsConfig(config: unknown, dnsPolicy: string, path: string): Cause[] {
  const errs: Cause[] = [];
  const c = obj(config);
  const nameservers = Array.isArray(c.nameservers) ? c.nameservers : [];
  if (dnsPolicy === 'None') {
    if (!isObject(config)) return [required(path, "must provide `dnsConfig` when `dnsPolicy` is None")];
    if (nameservers.length === 0) errs.push(required(child(path, 'nameservers'), 'must provide at least one DNS nameserver when `dnsPolicy` is None'));
  }
  if (nameservers.length > 3) errs.push(invalid(child(path, 'nameservers'), nameservers, 'must not have more than 3 nameservers'));
  nameservers.forEach((ns, i) => {
    if (!isValidIp(str(ns))) errs.push(invalid(index(child(path, 'nameservers'), i), str(ns), 'must be valid IP address'));
  });
  objs(c.options).forEach((o, i) => {
    if (!str(o.name)) errs.push(required(child(index(child(path, 'options'), i), 'name'), 'Option.Name must not be empty'));
  });
  return errs;
}

/** With the host's network, a container port is a host port: the two must agree. */
function hostNetworkPorts(containers: KObject[], path: string): Cause[] {
  return containers.flatMap((c, i) =>
    objs(c.ports).flatMap((port, j) => {
      const hostPort = port.hostPort;
      if (hostPort === undefined || hostPort === null || hostPort === 0 || hostPort === port.containerPort) return [];
      return [invalid(child(index(child(index(path, i), 'ports'), j), 'hostPort'), hostPort, 'must match `containerPort` when `hostNetwork` is true')];
    }),
  );
}

/** `ValidatePodSpec` (shared by pods and pod templates). */
export function validatePodSpec(specValue: unknown, path: string): Cause[] {
  const spec = obj(specValue);
  const errs: Cause[] = [];
  const volumes = validateVolumes(spec.volumes, child(path, 'volumes'));
  errs.push(...volumes.errors);
  const grace = typeof spec.terminationGracePeriodSeconds === 'number' ? spec.terminationGracePeriodSeconds : undefined;
  const ctx: ContainerContext = { volumes: volumes.names, gracePeriod: grace };
  const containers = objs(spec.containers);
  errs.push(...validateContainers(containers, child(path, 'containers'), ctx));
  errs.push(...validateInitContainers(objs(spec.initContainers), containers, child(path, 'initContainers'), ctx));
  errs.push(...requiredEnum(spec.restartPolicy, child(path, 'restartPolicy'), ['Always', 'OnFailure', 'Never']));
  errs.push(...requiredEnum(spec.dnsPolicy, child(path, 'dnsPolicy'), ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None']));
  errs.push(...validateLabels(spec.nodeSelector, child(path, 'nodeSelector')));
  errs.push(...validatePodSecurityContext(spec.securityContext, child(path, 'securityContext')));
  errs.push(...validateAffinity(spec.affinity, child(path, 'affinity')));
  errs.push(...validateDnsConfig(spec.dnsConfig, str(spec.dnsPolicy), child(path, 'dnsConfig')));
  errs.push(...validateReadinessGates(spec.readinessGates, child(path, 'readinessGates')));
  errs.push(...validateSchedulingGates(spec.schedulingGates, child(path, 'schedulingGates')));
  errs.push(...validateTopologySpread(spec.topologySpreadConstraints, child(path, 'topologySpreadConstraints')));
  for (const f of ['serviceAccountName', 'nodeName', 'priorityClassName']) {
    if (str(spec[f])) errs.push(...nameErrors(str(spec[f]), child(path, f), isDns1123Subdomain));
  }
  const ads = spec.activeDeadlineSeconds;
  if (typeof ads === 'number' && (ads < 1 || ads > MAX_INT32)) {
    errs.push(invalid(child(path, 'activeDeadlineSeconds'), ads, `must be between 1 and ${MAX_INT32}, inclusive`));
  }
  for (const f of ['hostname', 'subdomain']) {
    if (str(spec[f])) errs.push(...nameErrors(str(spec[f]), child(path, f), isDns1123Label));
  }
  if (spec.hostNetwork === true) errs.push(...hostNetworkPorts(containers, child(path, 'containers')));
  errs.push(...validateTolerations(spec.tolerations, child(path, 'tolerations')));
  errs.push(...validateHostAliases(spec.hostAliases, child(path, 'hostAliases'), isValidIp));
  if (typeof spec.runtimeClassName === 'string') errs.push(...nameErrors(spec.runtimeClassName, child(path, 'runtimeClassName'), isDns1123Subdomain));
  errs.push(...optionalEnum(spec.preemptionPolicy, child(path, 'preemptionPolicy'), ['PreemptLowerPriority', 'Never']));
  if (isObject(spec.os)) errs.push(...optionalEnum(spec.os.name ?? '', child(child(path, 'os'), 'name'), ['linux', 'windows']));
  return errs;
}

/** `ValidatePodTemplateSpec`; note the real paths `template.labels`, not `template.metadata.labels`. */
export function validatePodTemplateSpec(template: unknown, path: string): Cause[] {
  const t = obj(template);
  const meta = obj(t.metadata);
  const errs = [...validateLabels(meta.labels, child(path, 'labels')), ...validateAnnotations(meta.annotations, child(path, 'annotations'))];
  errs.push(...validatePodSpec(t.spec, child(path, 'spec')));
  if (objs(obj(t.spec).ephemeralContainers).length > 0) {
    errs.push(forbidden(child(child(path, 'spec'), 'ephemeralContainers'), 'ephemeral containers not allowed in pod template'));
  }
  return errs;
}
