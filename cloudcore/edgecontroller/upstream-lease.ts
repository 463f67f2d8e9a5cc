/**
 * The node's Lease kube-node-lease/<node>, renewed by the edge every 10 s (`update kube-node-lease/lease/<node>`):
 * a merge patch of its spec, or a create when it does not exist yet. The Lease is owned by its Node (as a kubelet's
 * is), so deleting the Node deletes the Lease; the owner is set whenever the Node's uid is known.
 */
import type { Lease } from '../../edgecore/edged/api';
import { isNotFound, RESOURCES, type Client } from '../../pkg/kube';
import { classifyWriteError } from './upstream-errors';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/** The coalescing writer's write for leases: key = node name. `nodeUid` reads the Node's uid from a cache. */
export function leaseWrite(
  client: Client,
  nodeUid: (name: string) => string | undefined,
): (name: string, spec: Lease['spec'], signal: AbortSignal) => Promise<void> {
  const leases = client.resource<Lease>(RESOURCES.leases);
  return async (name, spec, signal) => {
    const uid = nodeUid(name);
    const owner = uid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid }] } : {};
    try {
      try {
        await leases.patch(name, { metadata: owner, spec }, { namespace: NODE_LEASE_NAMESPACE, type: 'merge', signal });
        return;
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      // Created by the first renewal; AlreadyExists (a race with another cloudcore) is retried as a patch.
      await leases.create(
        { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: NODE_LEASE_NAMESPACE, ...owner }, spec },
        { signal },
      );
    } catch (error) {
      throw classifyWriteError(error);
    }
  };
}
