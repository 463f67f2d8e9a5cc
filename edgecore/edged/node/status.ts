import { microTime, rfc3339 } from '../../../pkg/timing';
import { formatQuantity, parseQuantity } from '../../../pkg/apiserver/builtin/util/quantity';
import type { Lease, Node, NodeCondition, NodeStatus, ResourceList } from '../api';
import type { HostInfo } from './host';

/** The Kubernetes version KubeEdge v1.23 vendors (its kubeletVersion prefix). */
export const KUBERNETES_VERSION = 'v1.32.10';
/** edged's port (KubeEdge constants.ServerPort), reported as the kubelet endpoint. */
export const EDGED_PORT = 10350;

/** KubeEdge's kubeletVersion: `<k8s version>-kubeedge-v<edgecore version>`, e.g. `v1.32.10-kubeedge-v0.1.0`. */
export function kubeletVersion(edgecoreVersion: string, kubernetesVersion = KUBERNETES_VERSION): string {
  const ours = edgecoreVersion.startsWith('v') ? edgecoreVersion : `v${edgecoreVersion}`;
  return `${kubernetesVersion}-kubeedge-${ours}`;
}

export interface BuildNodeOptions {
  nodeName: string;
  host: HostInfo;
  /** edged nodeLabels from the config; they win over the defaults. */
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  taints?: unknown[];
  status?: NodeStatus;
}

/** The Node edged registers: kubelet's well-known labels plus KubeEdge's edge role labels. */
export function buildNode(options: BuildNodeOptions): Node {
  const { nodeName, host } = options;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: nodeName,
      labels: {
        'kubernetes.io/hostname': nodeName,
        'kubernetes.io/os': host.operatingSystem,
        'kubernetes.io/arch': host.architecture,
        'beta.kubernetes.io/os': host.operatingSystem,
        'beta.kubernetes.io/arch': host.architecture,
        'node-role.kubernetes.io/edge': '',
        'node-role.kubernetes.io/agent': '',
        ...options.labels,
      },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', ...options.annotations },
    },
    spec: options.taints === undefined ? {} : { taints: options.taints },
    ...(options.status === undefined ? {} : { status: options.status }),
  };
}

/** A CRI RuntimeCondition (gen/runtime/v1/api.ts) by shape. */
export interface RuntimeConditionLike {
  type: string;
  status: boolean;
  reason: string;
  message: string;
}

export interface NodeStatusOptions {
  host: HostInfo;
  nodeName: string;
  kubeletVersion: string;
  /** CRI Status conditions; undefined when the runtime did not answer. */
  runtimeConditions: RuntimeConditionLike[] | undefined;
  /** CRI Version: `${runtimeName}://${runtimeVersion}` (containerd://1.6.20); '' when unknown. */
  containerRuntimeVersion: string;
  now: Date;
  /** The last status sent: conditions keep their lastTransitionTime while their status stays the same. */
  previous?: NodeStatus;
  /** system-reserved + kube-reserved, taken off allocatable. */
  reserved?: ResourceList;
  /** Hard eviction thresholds taken off allocatable; kubelet's defaults: memory 100Mi, ephemeral-storage 10 %. */
  evictionMemoryBytes?: number;
  evictionStorageFraction?: number;
  images?: NodeStatus['images'];
}

/** The status a kubelet posts (setNodeStatus): capacity, allocatable, conditions, addresses, nodeInfo, endpoints. */
export function nodeStatus(options: NodeStatusOptions): NodeStatus {
  const { host } = options;
  const capacity: ResourceList = {
    cpu: String(host.cpuCount),
    memory: binary(BigInt(host.memoryBytes)),
    pods: String(host.maxPods),
    'ephemeral-storage': binary(BigInt(host.ephemeralStorageBytes)),
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
  };
  const reserved = options.reserved ?? {};
  const evictionMemory = BigInt(options.evictionMemoryBytes ?? 100 * 1024 * 1024);
  const evictionStorage = BigInt(Math.ceil(host.ephemeralStorageBytes * (options.evictionStorageFraction ?? 0.1)));
  const allocatable: ResourceList = {
    ...capacity,
    cpu: milliCpu(BigInt(host.cpuCount) * 1000n - milli(reserved['cpu'])),
    memory: binary(BigInt(host.memoryBytes) - evictionMemory - whole(reserved['memory'])),
    'ephemeral-storage': binary(BigInt(host.ephemeralStorageBytes) - evictionStorage - whole(reserved['ephemeral-storage'])),
  };

  const addresses: NonNullable<NodeStatus['addresses']> = [];
  if (host.internalIP !== undefined) addresses.push({ type: 'InternalIP', address: host.internalIP });
  addresses.push({ type: 'Hostname', address: options.nodeName });

  return {
    capacity,
    allocatable,
    conditions: conditions(options),
    addresses,
    daemonEndpoints: { kubeletEndpoint: { Port: EDGED_PORT } },
    nodeInfo: {
      machineID: host.machineID,
      systemUUID: host.systemUUID,
      bootID: host.bootID,
      kernelVersion: host.kernelVersion,
      osImage: host.osImage,
      containerRuntimeVersion: options.containerRuntimeVersion,
      kubeletVersion: options.kubeletVersion,
      kubeProxyVersion: '',
      operatingSystem: host.operatingSystem,
      architecture: host.architecture,
    },
    ...(options.images === undefined ? {} : { images: options.images }),
  };
}

