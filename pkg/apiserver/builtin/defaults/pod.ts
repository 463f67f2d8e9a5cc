/**
 * Pod and pod template defaulting as the real server applies it (pkg/apis/core/v1/defaults.go, the v1 conversion
 * of `serviceAccount`, and for pods the ServiceAccount and Priority admission plugins and the registry's initial
 * status). The Go zero values that always serialize (`resources: {}`, `creationTimestamp: null`) are written too,
 * so a read-back object looks like the real one.
 *
 * Not done, on purpose: the DefaultTolerationSeconds plugin's not-ready/unreachable tolerations (pods on
 * unreachable edge nodes must stay bound), and the ServiceAccount plugin's token volume (edge nodes get no tokens).
 */
import type { KObject } from '../types';
import { ensureObject, isObject, obj, objs, setDefault } from '../util/json';
import { addQuantities, canonicalQuantity, compareQuantities, parseQuantity, type Quantity } from '../util/quantity';

/** The tag part of an image reference: `latest` when there is neither tag nor digest, `''` with a digest. */
export function imageTag(image: string): string {
  if (image.includes('@')) return '';
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.indexOf(':');
  return colon < 0 ? 'latest' : lastSegment.slice(colon + 1);
}

/** `Always` for `:latest` or untagged images, else `IfNotPresent`. */
export const defaultPullPolicy = (image: unknown): string =>
  typeof image === 'string' && image !== '' && imageTag(image) === 'latest' ? 'Always' : 'IfNotPresent';

/** SetDefaults_ResourceList: quantities canonical and rounded up to milli units. */
export function defaultResourceList(list_: unknown): void {
  if (!isObject(list_)) return;
  for (const k of Object.keys(list_)) list_[k] = canonicalQuantity(list_[k], true);
}

function defaultHttpGet(action: unknown): void {
  if (!isObject(action)) return;
  setDefault(action, 'path', '/');
  setDefault(action, 'scheme', 'HTTP');
}

function defaultProbe(probe: unknown): void {
  if (!isObject(probe)) return;
  for (const [k, v] of [['timeoutSeconds', 1], ['periodSeconds', 10], ['successThreshold', 1], ['failureThreshold', 3]] as const) {
    if (probe[k] === undefined || probe[k] === null || probe[k] === 0) probe[k] = v;
  }
  defaultHttpGet(probe.httpGet);
}

function defaultFieldRef(ref: unknown): void {
  if (isObject(ref)) setDefault(ref, 'apiVersion', 'v1');
}

function defaultResourceFieldRef(ref: unknown): void {
  // Divisor is a non-pointer Quantity: its zero value serializes as "0".
  if (isObject(ref)) ref.divisor = ref.divisor === undefined || ref.divisor === null ? '0' : canonicalQuantity(ref.divisor);
}

function defaultContainer(c: KObject): void {
  setDefault(c, 'imagePullPolicy', defaultPullPolicy(c.image));
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  for (const port of objs(c.ports)) setDefault(port, 'protocol', 'TCP');
  for (const e of objs(c.env)) {
    const from = obj(e.valueFrom);
    defaultFieldRef(from.fieldRef);
    defaultResourceFieldRef(from.resourceFieldRef);
  }
  const resources = ensureObject(c, 'resources');
  defaultResourceList(resources.limits);
  defaultResourceList(resources.requests);
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) defaultProbe(c[probe]);
  const lifecycle = obj(c.lifecycle);
  for (const hook of ['postStart', 'preStop']) defaultHttpGet(obj(lifecycle[hook]).httpGet);
}

function defaultDownwardItems(items: unknown): void {
  for (const item of objs(items)) {
    defaultFieldRef(item.fieldRef);
    defaultResourceFieldRef(item.resourceFieldRef);
  }
}

const VOLUME_FILE_MODE = 0o644;

function defaultVolume(v: KObject): void {
  if (Object.keys(v).every((k) => k === 'name')) v.emptyDir = {};
  if (isObject(v.emptyDir) && v.emptyDir.sizeLimit !== undefined) v.emptyDir.sizeLimit = canonicalQuantity(v.emptyDir.sizeLimit);
  if (isObject(v.hostPath)) setDefault(v.hostPath, 'type', '');
  for (const kind of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    const source = v[kind];
    if (isObject(source) && (source.defaultMode === undefined || source.defaultMode === null)) source.defaultMode = VOLUME_FILE_MODE;
  }
  if (isObject(v.downwardAPI)) defaultDownwardItems(v.downwardAPI.items);
  if (isObject(v.projected)) {
    for (const src of objs(v.projected.sources)) {
      if (isObject(src.serviceAccountToken)) setDefault(src.serviceAccountToken, 'expirationSeconds', 3600);
      if (isObject(src.downwardAPI)) defaultDownwardItems(src.downwardAPI.items);
    }
  }
  if (isObject(v.iscsi)) setDefault(v.iscsi, 'iscsiInterface', 'default');
  const claim = isObject(v.ephemeral) ? obj(v.ephemeral.volumeClaimTemplate) : undefined;
  if (claim && isObject(claim.spec)) {
    setDefault(claim.spec, 'volumeMode', 'Filesystem');
    const res = obj(claim.spec.resources);
    defaultResourceList(res.limits);
    defaultResourceList(res.requests);
  }
}

