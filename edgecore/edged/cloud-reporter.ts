/**
 * Reports from edged to the cloud, as edgecontroller takes them (resources before cloudhub's `node/<node>/` prefix):
 *
 * | what                  | operation | resource                          | content                                  |
 * |-----------------------|-----------|-----------------------------------|------------------------------------------|
 * | register the node     | insert    | `<ns>/node/<node>` (sync)         | Node                                     |
 * | node status           | update    | `<ns>/nodestatus/<node>`          | `{ status }`                             |
 * | node lease            | update    | `kube-node-lease/lease/<node>`    | Lease                                    |
 * | pod status            | update    | `<ns>/podstatus/<pod>`            | `{ metadata: {name, namespace, uid}, status }` |
 * | event                 | insert    | `<ns>/event/<event>`              | Event                                    |
 * | pod deletion is done  | delete    | `<ns>/pod/<pod>`                  | `{ metadata: {name, namespace, uid} }`   |
 *
 * `<ns>` for the node is registerNodeNamespace, as in KubeEdge (nodes are cluster-scoped; the cloud ignores it).
 */
import { jsonContent, newMessage, Operation, readErrorContent, readJsonContent, type OperationName } from '../../pkg/message';
import type { ModuleContext } from '../../pkg/modules';
import type { Event, Lease, Node, NodeStatus, Pod, PodStatus } from './api';
import { EDGED } from './meta-client';

const EDGEHUB = 'edgehub';
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export type Sender = Pick<ModuleContext, 'send' | 'sendSync'>;

export class CloudReporter {
  constructor(
    private readonly ctx: Sender,
    private readonly nodeName: string,
    private readonly nodeNamespace: string,
    private readonly registerTimeoutMs = 10_000,
  ) {}

  /** Creates the Node, or merges its labels; resolves with the Node the cloud holds. */
  async registerNode(node: Node): Promise<Node> {
    const request = this.message('insert', `${this.nodeNamespace}/node/${this.nodeName}`, node);
    const answer = await this.ctx.sendSync(EDGEHUB, request, this.registerTimeoutMs);
    if (answer.route?.operation === Operation.OPERATION_ERROR) {
      throw new Error(`the cloud refused to register node ${this.nodeName}: ${readErrorContent(answer).message}`);
    }
    return readJsonContent(answer) as Node;
  }

  nodeStatus(status: NodeStatus): Promise<void> {
    return this.send('update', `${this.nodeNamespace}/nodestatus/${this.nodeName}`, { status });
  }

  lease(lease: Lease): Promise<void> {
    return this.send('update', `${NODE_LEASE_NAMESPACE}/lease/${this.nodeName}`, lease);
  }

  podStatus(pod: Pod, status: PodStatus): Promise<void> {
    const { name, namespace, uid } = pod.metadata;
    return this.send('update', `${namespace}/podstatus/${name}`, { metadata: { name, namespace, uid }, status });
  }

  event(event: Event): Promise<void> {
    return this.send('insert', `${event.metadata.namespace}/event/${event.metadata.name}`, event);
  }

  /** The containers of a pod being deleted are gone: the cloud may now remove the object (grace period 0). */
  podDeleted(pod: Pod): Promise<void> {
    const { name, namespace, uid } = pod.metadata;
    return this.send('delete', `${namespace}/pod/${name}`, { metadata: { name, namespace, uid } });
  }

  private send(operation: OperationName, resource: string, value: unknown): Promise<void> {
    return this.ctx.send(EDGEHUB, this.message(operation, resource, value));
  }

  private message(operation: OperationName, resource: string, value: unknown) {
    return newMessage({ source: EDGED, group: 'resource', operation, resource, ...jsonContent(value) });
  }
}
