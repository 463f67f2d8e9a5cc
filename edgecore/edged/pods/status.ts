/**
 * PodStatus as a kubelet computes it (pkg/kubelet/kubelet_pods.go generateAPIPodStatus / getPhase and
 * pkg/kubelet/status/generate.go): container statuses with state/lastState/reason, phase, conditions, IPs, QoS.
 * Pure: everything it needs is passed in.
 */
import { rfc3339 } from '../../../pkg/timing';
import type { Container, ContainerState, ContainerStatus, Pod, PodCondition, PodPhase, PodStatus } from '../api';
import type { ContainerInfo, PodRuntime } from './runtime-state';
import { qosClass } from './resources';

export interface WaitingReason {
  reason: string;
  message: string;
}

export interface StatusInput {
  pod: Pod;
  runtime: PodRuntime;
  /** Why a container is not running (ErrImagePull, CrashLoopBackOff, CreateContainerConfigError...), by name. */
  waiting: ReadonlyMap<string, WaitingReason>;
  /** Readiness probe results by container id (absent = not yet known = not ready). */
  readiness: ReadonlyMap<string, boolean>;
  /** Startup probe results by container id. */
  startup: ReadonlyMap<string, boolean>;
  previous: PodStatus | undefined;
  /** The worker has finished with the pod (deleted or terminal): the phase becomes final. */
  terminal: boolean;
  hostIP: string;
  /** "containerd" -> containerIDs `containerd://<id>`. */
  runtimeName: string;
  startTime: string;
  now: number;
}


export function isTerminalPhase(phase: PodPhase | undefined): boolean {
  return phase === 'Succeeded' || phase === 'Failed';
}

function terminatedState(c: ContainerInfo, runtimeName: string): ContainerState {
  return {
    terminated: {
      exitCode: c.exitCode,
      reason: c.reason || (c.exitCode === 0 ? 'Completed' : 'Error'),
      ...(c.message ? { message: c.message } : {}),
      startedAt: c.startedAtMs > 0 ? rfc3339(c.startedAtMs) : undefined,
      finishedAt: c.finishedAtMs > 0 ? rfc3339(c.finishedAtMs) : undefined,
      containerID: `${runtimeName}://${c.id}`,
    },
  };
}

function containerStatus(input: StatusInput, spec: Container, defaultWaiting: string, podProbesOwn: { hasReadiness: boolean; hasStartup: boolean }): ContainerStatus {
  const instances = input.runtime.containers.filter((c) => c.name === spec.name);
  const latest = instances[0];
  const previous = instances[1];
  const cached = input.waiting.get(spec.name);
  const image = latest?.image || spec.image || '';
  const base = { name: spec.name, image, imageID: latest?.imageRef ?? '', restartCount: latest?.restartCount ?? 0 };
  if (latest === undefined) {
    return {
      ...base,
      state: { waiting: cached ?? { reason: defaultWaiting } },
      lastState: {},
      ready: false,
      started: false,
    };
  }
  const containerID = `${input.runtimeName}://${latest.id}`;
  const lastState = previous !== undefined && previous.state === 'exited' ? terminatedState(previous, input.runtimeName) : {};
  switch (latest.state) {
    case 'running': {
      const started = podProbesOwn.hasStartup ? input.startup.get(latest.id) === true : true;
      const ready = started && (podProbesOwn.hasReadiness ? input.readiness.get(latest.id) === true : true);
      return {
        ...base,
        containerID,
        state: { running: { startedAt: rfc3339(latest.startedAtMs || latest.createdAtMs) } },
        lastState,
        ready,
        started,
      };
    }
    case 'exited':
      if (cached !== undefined && !input.terminal) {
        // Waiting to be restarted: the finished instance is the last state.
        return { ...base, containerID, state: { waiting: cached }, lastState: terminatedState(latest, input.runtimeName), ready: false, started: false };
      }
      return { ...base, containerID, state: terminatedState(latest, input.runtimeName), lastState, ready: false, started: false };
    default:
      return {
        ...base,
        containerID,
        state: { waiting: cached ?? { reason: 'ContainerCreating' } },
        lastState,
        ready: false,
        started: false,
      };
  }
}

