/** Container validation (`validateContainerCommon` and the probe and lifecycle rules) of pkg/apis/core/validation. */
import { child, duplicate, forbidden, index, invalid, required } from '../../schema/errors';
import { isDns1123Label, isDns1123Subdomain } from '../../schema/names';
import type { Cause, KObject } from '../types';
import { isObject, obj, objs, str, strings } from '../util/json';
import { NAME_RULES } from './meta';
import { invalidRendered, nameErrors, nonNegative, notFound, optionalEnum, requiredEnum } from './causes';
import { validateResources } from './resources';
import { isConfigMapKey, isEnvVarName, isQualifiedName, isValidPortName, isValidPortNum } from './strings';

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const ENV_FIELD_PATHS = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
];
const RESOURCE_FIELD_PATHS = ['limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory'];

/** `ValidatePortNumOrName`: an int-or-string port. */
export function validatePortNumOrName(port: unknown, path: string): Cause[] {
  if (typeof port === 'number') return isValidPortNum(port).map((msg) => invalid(path, port, msg));
  if (typeof port === 'string') return isValidPortName(port).map((msg) => invalid(path, port, msg));
  return [invalid(path, 0, 'must be between 1 and 65535, inclusive')];
}

function validatePorts(ports: unknown, path: string): Cause[] {
  const errs: Cause[] = [];
  const names = new Set<string>();
  objs(ports).forEach((port, i) => {
    const p = index(path, i);
    const name = str(port.name);
    if (name) {
      const msgs = isValidPortName(name);
      if (msgs.length > 0) errs.push(...msgs.map((m) => invalid(child(p, 'name'), name, m)));
      else if (names.has(name)) errs.push(duplicate(child(p, 'name'), name));
      else names.add(name);
    }
    const containerPort = port.containerPort;
    if (containerPort === undefined || containerPort === 0) errs.push(required(child(p, 'containerPort')));
    else errs.push(...isValidPortNum(Number(containerPort)).map((m) => invalid(child(p, 'containerPort'), containerPort, m)));
    if (port.hostPort !== undefined && port.hostPort !== 0) {
      errs.push(...isValidPortNum(Number(port.hostPort)).map((m) => invalid(child(p, 'hostPort'), port.hostPort, m)));
    }
    errs.push(...requiredEnum(port.protocol, child(p, 'protocol'), PROTOCOLS));
  });
  return errs;
}

function validateKeySelector(ref: KObject, path: string): Cause[] {
  const errs = nameErrors(str(ref.name), child(path, 'name'), isDns1123Subdomain);
  const k = str(ref.key);
  if (!k) errs.push(required(child(path, 'key')));
  else errs.push(...nameErrors(k, child(path, 'key'), isConfigMapKey));
  return errs;
}

/** Labels the v1 downward API conversion accepts (`spec.host` is an old alias of `spec.nodeName`). */
const CONVERTIBLE_FIELD_PATHS = new Set([
  'metadata.annotations',
  'metadata.labels',
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.restartPolicy',
  'spec.serviceAccountName',
  'spec.schedulerName',
  'status.phase',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
]);

