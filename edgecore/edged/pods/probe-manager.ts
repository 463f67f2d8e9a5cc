/**
 * Keeps one set of probe loops per running container instance (kubelet's prober manager): started when the container
 * runs, stopped when it is gone. Results land in the pod state and trigger a sync: readiness changes the status,
 * a liveness or startup failure restarts the container.
 */
import { ContainerProbes } from '../probes/worker';
import type { PodState } from './pod-state';
import { stopProbes } from './pod-state';
import type { ContainerInfo } from './runtime-state';
import type { SyncContext } from './sync-context';
import type { ProbeKind, StartProbes } from './types';

export function reconcileProbes(ctx: SyncContext, st: PodState, running: ContainerInfo[], podIP: string): void {
  const start = ctx.deps.startProbes ?? defaultStartProbes;
  const live = new Set(running.map((c) => c.id));
  for (const id of [...st.probes.keys()]) if (!live.has(id)) stopProbes(st, id);
  for (const c of running) {
    if (st.probes.has(c.id)) continue;
    const spec = st.pod.spec.containers.find((s) => s.name === c.name);
    if (spec === undefined) continue;
    if (!spec.livenessProbe && !spec.readinessProbe && !spec.startupProbe) continue;
    const containerId = c.id;
    const handle = start({
      pod: st.pod,
      container: spec,
      startedAtMs: c.startedAtMs || ctx.now(),
      target: {
        podIP,
        ports: spec.ports,
        exec: async (cmd, timeoutMs) => {
          const r = await ctx.deps.cri.execSync(containerId, cmd, Math.max(1, Math.ceil(timeoutMs / 1000)));
          return { exitCode: r.exitCode, output: Buffer.concat([r.stdout, r.stderr]).toString('utf8') };
        },
      },
      onResult: (kind, ok, message) => onResult(ctx, st, containerId, kind, ok, message),
      onAttempt: (kind, ok, message) => {
        if (!ok && st.probes.has(containerId)) {
          ctx.deps.recordEvent(st.pod, 'Warning', 'Unhealthy', `${TITLE[kind]} probe failed: ${message}`.trim());
        }
      },
    });
    st.probes.set(containerId, handle);
  }
}

const defaultStartProbes: StartProbes = (spec) => {
  const probes = new ContainerProbes({
    container: spec.container,
    target: spec.target,
    startedAtMs: spec.startedAtMs,
    onResult: spec.onResult,
    onAttempt: (kind, outcome) => spec.onAttempt(kind, outcome.result === 'success', outcome.message),
  });
  probes.start();
  return probes;
};

const TITLE: Record<ProbeKind, string> = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' };

function onResult(ctx: SyncContext, st: PodState, containerId: string, kind: ProbeKind, ok: boolean, message: string): void {
  if (!st.probes.has(containerId)) return; // a late result of a stopped loop
  switch (kind) {
    case 'readiness':
      if (st.readiness.get(containerId) === ok) return;
      st.readiness.set(containerId, ok);
      break;
    case 'startup':
      if (ok) st.startup.set(containerId, true);
      else st.unhealthy.set(containerId, { kind, message });
      break;
    case 'liveness':
      if (ok) return;
      st.unhealthy.set(containerId, { kind, message });
      break;
  }
  ctx.requeue(st.uid);
}
