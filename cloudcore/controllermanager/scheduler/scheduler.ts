/**
 * default-scheduler: binds each pending pod (schedulerName default-scheduler, no nodeName) to the feasible node with
 * the most free cpu and memory, through the pods/binding subresource. A pod that fits nowhere gets PodScheduled=False
 * (Unschedulable, with FitError's message) and a FailedScheduling event, and is tried again with back-off, and at once
 * whenever a node changes or a bound pod goes away.
 *
 * One worker: each decision must see the previous one. Bindings not yet in the informer are "assumed" (counted on
 * their node) until the informer shows them, as the real scheduler's cache does.
 */
import { isConflict, isNotFound, isTombstone, resourcePath, type ResourceClient } from '../../../pkg/kube';
import { newQueue, REFS, runWorkers, type Controller, type ControllerContext } from '../context';
import { POD_NODE_INDEX, podNodeIndex } from '../util/indexes';
import { isTerminal } from '../util/pods';
import { addInto, amountsOf, nonZeroRequests, podRequests } from '../util/resources';
import { semanticEqual } from '../util/hash';
import { rfc3339 } from '../../../pkg/timing/kube-time';
import type { Node, Pod } from '../util/types';
import { emptyUsage, filterNode, fitErrorMessage, hostPorts, leastRequestedScore, type NodeUsage } from './filters';

export const SCHEDULER_NAME = 'default-scheduler';
const PENDING_INDEX = 'scheduler-pending';
/** How long a binding may take to show in the informer before it is no longer counted. */
const ASSUME_TTL_MS = 30_000;

const isPending = (pod: Pod): boolean =>
  !pod.spec?.nodeName && (pod.spec?.schedulerName ?? SCHEDULER_NAME) === SCHEDULER_NAME && !pod.metadata?.deletionTimestamp && !isTerminal(pod);
const pendingIndex = (pod: Pod): string[] => (isPending(pod) ? ['pending'] : []);

interface Assumed {
  uid: string;
  nodeName: string;
  at: number;
}

