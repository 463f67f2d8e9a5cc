/**
 * What a pod worker remembers about one pod between syncs. Everything else is re-read from the runtime each sync,
 * so an edged restart loses only this (back-off timers, probe results, reasons of the last failure).
 */
import type { Pod, PodStatus } from '../api';
import type { WaitingReason } from './status';
import type { ProbeHandle } from './types';

export interface PodState {
  readonly uid: string;
  pod: Pod;
  /** Why each container is not running, by container name; cleared when it starts. */
  waiting: Map<string, WaitingReason>;
  /** Probe results by container id. */
  readiness: Map<string, boolean>;
  startup: Map<string, boolean>;
  /** Liveness/startup failures (container id -> probe message) that ask for a restart. */
  unhealthy: Map<string, { kind: 'liveness' | 'startup'; message: string }>;
  probes: Map<string, ProbeHandle>;
  /** Volume name -> host path, once prepared. */
  volumes: Map<string, string> | undefined;
  /** The last computed status (at first the one the store holds, for transition times and a sticky phase). */
  status: PodStatus | undefined;
  /** onStatus was called at least once by this worker (the first computed status is always reported). */
  reported: boolean;
  startTime: string | undefined;
  /** Set by remove(): the pod is gone from the store; clean everything up. */
  removed: boolean;
  /** onTerminated was called. */
  terminatedNotified: boolean;
  /** Grace (s) of the kill in progress, to notice a shorter one. */
  killGraceSeconds: number | undefined;
}

export function newPodState(pod: Pod): PodState {
  return {
    uid: pod.metadata.uid ?? '',
    pod,
    waiting: new Map(),
    readiness: new Map(),
    startup: new Map(),
    unhealthy: new Map(),
    probes: new Map(),
    volumes: undefined,
    status: pod.status && Object.keys(pod.status).length > 0 ? pod.status : undefined,
    reported: false,
    startTime: pod.status?.startTime,
    removed: false,
    terminatedNotified: false,
    killGraceSeconds: undefined,
  };
}

export function stopProbes(state: PodState, containerId?: string): void {
  for (const [id, handle] of state.probes) {
    if (containerId !== undefined && id !== containerId) continue;
    handle.stop();
    state.probes.delete(id);
    state.readiness.delete(id);
    state.startup.delete(id);
    state.unhealthy.delete(id);
  }
}
