/**
 * The CRI ContainerConfig of one container of a pod (kubelet's generateContainerConfig): image, command/args, env,
 * mounts, Linux resources and security context, labels to find it again, and annotations that survive an edged
 * restart (restart count, spec hash).
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, normalize, isAbsolute } from 'node:path';
import { MountPropagation, type ContainerConfig, type Mount } from '../../../gen/runtime/v1/api';
import type { Container, Pod } from '../api';
import * as labels from '../cri/labels';
import { PodConfigError } from '../pod-errors';
import { linuxLimits } from './resources';
import { podIdentity } from './sandbox-config';

const MASKED_PATHS = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
];
const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** A stable hash of what edged builds the container from; a change means "definition changed, restart". */
export function containerHash(container: Container): string {
  const used = {
    image: container.image,
    command: container.command,
    args: container.args,
    workingDir: container.workingDir,
    env: container.env,
    envFrom: container.envFrom,
    ports: container.ports,
    volumeMounts: container.volumeMounts,
    securityContext: container.securityContext,
    resources: container.resources,
    stdin: container.stdin,
    tty: container.tty,
  };
  return createHash('sha256').update(canonicalJson(used)).digest('hex').slice(0, 16);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** `<container>/<attempt>.log`, relative to the sandbox's log directory. */
export function containerLogPath(container: Container, attempt: number): string {
  return join(container.name, `${attempt}.log`);
}

export function buildMounts(pod: Pod, container: Container, volumes: Map<string, string>): Mount[] {
  const mounts: Mount[] = [];
  for (const m of container.volumeMounts ?? []) {
    const hostPath = volumes.get(m.name);
    if (hostPath === undefined) {
      throw new PodConfigError('CreateContainerConfigError', `container "${container.name}": volume "${m.name}" is not defined in the pod or could not be set up`);
    }
    let source = hostPath;
    if (m.subPath) {
      const sub = normalize(m.subPath);
      if (isAbsolute(sub) || sub.startsWith('..')) {
        throw new PodConfigError('CreateContainerConfigError', `container "${container.name}": subPath ${JSON.stringify(m.subPath)} must be a relative path inside the volume`);
      }
      source = join(hostPath, sub);
      // kubelet creates a missing subPath as a directory.
      mkdirSync(source, { recursive: true });
    }
    mounts.push({
      containerPath: m.mountPath,
      hostPath: source,
      readonly: m.readOnly === true,
      selinuxRelabel: false,
      propagation: MountPropagation.PROPAGATION_PRIVATE,
      recursiveReadOnly: false,
      imageSubPath: '',
    });
  }
  void pod;
  return mounts;
}

export interface ContainerBuildInput {
  pod: Pod;
  container: Container;
  init: boolean;
  attempt: number;
  env: { name: string; value: string }[];
  mounts: Mount[];
}

export function buildContainerConfig(input: ContainerBuildInput): ContainerConfig {
  const { pod, container, attempt } = input;
  const id = podIdentity(pod);
  const sc = container.securityContext ?? {};
  const psc = pod.spec.securityContext ?? {};
  const runAsUser = sc.runAsUser ?? psc.runAsUser;
  const runAsGroup = sc.runAsGroup ?? psc.runAsGroup;
  const limits = linuxLimits(container);
  return {
    metadata: { name: container.name, attempt },
    image: { image: container.image ?? '', annotations: {}, userSpecifiedImage: container.image ?? '', runtimeHandler: '', imageRef: '' },
    command: container.command ?? [],
    args: container.args ?? [],
    workingDir: container.workingDir ?? '',
    envs: input.env.map((e) => ({ key: e.name, value: e.value })),
    mounts: input.mounts,
    devices: [],
    labels: {
      [labels.POD_NAME]: id.name,
      [labels.POD_NAMESPACE]: id.namespace,
      [labels.POD_UID]: id.uid,
      [labels.CONTAINER_NAME]: container.name,
      [labels.MANAGED_BY]: 'true',
    },
    annotations: {
      [labels.CONTAINER_HASH]: containerHash(container),
      [labels.CONTAINER_RESTART_COUNT]: String(attempt),
      [labels.POD_TERMINATION_GRACE]: String(pod.spec.terminationGracePeriodSeconds ?? 30),
      ...(input.init ? { [labels.CONTAINER_INIT]: 'true' } : {}),
    },
    logPath: containerLogPath(container, attempt),
    stdin: container.stdin === true,
    stdinOnce: false,
    tty: container.tty === true,
    linux: {
      resources: {
        cpuPeriod: limits.cpuPeriod,
        cpuQuota: limits.cpuQuota,
        cpuShares: limits.cpuShares,
        memoryLimitInBytes: limits.memoryLimitInBytes,
        oomScoreAdj: 0,
        cpusetCpus: '',
        cpusetMems: '',
        hugepageLimits: [],
        unified: {},
        memorySwapLimitInBytes: 0n,
      },
      securityContext: {
        capabilities: { addCapabilities: sc.capabilities?.add ?? [], dropCapabilities: sc.capabilities?.drop ?? [], addAmbientCapabilities: [] },
        privileged: sc.privileged === true,
        runAsUser: runAsUser === undefined ? undefined : { value: runAsUser },
        runAsGroup: runAsGroup === undefined ? undefined : { value: runAsGroup },
        runAsUsername: '',
        readonlyRootfs: sc.readOnlyRootFilesystem === true,
        supplementalGroups: psc.fsGroup === undefined ? [] : [BigInt(psc.fsGroup)],
        noNewPrivs: sc.allowPrivilegeEscalation === false,
        // kubelet's DefaultProcMount paths; a privileged container sees everything.
        maskedPaths: sc.privileged === true ? [] : MASKED_PATHS,
        readonlyPaths: sc.privileged === true ? [] : READONLY_PATHS,
        supplementalGroupsPolicy: 0,
      },
    },
  };
}