/** SetDefaults_PodSpec and everything nested (shared by pods and every pod template). */
export function defaultPodSpec(spec: KObject): void {
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'restartPolicy', 'Always');
  if (!isObject(spec.securityContext)) spec.securityContext = {};
  if (typeof spec.terminationGracePeriodSeconds !== 'number') spec.terminationGracePeriodSeconds = 30;
  setDefault(spec, 'schedulerName', 'default-scheduler');
  // `serviceAccount` is the deprecated alias the v1 conversion keeps equal to `serviceAccountName`.
  if (!spec.serviceAccountName && typeof spec.serviceAccount === 'string' && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
  if (typeof spec.serviceAccountName === 'string' && spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  else delete spec.serviceAccount;
  for (const c of [...objs(spec.containers), ...objs(spec.initContainers), ...objs(spec.ephemeralContainers)]) defaultContainer(c);
  for (const v of objs(spec.volumes)) defaultVolume(v);
  defaultResourceList(spec.overhead);
}

/** Pod template: spec defaults plus the `creationTimestamp: null` every ObjectMeta serializes in 1.32. */
export function defaultPodTemplate(template: unknown): void {
  if (!isObject(template)) return;
  const meta = ensureObject(template, 'metadata');
  if (!('creationTimestamp' in meta)) meta.creationTimestamp = null;
  defaultPodSpec(ensureObject(template, 'spec'));
}

const QOS_RESOURCES = ['cpu', 'memory'];

/** `qos.GetPodQOS`: Guaranteed when every container limits cpu and memory with requests equal to limits. */
export function podQosClass(spec: KObject): string {
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  const add = (m: Map<string, Quantity>, name: string, q: Quantity): void => {
    const prev = m.get(name);
    m.set(name, prev === undefined ? q : addQuantities(prev, q));
  };
  const nonZero = (v: unknown): Quantity | undefined => {
    const q = parseQuantity(v);
    return q !== undefined && q.numerator !== 0n ? q : undefined;
  };
  let guaranteed = true;
  for (const c of [...objs(spec.containers), ...objs(spec.initContainers)]) {
    const res = obj(c.resources);
    let limited = 0;
    for (const name of QOS_RESOURCES) {
      const req = nonZero(obj(res.requests)[name]);
      if (req) add(requests, name, req);
      const lim = nonZero(obj(res.limits)[name]);
      if (lim) {
        add(limits, name, lim);
        limited++;
      }
    }
    if (limited !== QOS_RESOURCES.length) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed && requests.size === limits.size) {
    for (const [name, req] of requests) {
      const lim = limits.get(name);
      if (lim === undefined || compareQuantities(req, lim) !== 0) guaranteed = false;
    }
  } else {
    guaranteed = false;
  }
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

const SYSTEM_PRIORITIES: Readonly<Record<string, number>> = { 'system-node-critical': 2000001000, 'system-cluster-critical': 2000000000 };

/** A Pod: SetDefaults_Pod, the pod spec, create-time admission and the initial status. */
export function defaultPod(pod: KObject): void {
  const spec = ensureObject(pod, 'spec');
  // Requests default to limits on pods only, not on templates (SetDefaults_Pod).
  for (const c of [...objs(spec.containers), ...objs(spec.initContainers)]) {
    const res = ensureObject(c, 'resources');
    if (!isObject(res.limits)) continue;
    const requests = ensureObject(res, 'requests');
    for (const [k, v] of Object.entries(res.limits)) if (!(k in requests)) requests[k] = v;
  }
  // With the host's network every container port is a host port (pods only since 1.28, not templates).
  if (spec.hostNetwork === true) {
    for (const c of [...objs(spec.containers), ...objs(spec.initContainers)]) {
      for (const port of objs(c.ports)) if (!port.hostPort) port.hostPort = port.containerPort;
    }
  }
  if (typeof spec.enableServiceLinks !== 'boolean') spec.enableServiceLinks = true;
  // ServiceAccount admission: every pod runs as some service account.
  if (!spec.serviceAccountName && !spec.serviceAccount) spec.serviceAccountName = 'default';
  // Priority admission: the two system classes always exist; no class means priority 0. (This server has no
  // PriorityClass objects, so other class names are left without a priority.)
  if (typeof spec.priority !== 'number') {
    const value = spec.priorityClassName ? SYSTEM_PRIORITIES[String(spec.priorityClassName)] : 0;
    if (value !== undefined) spec.priority = value;
  }
  setDefault(spec, 'preemptionPolicy', 'PreemptLowerPriority');
  defaultPodSpec(spec);
  const status = ensureObject(pod, 'status');
  setDefault(status, 'phase', 'Pending');
  setDefault(status, 'qosClass', podQosClass(spec));
  for (const s of [...objs(status.containerStatuses), ...objs(status.initContainerStatuses)]) {
    defaultResourceList(s.allocatedResources);
    if (isObject(s.resources)) {
      defaultResourceList(s.resources.limits);
      defaultResourceList(s.resources.requests);
    }
  }
}
