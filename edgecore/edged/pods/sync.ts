/**
 * One sync of one pod (kubelet's computePodActions + SyncPod): read what the runtime holds, make it match the spec
 * (sandbox, init containers in order, containers per restartPolicy with CrashLoopBackOff, liveness restarts), then
 * compute and publish the status. Level-triggered and idempotent: it can run at any time, as often as wanted.
 */
import { rm } from 'node:fs/promises';
import type { Container, Pod } from '../api';
import { isPodConfigError } from '../pod-errors';
import { containerHash } from './container-config';
import type { PodState } from './pod-state';
import { stopProbes } from './pod-state';
import { reconcileProbes } from './probe-manager';
import { readPodRuntime, type ContainerInfo, type PodRuntime, type SandboxInfo } from './runtime-state';
import { buildSandboxConfig, podFullName, podLogDirectory } from './sandbox-config';
import { startContainer } from './start-container';
import { rfc3339 } from '../../../pkg/timing';
import { computeStatus, isTerminalPhase, sameStatus } from './status';
import type { SyncContext } from './sync-context';

export interface SyncResult {
  requeueAfterMs?: number;
}

/** Go's time.Duration format for kubelet's messages: 10s, 1m20s, 5m0s. */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(3))}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${s % 60}s`;
}

function shouldRestart(pod: Pod, c: ContainerInfo, init: boolean): boolean {
  const policy = pod.spec.restartPolicy ?? 'Always';
  if (init) return policy !== 'Never' && c.exitCode !== 0;
  if (policy === 'Always') return true;
  if (policy === 'OnFailure') return c.exitCode !== 0;
  return false;
}

function minRequeue(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

/** The grace a deletion allows: the deletion's own, else the pod's, else the default. */
export function deletionGraceSeconds(ctx: SyncContext, pod: Pod): number {
  return pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? ctx.options.defaultTerminationGraceSeconds;
}

export async function syncPod(ctx: SyncContext, st: PodState): Promise<SyncResult> {
  if (st.removed) {
    await cleanupPod(ctx, st.uid);
    stopProbes(st);
    return {};
  }
  const t0 = performance.now();
  let rt = await readPodRuntime(ctx.deps.cri, st.uid);
  ctx.deps.log.debug({ pod: podFullName(st.pod), readMs: Math.round(performance.now() - t0) }, 'trace: sync start');
  if (st.startTime === undefined) st.startTime = rfc3339(rt.sandboxes.at(-1)?.createdAtMs ?? ctx.now());
  if (st.pod.metadata.deletionTimestamp) {
    await terminatePod(ctx, st, rt, deletionGraceSeconds(ctx, st.pod));
    return {};
  }
  if (isTerminalPhase(st.status?.phase)) {
    await killPod(ctx, st, rt, 0);
    publish(ctx, st, await readPodRuntime(ctx.deps.cri, st.uid), true);
    return {};
  }

  const result = await reconcile(ctx, st, rt);
  rt = await readPodRuntime(ctx.deps.cri, st.uid);
  const status = publish(ctx, st, rt, false);
  const sandbox = rt.sandboxes[0];
  if (isTerminalPhase(status.phase)) {
    // restartPolicy says nothing more will run: free the sandbox, keep the containers for their logs and status.
    await killPod(ctx, st, rt, deletionGraceSeconds(ctx, st.pod));
    publish(ctx, st, await readPodRuntime(ctx.deps.cri, st.uid), true);
    return {};
  }
  if (sandbox?.ready) {
    const running = rt.containers.filter((c) => c.sandboxId === sandbox.id && c.state === 'running');
    reconcileProbes(ctx, st, running, podIPOf(ctx, st.pod, sandbox));
  }
  return result;
}

function podIPOf(ctx: SyncContext, pod: Pod, sandbox: SandboxInfo): string {
  return pod.spec.hostNetwork ? ctx.options.hostIP : (sandbox.ips[0] ?? '');
}

function publish(ctx: SyncContext, st: PodState, rt: PodRuntime, terminal: boolean) {
  const status = computeStatus({
    pod: st.pod,
    runtime: rt,
    waiting: st.waiting,
    readiness: st.readiness,
    startup: st.startup,
    previous: st.status,
    terminal,
    hostIP: ctx.options.hostIP,
    runtimeName: ctx.runtimeName(),
    startTime: st.startTime ?? rfc3339(ctx.now()),
    now: ctx.now(),
  });
  if (!st.reported || !sameStatus(st.status, status)) {
    ctx.deps.log.debug({ pod: podFullName(st.pod), phase: status.phase }, 'trace: status');
    st.reported = true;
    st.status = status;
    ctx.deps.onStatus(st.pod, status);
  }
  return status;
}

async function reconcile(ctx: SyncContext, st: PodState, rt: PodRuntime): Promise<SyncResult> {
  const { pod } = st;
  const { cri } = ctx.deps;
  if (st.volumes === undefined) {
    try {
      st.volumes = ctx.deps.volumes ? await ctx.deps.volumes.prepare(pod) : new Map();
    } catch (err) {
      if (!isPodConfigError(err)) throw err;
      ctx.deps.recordEvent(pod, 'Warning', 'FailedMount', err.message);
      return { requeueAfterMs: ctx.options.crashBackoff.initialMs };
    }
  }

  let sandbox = rt.sandboxes[0];
  if (sandbox === undefined || !sandbox.ready) {
    if (sandbox !== undefined && (pod.spec.restartPolicy ?? 'Always') === 'Never' && rt.containers.length > 0) {
      // kubelet: a Never pod whose sandbox died does not get a new one; its containers are done.
      return {};
    }
    const attempt = sandbox === undefined ? 0 : sandbox.attempt + 1;
    if (sandbox !== undefined) {
      ctx.deps.recordEvent(pod, 'Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
      await killPod(ctx, st, rt, deletionGraceSeconds(ctx, pod));
    }
    const t0 = performance.now();
    try {
      await cri.runPodSandbox(buildSandboxConfig(pod, attempt, ctx.options), ctx.options.runtimeHandler);
    } catch (err) {
      ctx.deps.recordEvent(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${(err as Error).message}`);
      return { requeueAfterMs: ctx.options.crashBackoff.initialMs };
    }
    const t1 = performance.now();
    rt = await readPodRuntime(cri, st.uid);
    ctx.deps.log.debug({ pod: podFullName(pod), sandboxMs: Math.round(t1 - t0), readMs: Math.round(performance.now() - t1) }, 'trace: sandbox');
    sandbox = rt.sandboxes[0]!;
  }

  const podIP = podIPOf(ctx, pod, sandbox);
  const current = rt.containers.filter((c) => c.sandboxId === sandbox.id);
  const initSpecs = pod.spec.initContainers ?? [];
  const isInit = (name: string): boolean => initSpecs.some((s) => s.name === name);
  const nextAttempt = (name: string): number => {
    const newest = rt.containers.find((c) => c.name === name);
    return newest === undefined ? 0 : newest.attempt + 1;
  };

  // Init containers, one at a time, until all have succeeded in this sandbox.
  if (!current.some((c) => !isInit(c.name))) {
    for (const spec of initSpecs) {
      const latest = current.find((c) => c.name === spec.name);
      if (latest === undefined) return startContainer(ctx, st, sandbox, spec, nextAttempt(spec.name), true, podIP);
      if (latest.state === 'running' || latest.state === 'unknown') return {};
      if (latest.state === 'created') return startCreated(ctx, st, latest);
      if (latest.exitCode === 0) continue;
      if (!shouldRestart(pod, latest, true)) return {}; // the status says Failed; the next sync kills the pod
      return restartWithBackoff(ctx, st, sandbox, spec, latest, true, podIP);
    }
  }

  let requeue: number | undefined;
  for (const spec of pod.spec.containers) {
    let latest = current.find((c) => c.name === spec.name);
    if (latest === undefined) {
      const older = rt.containers.find((c) => c.name === spec.name);
      if (older !== undefined && older.state === 'exited' && !shouldRestart(pod, older, false)) continue;
      const r = await startContainer(ctx, st, sandbox, spec, nextAttempt(spec.name), false, podIP);
      requeue = minRequeue(requeue, r.requeueAfterMs);
      continue;
    }
    if (latest.state === 'running') {
      const killed = await killIfUnhealthy(ctx, st, spec, latest);
      if (killed === undefined) continue;
      latest = killed;
    }
    if (latest.state === 'created') {
      await startCreated(ctx, st, latest);
      continue;
    }
    if (latest.state !== 'exited') continue;
    if (!shouldRestart(pod, latest, false)) {
      st.waiting.delete(spec.name);
      continue;
    }
    const r = await restartWithBackoff(ctx, st, sandbox, spec, latest, false, podIP);
    requeue = minRequeue(requeue, r.requeueAfterMs);
  }
  return { requeueAfterMs: requeue };
}