/** `validateObjectFieldSelector`: env vars and downward API volumes each pass their own list of paths. */
export function validateFieldRef(ref: KObject, path: string, allowed: readonly string[]): Cause[] {
  const apiVersion = str(ref.apiVersion);
  if (!apiVersion) return [required(child(path, 'apiVersion'))];
  const fieldPath = str(ref.fieldPath);
  if (!fieldPath) return [required(child(path, 'fieldPath'))];
  const fp = child(path, 'fieldPath');
  const converted = (why: string): Cause[] => [invalid(fp, fieldPath, `error converting fieldPath: ${why}`)];
  if (apiVersion !== 'v1') return converted(`unsupported pod version: ${apiVersion}`);
  const subscript = /^([^[]+)\['(.*)'\]$/.exec(fieldPath);
  if (subscript) {
    const [, base = '', k = ''] = subscript;
    if (base !== 'metadata.annotations' && base !== 'metadata.labels') return converted(`field label does not support subscript: ${fieldPath}`);
    return isQualifiedName(base === 'metadata.annotations' ? k.toLowerCase() : k).map((m) => invalid(path, k, m));
  }
  const internal = fieldPath === 'spec.host' ? 'spec.nodeName' : fieldPath;
  if (!CONVERTIBLE_FIELD_PATHS.has(internal) && fieldPath !== 'spec.host') return converted(`field label not supported: ${fieldPath}`);
  return optionalEnum(internal, fp, allowed);
}

/** `validateContainerResourceFieldSelector`; volumes also need the container name. */
export function validateResourceFieldRef(ref: KObject, path: string, volume: boolean): Cause[] {
  const resource = str(ref.resource);
  if (volume && !str(ref.containerName)) return [required(child(path, 'containerName'))];
  if (!resource) return [required(child(path, 'resource'))];
  if (RESOURCE_FIELD_PATHS.includes(resource) || /^(requests|limits)\.hugepages-/.test(resource)) return [];
  return optionalEnum(resource, child(path, 'resource'), RESOURCE_FIELD_PATHS);
}

function validateEnv(env: unknown, path: string): Cause[] {
  const errs: Cause[] = [];
  objs(env).forEach((e, i) => {
    const p = index(path, i);
    const name = str(e.name);
    if (!name) errs.push(required(child(p, 'name')));
    else errs.push(...nameErrors(name, child(p, 'name'), isEnvVarName));
    if (!isObject(e.valueFrom)) return;
    const from = e.valueFrom;
    const fp = child(p, 'valueFrom');
    let sources = 0;
    if (isObject(from.fieldRef)) {
      sources++;
      errs.push(...validateFieldRef(from.fieldRef, child(fp, 'fieldRef'), ENV_FIELD_PATHS));
    }
    if (isObject(from.resourceFieldRef)) {
      sources++;
      errs.push(...validateResourceFieldRef(from.resourceFieldRef, child(fp, 'resourceFieldRef'), false));
    }
    if (isObject(from.configMapKeyRef)) {
      sources++;
      errs.push(...validateKeySelector(from.configMapKeyRef, child(fp, 'configMapKeyRef')));
    }
    if (isObject(from.secretKeyRef)) {
      sources++;
      errs.push(...validateKeySelector(from.secretKeyRef, child(fp, 'secretKeyRef')));
    }
    if (sources === 0) errs.push(invalid(fp, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    else if (str(e.value) !== '') errs.push(invalid(fp, '', 'may not be specified when `value` is not empty'));
    else if (sources > 1) errs.push(invalid(fp, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

function validateEnvFrom(envFrom: unknown, path: string): Cause[] {
  const errs: Cause[] = [];
  objs(envFrom).forEach((e, i) => {
    const p = index(path, i);
    if (str(e.prefix)) errs.push(...nameErrors(str(e.prefix), child(p, 'prefix'), isEnvVarName));
    let sources = 0;
    for (const which of ['configMapRef', 'secretRef'] as const) {
      const ref = e[which];
      if (!isObject(ref)) continue;
      sources++;
      const name = str(ref.name);
      const np = child(child(p, which), 'name');
      // Checked as a name prefix, as the real code does.
      if (!name) errs.push(required(np));
      else errs.push(...NAME_RULES.dnsSubdomain(name, true).map((m) => invalid(np, name, m)));
    }
    if (sources === 0) errs.push(invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (sources > 1) errs.push(invalid(path, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

/** `validateLocalDescendingPath`: relative, without `..` elements. */
export function validateLocalDescendingPath(target: string, path: string): Cause[] {
  const errs: Cause[] = [];
  if (target.startsWith('/')) errs.push(invalid(path, target, 'must be a relative path'));
  if (target.split('/').includes('..')) errs.push(invalid(path, target, "must not contain '..'"));
  return errs;
}

function validateMounts(mounts: unknown, volumes: ReadonlySet<string>, ctr: KObject, path: string): Cause[] {
  const errs: Cause[] = [];
  const mountPaths = new Set<string>();
  const devices = objs(ctr.volumeDevices);
  objs(mounts).forEach((m, i) => {
    const p = index(path, i);
    const name = str(m.name);
    const mountPath = str(m.mountPath);
    if (!name) errs.push(required(child(p, 'name')));
    if (!volumes.has(name)) errs.push(notFound(child(p, 'name'), name));
    if (!mountPath) errs.push(required(child(p, 'mountPath')));
    if (mountPaths.has(mountPath)) errs.push(invalid(child(p, 'mountPath'), mountPath, 'must be unique'));
    mountPaths.add(mountPath);
    if (devices.some((d) => str(d.name) === name)) errs.push(invalid(child(p, 'name'), name, 'must not already exist in volumeDevices'));
    if (devices.some((d) => str(d.devicePath) === mountPath)) {
      errs.push(invalid(child(p, 'mountPath'), mountPath, 'must not already exist as a path in volumeDevices'));
    }
    // The real code reports these two without the index: `volumeMounts.subPath`.
    if (str(m.subPath)) errs.push(...validateLocalDescendingPath(str(m.subPath), child(path, 'subPath')));
    if (str(m.subPathExpr)) {
      if (str(m.subPath)) errs.push(invalid(child(p, 'subPathExpr'), str(m.subPathExpr), 'subPathExpr and subPath are mutually exclusive'));
      errs.push(...validateLocalDescendingPath(str(m.subPathExpr), child(path, 'subPathExpr')));
    }
    if (m.mountPropagation !== undefined) {
      const mp = child(path, 'mountPropagation');
      errs.push(...optionalEnum(m.mountPropagation, mp, ['Bidirectional', 'HostToContainer', 'None']));
      if (m.mountPropagation === 'Bidirectional' && obj(ctr.securityContext).privileged !== true) {
        errs.push(forbidden(mp, 'Bidirectional mount propagation is available only to privileged containers'));
      }
    }
  });
  return errs;
}

const HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep'] as const;

/** `validateHandler`: exactly one action, each checked. */
export function validateHandler(handler: KObject, path: string, gracePeriod: number | undefined): Cause[] {
  const errs: Cause[] = [];
  let count = 0;
  for (const kind of HANDLERS) {
    const action = handler[kind];
    if (!isObject(action)) continue;
    const p = child(path, kind);
    if (count > 0) {
      errs.push(forbidden(p, 'may not specify more than 1 handler type'));
      continue;
    }
    count++;
    if (kind === 'exec' && strings(action.command).length === 0) errs.push(required(child(p, 'command')));
    if (kind === 'httpGet') {
      if (!str(action.path)) errs.push(required(child(p, 'path')));
      errs.push(...validatePortNumOrName(action.port, child(p, 'port')));
      errs.push(...optionalEnum(action.scheme ?? '', child(p, 'scheme'), ['HTTP', 'HTTPS']));
    }
    if (kind === 'tcpSocket') errs.push(...validatePortNumOrName(action.port, child(p, 'port')));
    if (kind === 'grpc') errs.push(...isValidPortNum(Number(action.port)).map((m) => invalid(child(p, 'port'), action.port ?? 0, m)));
    if (kind === 'sleep' && gracePeriod !== undefined) {
      const seconds = Number(action.seconds ?? 0);
      if (seconds <= 0 || seconds > gracePeriod) {
        errs.push(
          invalid(
            p,
            seconds,
            `must be greater than 0 and less than terminationGracePeriodSeconds (${gracePeriod}). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.`,
          ),
        );
      }
    }
  }
  if (count === 0) errs.push(required(path, 'must specify a handler type'));
  return errs;
}

type ProbeKind = 'livenessProbe' | 'readinessProbe' | 'startupProbe';

function validateProbe(probe: unknown, kind: ProbeKind, path: string): Cause[] {
  if (!isObject(probe)) return [];
  // Probes take no sleep action: it is checked as an unknown handler by the schema, not here.
  const errs = validateHandler({ ...probe, sleep: undefined }, path, undefined);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    errs.push(...nonNegative(probe[f], child(path, f)));
  }
  const grace = probe.terminationGracePeriodSeconds;
  if (kind === 'readinessProbe' && grace !== undefined && grace !== null) {
    errs.push(invalid(child(path, 'terminationGracePeriodSeconds'), grace, 'must not be set for readinessProbes'));
  } else if (typeof grace === 'number' && grace <= 0) {
    errs.push(invalid(child(path, 'terminationGracePeriodSeconds'), grace, 'must be greater than 0'));
  }
  if (kind !== 'readinessProbe' && probe.successThreshold !== undefined && probe.successThreshold !== 1) {
    errs.push(invalid(child(path, 'successThreshold'), probe.successThreshold, 'must be 1'));
  }
  return errs;
}

const MAX_ID = 2147483647;

export function validateIds(sc: KObject, path: string): Cause[] {
  const errs: Cause[] = [];
  for (const f of ['runAsUser', 'runAsGroup']) {
    const v = sc[f];
    if (typeof v === 'number' && (v < 0 || v > MAX_ID)) errs.push(invalid(child(path, f), v, `must be between 0 and ${MAX_ID}, inclusive`));
  }
  return errs;
}

function validateSecurityContext(sc: unknown, path: string): Cause[] {
  if (!isObject(sc)) return [];
  const errs = validateIds(sc, path);
  errs.push(...optionalEnum(sc.procMount, child(path, 'procMount'), ['Default', 'Unmasked']));
  if (sc.allowPrivilegeEscalation === false && sc.privileged === true) {
    errs.push(invalidRendered(path, '&core.SecurityContext{...}', 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
  }
  return errs;
}

export interface ContainerContext {
  /** Names of the pod's volumes that validated, as mounts must name one. */
  readonly volumes: ReadonlySet<string>;
  readonly gracePeriod: number | undefined;
}

/** Rules shared by regular and init containers (`validateContainerCommon`). */
export function validateContainerCommon(ctr: KObject, path: string, ctx: ContainerContext): Cause[] {
  const errs: Cause[] = [];
  const name = str(ctr.name);
  if (!name) errs.push(required(child(path, 'name')));
  else errs.push(...nameErrors(name, child(path, 'name'), isDns1123Label));
  if (!str(ctr.image)) errs.push(required(child(path, 'image')));
  errs.push(...requiredEnum(ctr.terminationMessagePolicy, child(path, 'terminationMessagePolicy'), ['File', 'FallbackToLogsOnError']));
  errs.push(...validatePorts(ctr.ports, child(path, 'ports')));
  errs.push(...validateEnv(ctr.env, child(path, 'env')));
  errs.push(...validateEnvFrom(ctr.envFrom, child(path, 'envFrom')));
  errs.push(...validateMounts(ctr.volumeMounts, ctx.volumes, ctr, child(path, 'volumeMounts')));
  errs.push(...requiredEnum(ctr.imagePullPolicy, child(path, 'imagePullPolicy'), ['Always', 'IfNotPresent', 'Never']));
  errs.push(...validateResources(ctr.resources, child(path, 'resources')));
  errs.push(...validateSecurityContext(ctr.securityContext, child(path, 'securityContext')));
  return errs;
}

export function validateLifecycle(lifecycle: unknown, path: string, gracePeriod: number | undefined): Cause[] {
  if (!isObject(lifecycle)) return [];
  const errs: Cause[] = [];
  for (const hook of ['postStart', 'preStop']) {
    if (isObject(lifecycle[hook])) errs.push(...validateHandler(lifecycle[hook] as KObject, child(path, hook), gracePeriod));
  }
  return errs;
}

export function validateProbes(ctr: KObject, path: string): Cause[] {
  return (['livenessProbe', 'readinessProbe', 'startupProbe'] as const).flatMap((k) => validateProbe(ctr[k], k, child(path, k)));
}

/** `AccumulateUniqueHostPorts` over a list of containers. */
export function hostPortConflicts(containers: readonly KObject[], path: string, seen: Set<string>): Cause[] {
  const errs: Cause[] = [];
  containers.forEach((ctr, ci) => {
    objs(ctr.ports).forEach((port, pi) => {
      const hostPort = Number(port.hostPort ?? 0);
      if (hostPort === 0) return;
      const k = `${str(port.hostIP)}/${str(port.protocol)}/${hostPort}`;
      if (seen.has(k)) errs.push(duplicate(child(index(child(index(path, ci), 'ports'), pi), 'hostPort'), k));
      else seen.add(k);
    });
  });
  return errs;
}
