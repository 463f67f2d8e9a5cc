/**
 * What edged reports about its node: the host's facts (read once at start) and the runtime's health, turned into the
 * Node, its status and its Lease the way a kubelet builds them (node/).
 */
import { packageVersion } from '../../pkg/cli';
import type { Lease, Node, NodeStatus } from './api';
import { buildLease, buildNode, kubeletVersion, nodeStatus, runtimeProblems, type HostInfo, type RuntimeConditionLike } from './node';

/** The container runtime as edged last saw it. */
export interface RuntimeHealth {
  /** CRI Status conditions; undefined when the runtime did not answer. */
  conditions: RuntimeConditionLike[] | undefined;
  /** A problem the conditions do not show (a cgroup driver mismatch, an unreachable socket), in words to act on. */
  problem?: string;
  /** `containerd://1.6.20`; '' until known. */
  version: string;
}

export function runtimeReady(health: RuntimeHealth): boolean {
  return health.problem === undefined && runtimeProblems(health.conditions).length === 0;
}

export interface NodeDescriberOptions {
  nodeName: string;
  host: HostInfo;
  labels: Record<string, string>;
  leaseDurationSeconds: number;
}

export class NodeDescriber {
  private previous: NodeStatus | undefined;
  private registered: Node | undefined;
  private readonly kubeletVersion = kubeletVersion(packageVersion());

  constructor(private readonly options: NodeDescriberOptions) {}

  get internalIP(): string {
    return this.options.host.internalIP ?? '127.0.0.1';
  }

  node(): Node {
    return buildNode({ nodeName: this.options.nodeName, host: this.options.host, labels: this.options.labels });
  }

  /** The Node the cloud answered the registration with: its uid makes the Lease owned by it. */
  noteRegistered(node: Node): void {
    this.registered = node;
  }

  status(runtime: RuntimeHealth): NodeStatus {
    const conditions =
      runtime.problem === undefined || runtime.conditions === undefined
        ? runtime.conditions
        : [
            ...runtime.conditions.filter((c) => c.type !== 'RuntimeReady'),
            { type: 'RuntimeReady', status: false, reason: 'RuntimeMisconfigured', message: runtime.problem },
          ];
    const status = nodeStatus({
      host: this.options.host,
      nodeName: this.options.nodeName,
      kubeletVersion: this.kubeletVersion,
      runtimeConditions: conditions,
      containerRuntimeVersion: runtime.version,
      now: new Date(),
      previous: this.previous,
    });
    this.previous = status;
    return status;
  }

  lease(nowMs: number): Lease {
    const node = this.registered ?? this.node();
    return buildLease(node, this.options.nodeName, this.options.leaseDurationSeconds, new Date(nowMs));
  }
}