/** Liveness/startup failure or a changed definition: stop the container; returns its exited record, or undefined. */
async function killIfUnhealthy(ctx: SyncContext, st: PodState, spec: Container, c: ContainerInfo): Promise<ContainerInfo | undefined> {
  let message: string | undefined;
  const unhealthy = st.unhealthy.get(c.id);
  if (c.hash !== '' && c.hash !== containerHash(spec)) message = `Container ${spec.name} definition changed, will be restarted`;
  else if (unhealthy) message = `Container ${spec.name} failed ${unhealthy.kind} probe, will be restarted`;
  if (message === undefined) return undefined;
  ctx.deps.recordEvent(st.pod, 'Normal', 'Killing', message);
  stopProbes(st, c.id);
  const probeGrace = (unhealthy?.kind === 'liveness' ? spec.livenessProbe : unhealthy?.kind === 'startup' ? spec.startupProbe : undefined)
    ?.terminationGracePeriodSeconds;
  await ctx.deps.cri.stopContainer(c.id, probeGrace ?? st.pod.spec.terminationGracePeriodSeconds ?? ctx.options.defaultTerminationGraceSeconds);
  const after = (await readPodRuntime(ctx.deps.cri, st.uid)).containers.find((x) => x.id === c.id);
  if (after === undefined || after.state !== 'exited') return undefined;
  // A probe-killed container restarts unless the policy is Never, whatever its exit code (kubelet).
  if (unhealthy && (st.pod.spec.restartPolicy ?? 'Always') !== 'Never' && after.exitCode === 0) return { ...after, exitCode: 137 };
  return after;
}