export function createScheduler(ctx: ControllerContext): Controller {
  const log = ctx.log.child({ controller: 'scheduler' });
  const recorder = ctx.events.recorder(SCHEDULER_NAME);
  const podClient: ResourceClient<Pod> = ctx.client.resource<Pod>(REFS.pods);
  const pods = ctx.factory.forResource<Pod>(REFS.pods, { indexers: { [POD_NODE_INDEX]: podNodeIndex, [PENDING_INDEX]: pendingIndex } });
  const nodes = ctx.factory.forResource<Node>(REFS.nodes);
  const queue = newQueue(ctx, 'scheduler');
  const assumed = new Map<string, Assumed>();
  const attempts = new Map<string, number>();

  const keyOf = (pod: Pod): string => `${pod.metadata?.namespace}/${pod.metadata?.name}`;
  const wakeAll = (): void => {
    for (const key of pods.store.indexKeys(PENDING_INDEX, 'pending')) queue.add(key);
  };

  pods.addHandler({
    add: (pod) => {
      if (isPending(pod)) queue.add(keyOf(pod));
    },
    update: (old, pod) => {
      if (isPending(pod)) queue.add(keyOf(pod));
      // A bound pod finishing frees its node's resources.
      if (pod.spec?.nodeName && isTerminal(pod) && !isTerminal(old)) wakeAll();
    },
    delete: (obj) => {
      const pod = isTombstone(obj) ? obj.obj : obj;
      if (pod.spec?.nodeName) wakeAll();
    },
  });
  nodes.addHandler({
    add: wakeAll,
    update: (old, node) => {
      if (old !== node && schedulingChanged(old, node)) wakeAll();
    },
  });

  /** What is placed on each node: bound pods from the cache plus assumed bindings the cache does not show yet. */
  function usageByNode(now: number): Map<string, NodeUsage> {
    const usage = new Map<string, NodeUsage>();
    const add = (nodeName: string, pod: Pod): void => {
      let u = usage.get(nodeName);
      if (!u) usage.set(nodeName, (u = emptyUsage()));
      addInto(u.requested, podRequests(pod));
      const nz = nonZeroRequests(pod);
      u.nonZeroCpu += nz.cpu;
      u.nonZeroMemory += nz.memory;
      u.pods++;
      for (const port of hostPorts(pod)) u.hostPorts.add(port);
    };
    for (const node of nodes.store.list()) {
      const name = node.metadata?.name ?? '';
      for (const pod of pods.store.byIndex(POD_NODE_INDEX, name)) if (!isTerminal(pod)) add(name, pod);
    }
    for (const [key, a] of assumed) {
      const pod = pods.store.get(key);
      if (!pod || pod.metadata?.uid !== a.uid || pod.spec?.nodeName || now - a.at > ASSUME_TTL_MS) assumed.delete(key);
      else add(a.nodeName, pod);
    }
    return usage;
  }

  async function bind(pod: Pod, nodeName: string, signal: AbortSignal): Promise<boolean> {
    const { namespace, name, uid } = pod.metadata ?? {};
    try {
      await ctx.client.transport.request({
        method: 'POST',
        path: resourcePath(REFS.pods, namespace, name, 'binding'),
        body: { apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace, uid }, target: { kind: 'Node', name: nodeName } },
        signal,
      });
      return true;
    } catch (error) {
      // Bound meanwhile (by someone else) or deleted: nothing left to do for this pod.
      if (isConflict(error) || isNotFound(error)) return false;
      throw error;
    }
  }

  async function bindInBackground(pod: Pod, key: string, chosen: string, signal: AbortSignal): Promise<void> {
    try {
      const bound = await bind(pod, chosen, signal);
      ctx.metrics.scheduleAttempt('scheduled');
      if (bound) {
        recorder.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${key} to ${chosen}`);
        log.debug({ pod: key, node: chosen }, 'bound');
      } else {
        assumed.delete(key);
      }
    } catch (error) {
      assumed.delete(key);
      ctx.metrics.scheduleAttempt('error');
      if (signal.aborted) return;
      log.warn({ err: error, pod: key, node: chosen }, 'binding failed; the pod will be scheduled again');
      queue.addRateLimited(key);
    }
  }

  /** PodScheduled=False/Unschedulable, written only when it changes (lastTransitionTime kept while it stays False). */
  async function markUnschedulable(pod: Pod, message: string, signal: AbortSignal): Promise<void> {
    const current = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (current?.status === 'False' && current.reason === 'Unschedulable' && current.message === message) return;
    const lastTransitionTime = current?.status === 'False' && current.lastTransitionTime ? current.lastTransitionTime : rfc3339(ctx.now());
    const condition = { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastProbeTime: null, lastTransitionTime };
    try {
      await podClient.patch(pod.metadata?.name ?? '', { status: { conditions: [condition] } }, {
        type: 'strategic',
        subresource: 'status',
        namespace: pod.metadata?.namespace,
        signal,
      });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  async function reconcile(key: string, signal: AbortSignal): Promise<{ requeueAfterMs?: number } | void> {
    const pod = pods.store.get(key);
    if (!pod || !isPending(pod)) {
      attempts.delete(key);
      return;
    }
    const now = ctx.now();
    const pendingBinding = assumed.get(key);
    if (pendingBinding && pendingBinding.uid === pod.metadata?.uid && now - pendingBinding.at < ASSUME_TTL_MS) return;

    const usage = usageByNode(now);
    const request = podRequests(pod);
    const allNodes = nodes.store.list();
    const failures: string[][] = [];
    let best: { name: string; score: number }[] = [];
    for (const node of allNodes) {
      const name = node.metadata?.name ?? '';
      const allocatable = amountsOf(node.status?.allocatable ?? node.status?.capacity);
      const u = usage.get(name) ?? emptyUsage();
      const reasons = filterNode(pod, request, node, u, allocatable);
      if (reasons.length > 0) {
        failures.push(reasons);
        continue;
      }
      const score = leastRequestedScore(pod, u, allocatable);
      if (best.length === 0 || score > best[0]!.score) best = [{ name, score }];
      else if (score === best[0]!.score) best.push({ name, score });
    }

    if (best.length > 0) {
      const chosen = best[Math.floor(Math.random() * best.length)]!.name;
      assumed.set(key, { uid: pod.metadata?.uid ?? '', nodeName: chosen, at: now });
      attempts.delete(key);
      // kube-scheduler's binding cycle: the next pod is placed while this binding is written (the assumed entry keeps
      // it counted); waiting for each POST made a burst of pods bind one round trip at a time.
      void bindInBackground(pod, key, chosen, signal);
      return;
    }

    const message = fitErrorMessage(allNodes.length, failures);
    await markUnschedulable(pod, message, signal);
    recorder.event(pod, 'Warning', 'FailedScheduling', message);
    ctx.metrics.scheduleAttempt('unschedulable');
    const n = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, n);
    const { initial, max } = ctx.options.schedulerBackoffMs;
    log.debug({ pod: key, attempt: n, message }, 'unschedulable');
    return { requeueAfterMs: Math.min(max, initial * 2 ** (n - 1)) };
  }

  return {
    name: 'scheduler',
    start: (signal) => runWorkers(ctx, 'scheduler', queue, reconcile, signal),
  };
}

/** A node change that can make a pending pod fit: not heartbeats, but spec, labels, allocatable and condition states. */
function schedulingChanged(old: Node, node: Node): boolean {
  const view = (n: Node): unknown => ({
    labels: n.metadata?.labels,
    spec: n.spec,
    allocatable: n.status?.allocatable ?? n.status?.capacity,
    conditions: (n.status?.conditions ?? []).map((c) => [c.type, c.status]),
  });
  return !semanticEqual(view(old), view(node));
}

