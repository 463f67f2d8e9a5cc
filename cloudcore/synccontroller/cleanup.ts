/**
 * At start: remove the records of nodes that no longer exist (KubeEdge's SyncController does the same), so a deleted
 * node's records are not reconciled forever. The records are read before the nodes are listed: a record in that
 * snapshot was written while its node existed, so a node missing from the later list really was deleted since.
 */
import type { Logger } from 'pino';
import { isNotFound, RESOURCES, type Client, type KubeObject } from '../../pkg/kube';
import { recordNode, recordResource, type ObjectSyncRecord } from '../../pkg/reliablesync';

export async function removeRecordsOfDeletedNodes(
  client: Client,
  records: readonly ObjectSyncRecord[],
  log: Logger,
  signal: AbortSignal,
): Promise<{ removed: number; nodes: string[] }> {
  const existing = await listNodeNames(client, signal);
  const goneNodes = new Set<string>();
  let removed = 0;
  for (const record of records) {
    const node = recordNode(record);
    const name = record.metadata?.name;
    if (!node || !name || existing.has(node)) continue;
    const namespace = record.metadata?.namespace || undefined;
    try {
      await client.resource(recordResource(namespace)).delete(name, { ...(namespace ? { namespace } : {}), signal });
      removed++;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    goneNodes.add(node);
  }
  if (removed > 0) log.info({ removed, nodes: [...goneNodes] }, 'removed the records of deleted nodes');
  return { removed, nodes: [...goneNodes] };
}

async function listNodeNames(client: Client, signal: AbortSignal): Promise<Set<string>> {
  const names = new Set<string>();
  const nodes = client.resource<KubeObject>(RESOURCES.nodes);
  let cont: string | undefined;
  do {
    const page = await nodes.list({ limit: 500, signal, ...(cont ? { continue: cont } : {}) });
    for (const node of page.items) if (node.metadata?.name) names.add(node.metadata.name);
    cont = page.metadata.continue || undefined;
  } while (cont);
  return names;
}
