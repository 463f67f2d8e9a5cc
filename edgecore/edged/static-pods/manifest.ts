import { createHash } from 'node:crypto';
import { parseAllDocuments } from 'yaml';
import type { Container, Pod } from '../api';

export const CONFIG_SOURCE_ANNOTATION = 'kubernetes.io/config.source';
export const CONFIG_HASH_ANNOTATION = 'kubernetes.io/config.hash';
export const CONFIG_MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

export interface ManifestProblem {
  file: string;
  /** `<file>: document 2: spec.containers[0].image: Required value; set the image to run` */
  message: string;
}

export interface ParsedManifest {
  pods: Pod[];
  problems: ManifestProblem[];
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * The static pods of one manifest file (YAML, multi-document, or JSON), made ready to run as kubelet's file source
 * does: name `<name>-<node>`, namespace default, spec.nodeName, API defaults, and a uid that is a hash of the
 * defaulted pod, the node and the file (so an edit is a new pod). A document that is not a valid pod is reported
 * (file, document, field, fix) and skipped; the others are kept.
 */
export function parseManifest(file: string, text: string, nodeName: string): ParsedManifest {
  const pods: Pod[] = [];
  const problems: ManifestProblem[] = [];
  const report = (doc: number, message: string): void => void problems.push({ file, message: `${file}: document ${doc}: ${message}` });
  const documents = parseAllDocuments(text);
  const list = Array.isArray(documents) ? documents : [documents];
  list.forEach((document, index) => {
    const doc = index + 1;
    if (document.errors.length > 0) return report(doc, `not valid YAML or JSON: ${document.errors[0]?.message ?? 'parse error'}`);
    const value: unknown = document.toJS();
    if (value === null || value === undefined) return; // an empty document (`---` at the end)
    const invalid = validate(value);
    if (invalid !== undefined) return report(doc, invalid);
    pods.push(toStaticPod(value as Pod, file, nodeName));
  });
  return { pods, problems };
}

function validate(value: unknown): string | undefined {
  if (typeof value !== 'object' || Array.isArray(value)) return 'not an object; a manifest holds Pod objects';
  const pod = value as Partial<Pod> & { kind?: unknown; apiVersion?: unknown };
  if (pod.kind === undefined) return 'kind: Required value; add kind: Pod';
  if (pod.apiVersion === undefined) return 'apiVersion: Required value; add apiVersion: v1';
  if (pod.kind !== 'Pod') return `kind: Unsupported value: ${JSON.stringify(pod.kind)}; static pod manifests hold kind: Pod (use a DaemonSet for other workloads)`;
  if (pod.apiVersion !== 'v1') return `apiVersion: Unsupported value: ${JSON.stringify(pod.apiVersion)}; use apiVersion: v1`;
  const name = pod.metadata?.name;
  if (typeof name !== 'string' || name === '') return 'metadata.name: Required value; give the pod a name';
  if (!DNS_SUBDOMAIN.test(name) || name.length > 253) return `metadata.name: Invalid value: ${JSON.stringify(name)}; use lowercase letters, digits, '-' and '.'`;
  const namespace = pod.metadata?.namespace;
  if (namespace !== undefined && (typeof namespace !== 'string' || !DNS_LABEL.test(namespace))) return `metadata.namespace: Invalid value: ${JSON.stringify(namespace)}`;
  const spec = pod.spec;
  if (typeof spec !== 'object' || spec === null) return 'spec: Required value; add a spec with containers';
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) return 'spec.containers: Required value; list at least one container';
  const names = new Set<string>();
  for (const [field, containers] of [['containers', spec.containers], ['initContainers', spec.initContainers ?? []]] as const) {
    if (!Array.isArray(containers)) return `spec.${field}: Invalid value: must be a list`;
    for (const [i, container] of (containers as unknown[]).entries()) {
      const c = container as Partial<Container> | null;
      const at = `spec.${field}[${i}]`;
      if (typeof c !== 'object' || c === null) return `${at}: Invalid value: must be an object`;
      if (typeof c.name !== 'string' || !DNS_LABEL.test(c.name)) return `${at}.name: Invalid value: ${JSON.stringify(c.name)}; use a lowercase DNS label`;
      if (names.has(c.name)) return `${at}.name: Duplicate value: ${JSON.stringify(c.name)}; container names must be unique`;
      names.add(c.name);
      if (typeof c.image !== 'string' || c.image.trim() === '') return `${at}.image: Required value; set the image to run`;
    }
  }
  if (spec.volumes !== undefined && !Array.isArray(spec.volumes)) return 'spec.volumes: Invalid value: must be a list';
  return undefined;
}

function toStaticPod(input: Pod, file: string, nodeName: string): Pod {
  const pod = withDefaults(structuredClone(input));
  pod.metadata.name = `${pod.metadata.name}-${nodeName.toLowerCase()}`;
  pod.metadata.namespace ||= 'default';
  pod.spec.nodeName = nodeName;
  // kubelet lets static pods tolerate every NoExecute taint: they are never evicted by taints.
  pod.spec.tolerations = [...(pod.spec.tolerations ?? []), { operator: 'Exists', effect: 'NoExecute' }];
  if (!pod.metadata.uid) {
    const hash = createHash('md5').update(stableJson(pod)).update(`host:${nodeName}`).update(`file:${file}`);
    pod.metadata.uid = hash.digest('hex');
  }
  pod.metadata.annotations = { ...pod.metadata.annotations, [CONFIG_HASH_ANNOTATION]: pod.metadata.uid, [CONFIG_SOURCE_ANNOTATION]: 'file' };
  return pod;
}

/** The API server's defaults, which a static pod never went through. */
function withDefaults(pod: Pod): Pod {
  pod.metadata ??= {};
  pod.spec.restartPolicy ??= 'Always';
  pod.spec.terminationGracePeriodSeconds ??= 30;
  pod.spec.dnsPolicy ??= 'ClusterFirst';
  for (const container of [...pod.spec.containers, ...(pod.spec.initContainers ?? [])]) {
    container.imagePullPolicy ??= pullPolicy(container.image ?? '');
    container.terminationMessagePath ??= '/dev/termination-log';
    for (const port of container.ports ?? []) port.protocol ??= 'TCP';
  }
  return pod;
}

/** Always for `:latest` or an untagged image, else IfNotPresent (a digest counts as a tag). */
export function pullPolicy(image: string): 'Always' | 'IfNotPresent' {
  if (image.includes('@')) return 'IfNotPresent';
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  const tag = lastPart.includes(':') ? lastPart.slice(lastPart.indexOf(':') + 1) : '';
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

/** JSON with sorted keys, so the hash does not depend on key order in the file. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The mirror pod edged may create in the API for a static pod (kubelet's mirror client): same name and spec, the
 * config.mirror annotation holding the static pod's hash, no uid (the API server assigns one). The API server and
 * edged both treat a pod with this annotation as a mirror: it is never run from the API.
 */
export function mirrorPod(pod: Pod): Pod {
  const copy = structuredClone(pod);
  const { uid: _uid, resourceVersion: _rv, ...metadata } = copy.metadata;
  copy.metadata = { ...metadata, annotations: { ...metadata.annotations, [CONFIG_MIRROR_ANNOTATION]: pod.metadata.annotations?.[CONFIG_HASH_ANNOTATION] ?? pod.metadata.uid ?? '' } };
  delete copy.status;
  return copy;
}