/** kubelet's getPhase. */
export function podPhase(pod: Pod, init: ContainerStatus[], app: ContainerStatus[], terminal: boolean): PodPhase {
  const policy = pod.spec.restartPolicy ?? 'Always';
  let pendingInit = 0;
  let failedInit = 0;
  for (const s of init) {
    if (s.state.running) pendingInit++;
    else if (s.state.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInit++;
    } else if (s.state.waiting && s.lastState.terminated) {
      if (s.lastState.terminated.exitCode !== 0) failedInit++;
    } else pendingInit++;
  }
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of app) {
    if (s.state.running) running++;
    else if (s.state.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state.waiting) {
      if (s.lastState.terminated) stopped++;
      else waiting++;
    }
  }
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  if (pendingInit > 0 || (failedInit > 0 && app.every((s) => !s.containerID))) {
    if (terminal) return failedInit > 0 ? 'Failed' : 'Pending';
    return 'Pending';
  }
  if (waiting > 0) return terminal ? 'Failed' : 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (terminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function condition(previous: PodStatus | undefined, now: number, c: Omit<PodCondition, 'lastTransitionTime' | 'lastProbeTime'>): PodCondition {
  const old = previous?.conditions?.find((x) => x.type === c.type);
  const lastTransitionTime = old !== undefined && old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(now);
  const out: PodCondition = { type: c.type, status: c.status, lastProbeTime: null, lastTransitionTime };
  if (c.reason) out.reason = c.reason;
  if (c.message) out.message = c.message;
  return out;
}

export function computeStatus(input: StatusInput): PodStatus {
  const { pod, previous, now } = input;
  const sandbox = input.runtime.sandboxes[0];
  const initSpecs = pod.spec.initContainers ?? [];
  const currentSandboxApp = sandbox !== undefined && input.runtime.containers.some((c) => c.sandboxId === sandbox.id && !initSpecs.some((i) => i.name === c.name));
  const initStatuses = initSpecs.map((c) => containerStatus(input, c, 'PodInitializing', { hasReadiness: false, hasStartup: false }));
  const initDone = initStatuses.every((s) => s.state.terminated?.exitCode === 0) || currentSandboxApp;
  const appStatuses = pod.spec.containers.map((c) =>
    containerStatus(input, c, initDone ? 'ContainerCreating' : 'PodInitializing', {
      hasReadiness: c.readinessProbe !== undefined,
      hasStartup: c.startupProbe !== undefined,
    }),
  );

  // The phase never leaves Succeeded/Failed once reported.
  let phase = podPhase(pod, initStatuses, appStatuses, input.terminal);
  if (isTerminalPhase(previous?.phase)) phase = previous!.phase!;
  const terminal = isTerminalPhase(phase);

  const hostNetwork = pod.spec.hostNetwork === true;
  let podIPs: string[] = [];
  if (sandbox?.ready) podIPs = hostNetwork ? [input.hostIP] : sandbox.ips;
  if (podIPs.length === 0 && previous?.podIPs?.length) podIPs = previous.podIPs.map((x) => x.ip);

  const unready = appStatuses.filter((s) => !s.ready).map((s) => s.name);
  const uninitialized = initSpecs.map((c, i) => (initStatuses[i]!.state.terminated?.exitCode === 0 ? undefined : c.name)).filter((n): n is string => n !== undefined);
  const conditions: PodCondition[] = [
    condition(previous, now, { type: 'PodReadyToStartContainers', status: sandbox?.ready && !terminal ? 'True' : 'False' }),
    initDone || (terminal && phase === 'Succeeded')
      ? condition(previous, now, { type: 'Initialized', status: 'True', reason: phase === 'Succeeded' && initSpecs.length > 0 ? 'PodCompleted' : undefined })
      : condition(previous, now, {
          type: 'Initialized',
          status: 'False',
          reason: 'ContainersNotInitialized',
          message: `containers with incomplete status: [${uninitialized.join(' ')}]`,
        }),
  ];
  for (const type of ['ContainersReady', 'Ready'] as const) {
    if (phase === 'Succeeded') conditions.push(condition(previous, now, { type, status: 'False', reason: 'PodCompleted' }));
    else if (unready.length === 0) conditions.push(condition(previous, now, { type, status: 'True' }));
    else conditions.push(condition(previous, now, { type, status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: [${unready.join(' ')}]` }));
  }
  conditions.push(condition(previous, now, { type: 'PodScheduled', status: 'True' }));

  const status: PodStatus = {
    phase,
    conditions,
    hostIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
    startTime: input.startTime,
    containerStatuses: appStatuses,
    qosClass: qosClass(pod),
  };
  if (initSpecs.length > 0) status.initContainerStatuses = initStatuses;
  if (podIPs.length > 0) {
    status.podIP = podIPs[0];
    status.podIPs = podIPs.map((ip) => ({ ip }));
  }
  return status;
}

/** Status equality for "did it change": JSON of both (field order is fixed by computeStatus). */
export function sameStatus(a: PodStatus | undefined, b: PodStatus): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}
