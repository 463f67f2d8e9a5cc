/**
 * What the pod workers need from the rest of edged (narrow interfaces, so tests can hand in small doubles) and the
 * options they are built with.
 */
import type { Logger } from '../../../pkg/log';
import type { CriClient } from '../cri';
import type { Container, Pod, PodStatus } from '../api';
import type { BackoffTimings } from './backoff';

export type EventType = 'Normal' | 'Warning';

/** H3's volumes/ VolumeManager, as the workers use it. */
export interface PodVolumes {
  /** Sets up every volume of the pod; returns volume name -> host path. Throws PodConfigError for bad sources. */
  prepare(pod: Pod): Promise<Map<string, string>>;
  /** Removes what prepare made for this pod (after its containers are gone). */
  cleanup(uid: string): Promise<void>;
}

/** H3's env/ resolveEnv. Throws PodConfigError('CreateContainerConfigError', ...) for bad references. */
export type ResolveEnv = (
  pod: Pod,
  container: Container,
  ctx: { nodeName: string; hostIP: string; podIP: string },
) => Promise<{ name: string; value: string }[]>;

export type ProbeKind = 'liveness' | 'readiness' | 'startup';

export interface ProbeTarget {
  podIP: string;
  ports?: Container['ports'];
  exec(cmd: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }>;
}

/** One running probe loop for one container instance; stop() ends it. */
export interface ProbeHandle {
  stop(): void;
}

/**
 * Starts the probe loops of one container instance (default: H3's probes/ ContainerProbes). onResult fires when a
 * probe's thresholded result changes; onAttempt after every attempt (Unhealthy events). Liveness and readiness must
 * not run before the startup probe succeeded.
 */
export type StartProbes = (spec: {
  pod: Pod;
  container: Container;
  target: ProbeTarget;
  /** When the container instance started (ms since epoch); initialDelaySeconds counts from here. */
  startedAtMs: number;
  onResult(kind: ProbeKind, ok: boolean, message: string): void;
  onAttempt(kind: ProbeKind, ok: boolean, message: string): void;
}) => ProbeHandle;

export interface PodWorkersDeps {
  cri: CriClient;
  log: Logger;
  volumes?: PodVolumes;
  resolveEnv?: ResolveEnv;
  /** Default: probes/ ContainerProbes with real seconds. */
  startProbes?: StartProbes;
  /** The pod's computed status changed. */
  onStatus(pod: Pod, status: PodStatus): void;
  /** A deleting pod's containers are all gone: confirm the deletion upstream. Called once per pod uid. */
  onTerminated(pod: Pod): void;
  recordEvent(pod: Pod, type: EventType, reason: string, message: string): void;
  /** Injected clock (ms since epoch). */
  now?: () => number;
}

export interface PodWorkersOptions {
  nodeName: string;
  /** The node's IP: status.hostIP, and podIP of host-network pods. */
  hostIP: string;
  /** Root of pod log folders (`<root>/<ns>_<name>_<uid>/<container>/<attempt>.log`). Default /var/log/pods. */
  podLogsDirectory?: string;
  /** Must match the runtime's cgroup driver. Default cgroupfs. */
  cgroupDriver?: 'cgroupfs' | 'systemd';
  /** Parent cgroup of all pods (cgroupfs). Default /kubepods. */
  cgroupRoot?: string;
  runtimeHandler?: string;
  /** DNS servers for ClusterFirst pods; without them pods use the host's resolv.conf. */
  clusterDNS?: string[];
  clusterDomain?: string;
  /** CrashLoopBackOff: kubelet's 10 s doubling to 5 min by default. */
  crashBackoff?: BackoffTimings;
  /** ImagePullBackOff: 10 s doubling to 5 min by default. */
  imageBackoff?: BackoffTimings;
  /** How often the runtime is listed to notice container exits (kubelet's PLEG relist). Default 1000 ms. */
  relistMs?: number;
  /** Periodic re-sync of every pod. Default 60 000 ms. */
  resyncMs?: number;
  /** Garbage collection period. Default 60 000 ms. */
  gcIntervalMs?: number;
  /** Grace when neither the pod nor its deletion gives one. Default 30 s. */
  defaultTerminationGraceSeconds?: number;
}

export interface CompiledOptions {
  nodeName: string;
  hostIP: string;
  podLogsDirectory: string;
  cgroupDriver: 'cgroupfs' | 'systemd';
  cgroupRoot: string;
  runtimeHandler: string;
  clusterDNS: string[];
  clusterDomain: string;
  crashBackoff: BackoffTimings;
  imageBackoff: BackoffTimings;
  relistMs: number;
  resyncMs: number;
  gcIntervalMs: number;
  defaultTerminationGraceSeconds: number;
}

export function compileOptions(o: PodWorkersOptions): CompiledOptions {
  return {
    nodeName: o.nodeName,
    hostIP: o.hostIP,
    podLogsDirectory: o.podLogsDirectory ?? '/var/log/pods',
    cgroupDriver: o.cgroupDriver ?? 'cgroupfs',
    cgroupRoot: o.cgroupRoot ?? '/kubepods',
    runtimeHandler: o.runtimeHandler ?? '',
    clusterDNS: o.clusterDNS ?? [],
    clusterDomain: o.clusterDomain ?? 'cluster.local',
    crashBackoff: o.crashBackoff ?? { initialMs: 10_000, maxMs: 300_000 },
    imageBackoff: o.imageBackoff ?? { initialMs: 10_000, maxMs: 300_000 },
    relistMs: o.relistMs ?? 1000,
    resyncMs: o.resyncMs ?? 60_000,
    gcIntervalMs: o.gcIntervalMs ?? 60_000,
    defaultTerminationGraceSeconds: o.defaultTerminationGraceSeconds ?? 30,
  };
}
