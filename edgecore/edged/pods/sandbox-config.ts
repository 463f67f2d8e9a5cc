/**
 * The CRI PodSandboxConfig of a pod, as kubelet's generatePodSandboxConfig builds it. Deterministic for a pod and
 * attempt: CreateContainer gets the same config again.
 */
import { join } from 'node:path';
import { NamespaceMode, Protocol, type PodSandboxConfig, type PortMapping } from '../../../gen/runtime/v1/api';
import type { Pod } from '../api';
import * as labels from '../cri/labels';
import type { CompiledOptions } from './types';

export function podFullName(pod: Pod): string {
  return `${pod.metadata.name}_${pod.metadata.namespace ?? 'default'}(${pod.metadata.uid})`;
}

/** `<root>/<ns>_<name>_<uid>`, kubelet's pod log folder. */
export function podLogDirectory(options: CompiledOptions, pod: { namespace: string; name: string; uid: string }): string {
  return join(options.podLogsDirectory, `${pod.namespace}_${pod.name}_${pod.uid}`);
}

export function podIdentity(pod: Pod): { namespace: string; name: string; uid: string } {
  return { namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '' };
}

/** cgroupfs: `/kubepods/pod<uid>`; systemd: `kubepods-pod<uid with _>.slice`. */
export function cgroupParent(options: CompiledOptions, uid: string): string {
  if (options.cgroupDriver === 'systemd') return `kubepods-pod${uid.replace(/-/g, '_')}.slice`;
  return `${options.cgroupRoot.replace(/\/+$/, '')}/pod${uid}`;
}

function portMappings(pod: Pod): PortMapping[] {
  const mappings: PortMapping[] = [];
  for (const c of pod.spec.containers) {
    for (const p of c.ports ?? []) {
      // Only host ports need the runtime's help; the rest is informative (kubelet passes them all).
      mappings.push({
        protocol: p.protocol === 'UDP' ? Protocol.UDP : p.protocol === 'SCTP' ? Protocol.SCTP : Protocol.TCP,
        containerPort: p.containerPort,
        hostPort: p.hostPort ?? (pod.spec.hostNetwork ? p.containerPort : 0),
        hostIp: p.hostIP ?? '',
      });
    }
  }
  return mappings;
}

function dnsConfig(pod: Pod, options: CompiledOptions): PodSandboxConfig['dnsConfig'] {
  const policy = pod.spec.dnsPolicy ?? 'ClusterFirst';
  const clusterFirst = policy === 'ClusterFirstWithHostNet' || (policy === 'ClusterFirst' && !pod.spec.hostNetwork);
  if (!clusterFirst || options.clusterDNS.length === 0) return undefined; // host's resolv.conf
  const ns = pod.metadata.namespace ?? 'default';
  const d = options.clusterDomain;
  return { servers: options.clusterDNS, searches: [`${ns}.svc.${d}`, `svc.${d}`, d], options: ['ndots:5'] };
}

export function buildSandboxConfig(pod: Pod, attempt: number, options: CompiledOptions): PodSandboxConfig {
  const id = podIdentity(pod);
  const hostNetwork = pod.spec.hostNetwork === true;
  const privileged = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].some((c) => c.securityContext?.privileged === true);
  const psc = pod.spec.securityContext ?? {};
  const sysctls: Record<string, string> = {};
  for (const s of psc.sysctls ?? []) sysctls[s.name] = s.value;
  return {
    metadata: { name: id.name, namespace: id.namespace, uid: id.uid, attempt },
    hostname: hostNetwork ? '' : (pod.spec.hostname ?? id.name).slice(0, 63),
    logDirectory: podLogDirectory(options, id),
    dnsConfig: dnsConfig(pod, options),
    portMappings: portMappings(pod),
    labels: {
      ...(pod.metadata.labels ?? {}),
      [labels.POD_NAME]: id.name,
      [labels.POD_NAMESPACE]: id.namespace,
      [labels.POD_UID]: id.uid,
      [labels.MANAGED_BY]: 'true',
    },
    annotations: { ...(pod.metadata.annotations ?? {}) },
    linux: {
      cgroupParent: cgroupParent(options, id.uid),
      sysctls,
      securityContext: {
        namespaceOptions: {
          network: hostNetwork ? NamespaceMode.NODE : NamespaceMode.POD,
          pid: pod.spec.hostPID ? NamespaceMode.NODE : NamespaceMode.CONTAINER,
          ipc: pod.spec.hostIPC ? NamespaceMode.NODE : NamespaceMode.POD,
          targetId: '',
        },
        runAsUser: psc.runAsUser === undefined ? undefined : { value: psc.runAsUser },
        runAsGroup: psc.runAsGroup === undefined ? undefined : { value: psc.runAsGroup },
        supplementalGroups: psc.fsGroup === undefined ? [] : [BigInt(psc.fsGroup)],
        readonlyRootfs: false,
        privileged,
        supplementalGroupsPolicy: 0,
      },
    },
  };
}
