/**
 * The scheduler's filters and score, as pure functions, in the default plugin order (NodeUnschedulable,
 * TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit). A node fails at its first failing filter, with that
 * filter's reasons, which FitError then counts across nodes.
 */
import { requiredNodeAffinity, type PodPlacement } from '../../../pkg/apiserver/selectors';
import { nonZeroRequests, type Amounts } from '../util/resources';
import { isScheduleTaint, TAINT_NOT_READY, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE, tolerates, untoleratedTaint } from '../util/taints';
import type { Node, Pod, Taint } from '../util/types';

/** What is already placed on a node: requests of the pods bound (or assumed bound) to it. */
export interface NodeUsage {
  requested: Amounts;
  /** cpu and memory as scoring counts them (containers without requests count 100m / 200Mi). */
  nonZeroCpu: bigint;
  nonZeroMemory: bigint;
  pods: number;
  /** "protocol/hostIP/port" of host ports in use. */
  hostPorts: Set<string>;
}

export const emptyUsage = (): NodeUsage => ({ requested: new Map(), nonZeroCpu: 0n, nonZeroMemory: 0n, pods: 0, hostPorts: new Set() });

export const REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
export const REASON_AFFINITY = "node(s) didn't match Pod's node affinity/selector";
export const REASON_PORTS = "node(s) didn't have free ports for the requested pod ports";
export const REASON_TOO_MANY_PODS = 'Too many pods';

/**
 * The taints a node effectively has. Besides spec.taints, a node that is not Ready counts as tainted NoSchedule with
 * not-ready (Ready=False or not reported) or unreachable (Ready=Unknown), as the node lifecycle controller taints it, so
 * a node is never chosen in the moments before that taint is written.
 */
export function effectiveTaints(node: Node): Taint[] {
  const taints = [...(node.spec?.taints ?? [])];
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status !== 'True') {
    const key = ready?.status === 'Unknown' ? TAINT_UNREACHABLE : TAINT_NOT_READY;
    if (!taints.some((t) => t.key === key && t.effect === 'NoSchedule')) taints.push({ key, effect: 'NoSchedule' });
  }
  return taints;
}

/** Why the pod cannot go to the node; empty when it can. */
export function filterNode(pod: Pod, podRequest: Amounts, node: Node, usage: NodeUsage, allocatable: Amounts): string[] {
  const tolerations = pod.spec.tolerations ?? [];
  if (node.spec?.unschedulable && !tolerations.some((t) => tolerates(t, { key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' }))) {
    return [REASON_UNSCHEDULABLE];
  }
  const taint = untoleratedTaint(effectiveTaints(node), tolerations, isScheduleTaint);
  if (taint) return [`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`];
  if (!requiredNodeAffinity(pod.spec as PodPlacement).matches(node as never)) return [REASON_AFFINITY];
  if (hostPorts(pod).some((port) => portConflicts(port, usage.hostPorts))) return [REASON_PORTS];
  return insufficientResources(podRequest, usage, allocatable);
}

function insufficientResources(podRequest: Amounts, usage: NodeUsage, allocatable: Amounts): string[] {
  const reasons: string[] = [];
  const maxPods = allocatable.get('pods');
  if (maxPods !== undefined && BigInt(usage.pods + 1) * 1000n > maxPods) reasons.push(REASON_TOO_MANY_PODS);
  for (const [name, want] of podRequest) {
    if (name === 'pods' || want <= 0n) continue;
    const free = (allocatable.get(name) ?? 0n) - (usage.requested.get(name) ?? 0n);
    if (want > free) reasons.push(`Insufficient ${name}`);
  }
  return reasons;
}

/** "protocol/hostIP/port" of each host port the pod wants. */
export function hostPorts(pod: Pod): string[] {
  const out: string[] = [];
  for (const c of pod.spec.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.hostPort) out.push(`${p.protocol ?? 'TCP'}/${p.hostIP || '0.0.0.0'}/${p.hostPort}`);
    }
  }
  return out;
}

/** A wildcard host IP conflicts with every IP on the same protocol and port. */
function portConflicts(port: string, used: ReadonlySet<string>): boolean {
  const [protocol, ip, number] = port.split('/');
  for (const u of used) {
    const [uProtocol, uIp, uNumber] = u.split('/');
    if (uProtocol === protocol && uNumber === number && (ip === uIp || ip === '0.0.0.0' || uIp === '0.0.0.0')) return true;
  }
  return false;
}

/** NodeResourcesFit LeastAllocated: the mean of free cpu and free memory fractions after placing the pod, 0-100. */
export function leastRequestedScore(pod: Pod, usage: NodeUsage, allocatable: Amounts): number {
  const want = nonZeroRequests(pod);
  const part = (capacity: bigint | undefined, used: bigint): number => {
    if (!capacity || capacity <= 0n || used > capacity) return 0;
    return Number(((capacity - used) * 100n) / capacity);
  };
  const cpu = part(allocatable.get('cpu'), usage.nonZeroCpu + want.cpu);
  const memory = part(allocatable.get('memory'), usage.nonZeroMemory + want.memory);
  return (cpu + memory) / 2;
}

/**
 * FitError.Error(): `0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 2
 * Insufficient cpu.` Each reason counted over the nodes, "<count> <reason>" sorted as strings.
 */
export function fitErrorMessage(totalNodes: number, reasonsByNode: readonly (readonly string[])[]): string {
  if (totalNodes === 0) return 'no nodes available to schedule pods';
  const counts = new Map<string, number>();
  for (const reasons of reasonsByNode) for (const reason of reasons) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  const histogram = [...counts].map(([reason, n]) => `${n} ${reason}`).sort();
  return `0/${totalNodes} nodes are available: ${histogram.join(', ')}.`;
}
