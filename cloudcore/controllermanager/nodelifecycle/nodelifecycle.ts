/**
 * Node lifecycle: a node whose Lease (kube-node-lease/<node>) and Ready heartbeat have both stayed unchanged for longer
 * than the grace period gets its conditions set Unknown ("Kubelet stopped posting node status.") and the unreachable
 * NoSchedule and NoExecute taints; when its agent reports Ready again, the taints go. Taints follow the conditions as
 * Kubernetes' taint-by-condition does (not-ready, memory-pressure, ...).
 *
 * Freshness is judged by when *this* controller saw the lease or heartbeat change, not by the timestamps in them, so
 * clock skew between an edge host and the cloud does not matter (as in Kubernetes).
 *
 * Pods are left alone by default, unlike Kubernetes: an edge node keeps running its pods while its link is down, and
 * marking them NotReady would flap every Deployment's availability on each outage while telling nothing the node's own
 * condition does not; the node reports their real state when it is back. evictPodsOnUnreachable restores Kubernetes'
 * behaviour (pods marked NotReady, then evicted per their NoExecute tolerations).
 */
import { isConflict, isNotFound, isTombstone } from '../../../pkg/kube';
import { newQueue, REFS, runWorkers, type Controller, type ControllerContext } from '../context';
import { POD_NODE_INDEX, podNodeIndex } from '../util/indexes';
import type { Lease, Node, Pod } from '../util/types';
import { evictPods, markPodsNotReady, type EvictionDeps } from './eviction';
import { reconcileTaints, unknownConditions, wantedTaints } from './node-state';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

interface Health {
  /** When this controller last saw the node's lease or heartbeat change. */
  probeMs: number;
  renewTime?: string;
  heartbeat?: string;
}

export function createNodeLifecycleController(ctx: ControllerContext): Controller {
  const log = ctx.log.child({ controller: 'nodelifecycle' });
  const recorder = ctx.events.recorder('node-controller');
  const nodeClient = ctx.client.resource<Node>(REFS.nodes);
  const nodes = ctx.factory.forResource<Node>(REFS.nodes);
  const leases = ctx.factory.forResource<Lease>({ ...REFS.leases, namespace: NODE_LEASE_NAMESPACE });
  const pods = ctx.factory.forResource<Pod>(REFS.pods, { indexers: { [POD_NODE_INDEX]: podNodeIndex } });
  const queue = newQueue(ctx, 'nodelifecycle');
  const health = new Map<string, Health>();
  const grace = ctx.options.nodeMonitorGracePeriodMs;
  const eviction: EvictionDeps = { pods: ctx.client.resource<Pod>(REFS.pods), recorder, evicted: () => ctx.metrics.podEvicted() };

  nodes.addHandler({
    add: (node) => queue.add(node.metadata?.name ?? ''),
    update: (_old, node) => queue.add(node.metadata?.name ?? ''),
    delete: (obj) => {
      const name = (isTombstone(obj) ? obj.obj : obj).metadata?.name ?? '';
      health.delete(name);
      queue.add(name);
    },
  });
  leases.addHandler({
    add: (lease) => queue.add(lease.metadata?.name ?? ''),
    update: (_old, lease) => queue.add(lease.metadata?.name ?? ''),
  });

  /** Records a change of lease or heartbeat as "seen alive now"; returns when the node was last seen alive. */
  function observe(node: Node, now: number): number {
    const name = node.metadata?.name ?? '';
    const renewTime = leases.store.get(`${NODE_LEASE_NAMESPACE}/${name}`)?.spec?.renewTime;
    const heartbeat = node.status?.conditions?.find((c) => c.type === 'Ready')?.lastHeartbeatTime;
    const h = health.get(name);
    if (!h || h.renewTime !== renewTime || h.heartbeat !== heartbeat) {
      health.set(name, { probeMs: now, renewTime, heartbeat });
      return now;
    }
    return h.probeMs;
  }

  async function reconcile(name: string, signal: AbortSignal): Promise<{ requeueAfterMs?: number } | void> {
    let node = nodes.store.get(name);
    if (!node) return;
    const now = ctx.now();
    const silentMs = now - observe(node, now);
    let requeueAfterMs: number | undefined = silentMs <= grace ? grace - silentMs + 100 : undefined;

    if (silentMs > grace) {
      const conditions = unknownConditions(node, now);
      if (conditions) {
        const wasReady = node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
        node = await nodeClient.updateStatus({ ...node, status: { ...(node.status ?? {}), conditions } }, { signal });
        log.info({ node: name, silentMs }, 'node stopped reporting; marked Unknown');
        ctx.metrics.nodeMarkedUnknown();
        if (wasReady) recorder.event(nodeRef(name), 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
      }
    }

    const taints = reconcileTaints(node, wantedTaints(node), now);
    if (taints) {
      try {
        node = await nodeClient.patch(name, { metadata: { resourceVersion: node.metadata?.resourceVersion }, spec: { taints: taints.length > 0 ? taints : null } }, {
          type: 'merge',
          signal,
        });
      } catch (error) {
        // Gone, or changed since our read: its update event brings it back.
        if (isNotFound(error) || isConflict(error)) return;
        throw error;
      }
    }

    if (ctx.options.evictPodsOnUnreachable) {
      const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
      const onNode = pods.store.byIndex(POD_NODE_INDEX, name);
      if (ready !== 'True') await markPodsNotReady(eviction, onNode, now, signal);
      const next = await evictPods(eviction, node, onNode, now, signal);
      if (next !== undefined) requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, next + 100);
    }
    return requeueAfterMs !== undefined ? { requeueAfterMs } : undefined;
  }

  return { name: 'nodelifecycle', start: (signal) => runWorkers(ctx, 'nodelifecycle', queue, reconcile, signal) };
}

/** Kubernetes records node events with the node's name as its uid. */
const nodeRef = (name: string): Node => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, uid: name } });
