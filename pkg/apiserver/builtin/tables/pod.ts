/**
 * `kubectl get pods` as the real server prints it (printers.go `printPod`): the Status column's reasons
 * (`Init:1/2`, `CrashLoopBackOff`, `Completed`, `Terminating`...), Ready counts with sidecars, and restarts with
 * the age of the last restart, `3 (5m ago)`.
 */
import type { KObject, TablePrinter, TableRowCondition } from '../types';
import { since, timestampMs } from '../util/age';
import { isObject, num, obj, objs, str } from '../util/json';
import { AGE_COLUMN, column, NAME_COLUMN, wide } from './columns';

const isSidecar = (c: KObject | undefined): boolean => c !== undefined && c.restartPolicy === 'Always';

function hasCondition(status: KObject, type: string): boolean {
  return objs(status.conditions).some((c) => c.type === type && c.status === 'True');
}

/** `isPodInitializedConditionTrue`: the first Initialized condition decides. */
function initializedTrue(status: KObject): boolean {
  const c = objs(status.conditions).find((x) => x.type === 'Initialized');
  return c !== undefined && c.status === 'True';
}

/** Finish time of a container's last termination, for "(Xs ago)". */
const lastTerminated = (s: KObject): number | undefined => timestampMs(obj(obj(s.lastState).terminated).finishedAt);

const later = (a: number | undefined, b: number | undefined): number | undefined => (b !== undefined && (a === undefined || b > a) ? b : a);

interface PodSummary {
  ready: number;
  total: number;
  reason: string;
  restarts: number;
  lastRestartMs: number | undefined;
}

export function summarizePod(pod: KObject): PodSummary {
  const spec = obj(pod.spec);
  const status = obj(pod.status);
  const phase = str(status.phase);
  let reason = str(status.reason) || phase;
  if (objs(status.conditions).some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) reason = 'SchedulingGated';

  const initSpecs = new Map(objs(spec.initContainers).map((c) => [str(c.name), c]));
  let total = objs(spec.containers).length + [...initSpecs.values()].filter(isSidecar).length;
  let ready = 0;
  let restarts = 0;
  let lastRestartMs: number | undefined;
  let sidecarRestarts = 0;
  let lastSidecarRestartMs: number | undefined;

  let initializing = false;
  const inits = objs(status.initContainerStatuses);
  for (let i = 0; i < inits.length; i++) {
    const c = inits[i] as KObject;
    const sidecar = isSidecar(initSpecs.get(str(c.name)));
    restarts += num(c.restartCount);
    lastRestartMs = later(lastRestartMs, lastTerminated(c));
    if (sidecar) {
      sidecarRestarts += num(c.restartCount);
      lastSidecarRestartMs = later(lastSidecarRestartMs, lastTerminated(c));
    }
    const state = obj(c.state);
    const terminated = isObject(state.terminated) ? state.terminated : undefined;
    const waiting = isObject(state.waiting) ? state.waiting : undefined;
    if (terminated && num(terminated.exitCode) === 0) continue;
    if (sidecar && c.started === true) {
      if (c.ready === true) ready++;
      continue;
    }
    if (terminated) {
      if (str(terminated.reason)) reason = `Init:${str(terminated.reason)}`;
      else reason = num(terminated.signal) !== 0 ? `Init:Signal:${num(terminated.signal)}` : `Init:ExitCode:${num(terminated.exitCode)}`;
    } else if (waiting && str(waiting.reason) && waiting.reason !== 'PodInitializing') {
      reason = `Init:${str(waiting.reason)}`;
    } else {
      reason = `Init:${i}/${initSpecs.size}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || initializedTrue(status)) {
    restarts = sidecarRestarts;
    lastRestartMs = lastSidecarRestartMs;
    let hasRunning = false;
    const statuses = objs(status.containerStatuses);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i] as KObject;
      restarts += num(c.restartCount);
      lastRestartMs = later(lastRestartMs, lastTerminated(c));
      const state = obj(c.state);
      const waiting = obj(state.waiting);
      const terminated = isObject(state.terminated) ? state.terminated : undefined;
      if (str(waiting.reason)) reason = str(waiting.reason);
      else if (terminated && str(terminated.reason)) reason = str(terminated.reason);
      else if (terminated) reason = num(terminated.signal) !== 0 ? `Signal:${num(terminated.signal)}` : `ExitCode:${num(terminated.exitCode)}`;
      else if (c.ready === true && isObject(state.running)) {
        hasRunning = true;
        ready++;
      }
    }
    // A pod with a container still running is not "Completed".
    if (reason === 'Completed' && hasRunning) reason = hasCondition(status, 'Ready') ? 'Running' : 'NotReady';
  }

  const deleting = obj(pod.metadata).deletionTimestamp;
  if (deleting && status.reason === 'NodeLost') reason = 'Unknown';
  else if (deleting && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';
  total = Math.max(total, 0);
  return { ready, total, reason, restarts, lastRestartMs };
}

function readinessGates(pod: KObject): string {
  const gates = objs(obj(pod.spec).readinessGates);
  if (gates.length === 0) return '<none>';
  const conditions = objs(obj(pod.status).conditions);
  const ok = gates.filter((g) => conditions.find((c) => c.type === g.conditionType)?.status === 'True').length;
  return `${ok}/${gates.length}`;
}

const COMPLETED: Record<string, TableRowCondition[]> = {
  Succeeded: [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }],
  Failed: [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }],
};

export const POD_TABLE: TablePrinter = {
  columns: [
    NAME_COLUMN,
    column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    column('Status', 'string', 'The aggregate status of the containers in this pod.'),
    column('Restarts', 'string', 'Container restarts in this pod, and how long ago the last one was.'),
    AGE_COLUMN,
    wide('IP', 'string', 'The first IP address allocated to the pod.'),
    wide('Node', 'string', 'The node the pod is bound to.'),
    wide('Nominated Node', 'string', 'The node the scheduler nominated during preemption.'),
    wide('Readiness Gates', 'string', 'Readiness gates that are true, of those the pod lists.'),
  ],
  cells(pod, nowMs = Date.now()) {
    const s = summarizePod(pod);
    const restarts = s.restarts !== 0 && s.lastRestartMs !== undefined ? `${s.restarts} (${since(new Date(s.lastRestartMs).toISOString(), nowMs)} ago)` : String(s.restarts);
    const status = obj(pod.status);
    const ip = str(obj(objs(status.podIPs)[0]).ip);
    return [
      str(obj(pod.metadata).name),
      `${s.ready}/${s.total}`,
      s.reason,
      restarts,
      since(obj(pod.metadata).creationTimestamp, nowMs),
      ip || '<none>',
      str(obj(pod.spec).nodeName) || '<none>',
      str(status.nominatedNodeName) || '<none>',
      readinessGates(pod),
    ];
  },
  conditions: (pod) => COMPLETED[str(obj(pod.status).phase)],
};