/** Ready from the runtime's conditions (kubelet's runtimeState), the pressure conditions False (no eviction yet). */
function conditions(options: NodeStatusOptions): NodeCondition[] {
  const problems = runtimeProblems(options.runtimeConditions);
  const ready: Omit<NodeCondition, 'lastHeartbeatTime' | 'lastTransitionTime'> =
    problems.length === 0
      ? { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }
      : { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: problems.join(', ') };
  const all = [
    { type: 'MemoryPressure', status: 'False' as const, reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
    { type: 'DiskPressure', status: 'False' as const, reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
    { type: 'PIDPressure', status: 'False' as const, reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
    ready,
  ];
  const now = rfc3339(options.now.getTime());
  return all.map((condition) => {
    const before = options.previous?.conditions?.find((c) => c.type === condition.type);
    const lastTransitionTime = before?.status === condition.status && before.lastTransitionTime ? before.lastTransitionTime : now;
    return { ...condition, lastHeartbeatTime: now, lastTransitionTime };
  });
}

/** kubelet's runtime error texts (`container runtime network not ready: NetworkReady=false reason:... message:...`). */
export function runtimeProblems(runtimeConditions: RuntimeConditionLike[] | undefined): string[] {
  if (runtimeConditions === undefined) return ['container runtime is down'];
  const text = (c: RuntimeConditionLike): string => `${c.type}=${c.status} reason:${c.reason} message:${c.message}`;
  const problems: string[] = [];
  const runtime = runtimeConditions.find((c) => c.type === 'RuntimeReady');
  const network = runtimeConditions.find((c) => c.type === 'NetworkReady');
  if (runtime === undefined) problems.push('container runtime status check may not have completed yet');
  else if (!runtime.status) problems.push(`container runtime not ready: ${text(runtime)}`);
  if (network === undefined) problems.push('container runtime network not ready: NetworkReady condition is missing');
  else if (!network.status) problems.push(`container runtime network not ready: ${text(network)}`);
  return problems;
}

/**
 * The node's Lease in kube-node-lease (renewed every 10 s by edged; KubeEdge's duration is 40 s), owned by the Node
 * so it goes with it. renewTime is a MicroTime (microsecond precision).
 */
export function buildLease(node: Node, holder: string, durationSeconds: number, now: Date): Lease {
  const name = node.metadata.name ?? holder;
  const uid = node.metadata.uid;
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name,
      namespace: 'kube-node-lease',
      ...(uid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid }] } : {}),
    },
    spec: { holderIdentity: holder, leaseDurationSeconds: durationSeconds, renewTime: microTime(now.getTime()) },
  };
}


function binary(bytes: bigint): string {
  return formatQuantity({ numerator: bytes < 0n ? 0n : bytes, scale: 0, format: 'BinarySI' });
}

function milliCpu(millis: bigint): string {
  return formatQuantity({ numerator: millis < 0n ? 0n : millis, scale: 3, format: 'DecimalSI' });
}

function milli(quantity: string | number | undefined): bigint {
  const q = parseQuantity(quantity ?? 0);
  if (q === undefined) return 0n;
  return (q.numerator * 1000n) / 10n ** BigInt(q.scale);
}

function whole(quantity: string | number | undefined): bigint {
  const q = parseQuantity(quantity ?? 0);
  if (q === undefined) return 0n;
  return q.numerator / 10n ** BigInt(q.scale);
}
