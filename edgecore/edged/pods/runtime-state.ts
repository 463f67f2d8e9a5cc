/**
 * What the runtime holds for one pod (its sandboxes and containers, newest first), read through CRI and turned into
 * plain records with millisecond times. This is kubelet's "PodStatus" cache entry, rebuilt on each sync.
 */
import { ContainerState, PodSandboxState, type Container as CriContainer, type PodSandbox } from '../../../gen/runtime/v1/api';
import type { CriClient } from '../cri';
import * as labels from '../cri/labels';

export interface SandboxInfo {
  id: string;
  attempt: number;
  ready: boolean;
  createdAtMs: number;
  /** Pod IPs from the sandbox status (empty for host-network sandboxes). */
  ips: string[];
}

export type RuntimeContainerState = 'created' | 'running' | 'exited' | 'unknown';

export interface ContainerInfo {
  id: string;
  sandboxId: string;
  name: string;
  attempt: number;
  restartCount: number;
  hash: string;
  state: RuntimeContainerState;
  createdAtMs: number;
  startedAtMs: number;
  finishedAtMs: number;
  exitCode: number;
  reason: string;
  message: string;
  image: string;
  imageRef: string;
}

export interface PodRuntime {
  sandboxes: SandboxInfo[];
  containers: ContainerInfo[];
}

export function nsToMs(ns: bigint): number {
  return Number(ns / 1_000_000n);
}

export function containerStateName(state: ContainerState): RuntimeContainerState {
  switch (state) {
    case ContainerState.CONTAINER_CREATED:
      return 'created';
    case ContainerState.CONTAINER_RUNNING:
      return 'running';
    case ContainerState.CONTAINER_EXITED:
      return 'exited';
    default:
      return 'unknown';
  }
}

export async function readPodRuntime(cri: CriClient, uid: string): Promise<PodRuntime> {
  const [sandboxList, containerList] = await Promise.all([
    cri.listPodSandbox({ labelSelector: { [labels.POD_UID]: uid } }),
    cri.listContainers({ labelSelector: { [labels.POD_UID]: uid } }),
  ]);
  const sandboxes = await Promise.all(sandboxList.map((s) => sandboxInfo(cri, s)));
  const containers = (await Promise.all(containerList.map((c) => containerInfo(cri, c)))).filter((c): c is ContainerInfo => c !== undefined);
  sandboxes.sort((a, b) => b.attempt - a.attempt || b.createdAtMs - a.createdAtMs);
  containers.sort((a, b) => b.attempt - a.attempt || b.createdAtMs - a.createdAtMs);
  return { sandboxes, containers };
}

async function sandboxInfo(cri: CriClient, s: PodSandbox): Promise<SandboxInfo> {
  const ready = s.state === PodSandboxState.SANDBOX_READY;
  let ips: string[] = [];
  if (ready) {
    const status = await cri.podSandboxStatus(s.id);
    const network = status?.network;
    if (network?.ip) ips = [network.ip, ...network.additionalIps.map((x) => x.ip)];
  }
  return { id: s.id, attempt: s.metadata?.attempt ?? 0, ready, createdAtMs: nsToMs(s.createdAt), ips };
}

async function containerInfo(cri: CriClient, c: CriContainer): Promise<ContainerInfo | undefined> {
  const status = await cri.containerStatus(c.id);
  if (status === undefined) return undefined; // removed meanwhile
  const attempt = status.metadata?.attempt ?? c.metadata?.attempt ?? 0;
  const restart = Number(status.annotations[labels.CONTAINER_RESTART_COUNT] ?? c.annotations[labels.CONTAINER_RESTART_COUNT]);
  return {
    id: c.id,
    sandboxId: c.podSandboxId,
    name: status.labels[labels.CONTAINER_NAME] ?? c.metadata?.name ?? '',
    attempt,
    restartCount: Number.isFinite(restart) ? restart : attempt,
    hash: status.annotations[labels.CONTAINER_HASH] ?? c.annotations[labels.CONTAINER_HASH] ?? '',
    state: containerStateName(status.state),
    createdAtMs: nsToMs(status.createdAt),
    startedAtMs: nsToMs(status.startedAt),
    finishedAtMs: nsToMs(status.finishedAt),
    exitCode: status.exitCode,
    reason: status.reason,
    message: status.message,
    image: status.image?.image ?? '',
    imageRef: status.imageRef,
  };
}
