/**
 * Starting one container instance (kubelet's startContainer): image, env, mounts, config, create, start, with the
 * events a kubelet records. Failures of the pod's inputs become a waiting reason, never an exception.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Container } from '../api';
import { isPodConfigError } from '../pod-errors';
import { validateContainerProbes } from '../probes/validate';
import { buildContainerConfig, buildMounts } from './container-config';
import { ImageError, ensureImage } from './images';
import type { PodState } from './pod-state';
import type { SyncContext } from './sync-context';
import { buildSandboxConfig, podLogDirectory, podIdentity } from './sandbox-config';
import type { SandboxInfo } from './runtime-state';

export interface StartResult {
  started: boolean;
  /** Try again after this long (back-off or a bad input that may be fixed). */
  requeueAfterMs?: number;
}

class StartError extends Error {
  constructor(
    readonly reason: 'CreateContainerError' | 'RunContainerError',
    message: string,
  ) {
    super(message);
  }
}

export async function startContainer(
  ctx: SyncContext,
  st: PodState,
  sandbox: SandboxInfo,
  spec: Container,
  attempt: number,
  init: boolean,
  podIP: string,
): Promise<StartResult> {
  const pod = st.pod;
  const record = (type: 'Normal' | 'Warning', reason: string, message: string): void => ctx.deps.recordEvent(pod, type, reason, message);
  try {
    if (!init) validateContainerProbes(spec);
    const t0 = performance.now();
    await ensureImage({ cri: ctx.deps.cri, backoff: ctx.imageBackoff, recordEvent: record, now: ctx.now }, pod, spec);
    const env = ctx.deps.resolveEnv
      ? await ctx.deps.resolveEnv(pod, spec, { nodeName: ctx.options.nodeName, hostIP: ctx.options.hostIP, podIP })
      : (spec.env ?? []).filter((e) => e.value !== undefined).map((e) => ({ name: e.name, value: e.value ?? '' }));
    const mounts = buildMounts(pod, spec, st.volumes ?? new Map());
    const config = buildContainerConfig({ pod, container: spec, init, attempt, env, mounts });
    const sandboxConfig = buildSandboxConfig(pod, sandbox.attempt, ctx.options);
    mkdirSync(join(podLogDirectory(ctx.options, podIdentity(pod)), spec.name), { recursive: true });
    let id: string;
    const t1 = performance.now();
    try {
      id = await ctx.deps.cri.createContainer(sandbox.id, config, sandboxConfig);
    } catch (err) {
      throw new StartError('CreateContainerError', (err as Error).message);
    }
    record('Normal', 'Created', `Created container ${spec.name}`);
    const t2 = performance.now();
    try {
      await ctx.deps.cri.startContainer(id);
    } catch (err) {
      throw new StartError('RunContainerError', (err as Error).message);
    }
    const ms = (a: number, b: number): number => Math.round(b - a);
    ctx.deps.log.debug({ pod: `${pod.metadata.namespace}/${pod.metadata.name}`, imageAndConfigMs: ms(t0, t1), createMs: ms(t1, t2), startMs: ms(t2, performance.now()) }, 'trace: container');
    record('Normal', 'Started', `Started container ${spec.name}`);
    st.waiting.delete(spec.name);
    return { started: true };
  } catch (err) {
    if (err instanceof ImageError) {
      st.waiting.set(spec.name, { reason: err.reason, message: err.message });
      record('Warning', 'Failed', `Error: ${err.reason}`);
      // After ErrImagePull come back soon so the status shows ImagePullBackOff while waiting, as kubelet's does.
      const retry = err.retryAfterMs ?? ctx.options.imageBackoff.initialMs;
      return { started: false, requeueAfterMs: err.reason === 'ErrImagePull' ? Math.min(retry, 1000) : Math.max(retry, 100) };
    }
    if (isPodConfigError(err) || err instanceof StartError) {
      st.waiting.set(spec.name, { reason: err.reason, message: err.message });
      record('Warning', 'Failed', `Error: ${err.message}`);
      return { started: false, requeueAfterMs: ctx.options.crashBackoff.initialMs };
    }
    throw err;
  }
}