async function startCreated(ctx: SyncContext, st: PodState, c: ContainerInfo): Promise<SyncResult> {
  // Created but never started (edged stopped in between): start it now.
  try {
    await ctx.deps.cri.startContainer(c.id);
    ctx.deps.recordEvent(st.pod, 'Normal', 'Started', `Started container ${c.name}`);
  } catch (err) {
    st.waiting.set(c.name, { reason: 'RunContainerError', message: (err as Error).message });
    ctx.deps.recordEvent(st.pod, 'Warning', 'Failed', `Error: ${(err as Error).message}`);
  }
  return {};
}

async function restartWithBackoff(
  ctx: SyncContext,
  st: PodState,
  sandbox: SandboxInfo,
  spec: Container,
  latest: ContainerInfo,
  init: boolean,
  podIP: string,
): Promise<SyncResult> {
  const key = `${st.uid}/${spec.name}/${containerHash(spec)}`;
  const finished = latest.finishedAtMs > 0 ? latest.finishedAtMs : ctx.now();
  const remaining = ctx.crashBackoff.remainingSince(key, finished);
  if (remaining > 0) {
    const message = `back-off ${goDuration(ctx.crashBackoff.delayMs(key))} restarting failed container=${spec.name} pod=${podFullName(st.pod)}`;
    st.waiting.set(spec.name, { reason: 'CrashLoopBackOff', message });
    ctx.deps.recordEvent(st.pod, 'Warning', 'BackOff', `Back-off restarting failed container ${spec.name} in pod ${podFullName(st.pod)}`);
    return { requeueAfterMs: remaining };
  }
  ctx.crashBackoff.next(key, finished);
  return startContainer(ctx, st, sandbox, spec, latest.attempt + 1, init, podIP);
}

/** Stops every container (with grace) and every sandbox of the pod; probes end first. */
export async function killPod(ctx: SyncContext, st: PodState, rt: PodRuntime, graceSeconds: number): Promise<void> {
  stopProbes(st);
  st.killGraceSeconds = graceSeconds;
  const alive = rt.containers.filter((c) => c.state === 'running' || c.state === 'created' || c.state === 'unknown');
  await Promise.all(
    alive.map(async (c) => {
      if (c.state === 'running') ctx.deps.recordEvent(st.pod, 'Normal', 'Killing', `Stopping container ${c.name}`);
      await ctx.deps.cri.stopContainer(c.id, graceSeconds);
    }),
  );
  for (const s of rt.sandboxes) if (s.ready) await ctx.deps.cri.stopPodSandbox(s.id);
  st.killGraceSeconds = undefined;
}

/** Graceful deletion: stop everything with the deletion's grace, report the final status, confirm once. */
async function terminatePod(ctx: SyncContext, st: PodState, rt: PodRuntime, graceSeconds: number): Promise<void> {
  await killPod(ctx, st, rt, graceSeconds);
  publish(ctx, st, await readPodRuntime(ctx.deps.cri, st.uid), true);
  if (!st.terminatedNotified) {
    st.terminatedNotified = true;
    ctx.deps.onTerminated(st.pod);
  }
}

/** The pod is gone: kill at once, remove its containers, sandboxes, volumes and logs. Works from the uid alone. */
export async function cleanupPod(ctx: SyncContext, uid: string): Promise<void> {
  const { cri } = ctx.deps;
  const rt = await readPodRuntime(cri, uid);
  await Promise.all(rt.containers.filter((c) => c.state !== 'exited').map((c) => cri.stopContainer(c.id, 0)));
  for (const c of rt.containers) await cri.removeContainer(c.id);
  const sandboxes = await cri.listPodSandbox({ labelSelector: { 'io.kubernetes.pod.uid': uid } });
  for (const s of sandboxes) {
    await cri.stopPodSandbox(s.id);
    await cri.removePodSandbox(s.id);
    if (s.metadata) {
      const dir = podLogDirectory(ctx.options, { namespace: s.metadata.namespace, name: s.metadata.name, uid });
      await rm(dir, { recursive: true, force: true });
    }
  }
  await ctx.deps.volumes?.cleanup(uid);
  ctx.crashBackoff.forgetPrefix(`${uid}/`);
  ctx.imageBackoff.forgetPrefix(`${uid}/`);
}
