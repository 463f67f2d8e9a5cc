/**
 * A node registering itself and reporting its status.
 *
 * Registration (`insert <ns>/node/<node>`, sync) creates the Node with the labels, annotations, spec and status the
 * edge sends; when the Node exists (a restart, or an admin created it), the edge's labels are merged in (the edge's
 * values win, labels only the cloud set stay) and nothing else is touched, as a kubelet re-registering does. The
 * answer is the Node as stored.
 *
 * Status (`update <ns>/nodestatus/<node>`) is a JSON merge patch of the status subresource with the edge's whole
 * status: lists (conditions, addresses, images) are replaced wholesale, so a fresh report with Ready=True replaces
 * the Unknown conditions nodelifecycle set while the node was silent.
 */
import type { Node, NodeStatus } from '../../edgecore/edged/api';
import { isAlreadyExists, isNotFound, RESOURCES, TerminalError, type Client } from '../../pkg/kube';
import { classifyWriteError } from './upstream-errors';

export interface Registration {
  /** The Node as stored after registering. */
  stored: Node;
  /** False when it existed already. */
  created: boolean;
}

export async function registerNode(client: Client, name: string, node: Node, signal: AbortSignal): Promise<Registration> {
  const nodes = client.resource<Node>(RESOURCES.nodes);
  const labels = node.metadata.labels ?? {};
  const { annotations } = node.metadata;
  try {
    const stored = await nodes.create(
      {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name, labels, ...(annotations ? { annotations } : {}) },
        ...(node.spec ? { spec: node.spec } : {}),
        ...(node.status ? { status: node.status } : {}),
      },
      { signal },
    );
    return { stored, created: true };
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
  const existing = await nodes.get(name, { signal });
  const current = existing.metadata.labels ?? {};
  const changed = Object.entries(labels).filter(([key, value]) => current[key] !== value);
  if (changed.length === 0) return { stored: existing, created: false };
  // The resourceVersion makes a concurrent label edit a conflict (the edge retries registration) instead of a loss.
  const stored = await nodes.patch(
    name,
    { metadata: { resourceVersion: existing.metadata.resourceVersion, labels: Object.fromEntries(changed) } },
    { type: 'merge', signal },
  );
  return { stored, created: false };
}

/** The coalescing writer's write for node status: key = node name. */
export function nodeStatusWrite(client: Client): (name: string, status: NodeStatus, signal: AbortSignal) => Promise<void> {
  const nodes = client.resource<Node>(RESOURCES.nodes);
  return async (name, status, signal) => {
    try {
      await nodes.patch(name, { status }, { type: 'merge', subresource: 'status', signal });
    } catch (error) {
      if (isNotFound(error)) {
        throw new TerminalError(`node ${name} reported its status but is not registered (deleted in the cloud?); edged registers it again when it restarts`, {
          cause: error,
        });
      }
      throw classifyWriteError(error);
    }
  };
}
