/** Objects a fresh cluster has before anyone asks: the namespaces every Kubernetes user expects to find. */
import { randomUUID } from 'node:crypto';
import { rfc3339 } from '../apiserver/handlers/object-meta';
import { isStorageError, type Store } from '../apiserver/storage';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;

export async function ensureSystemNamespaces(store: Store, now = new Date()): Promise<void> {
  for (const name of SYSTEM_NAMESPACES) {
    const key = `/core/namespaces/${name}`;
    if (store.get(key)) continue;
    try {
      await store.create(key, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name,
          uid: randomUUID(),
          creationTimestamp: rfc3339(now),
          labels: { 'kubernetes.io/metadata.name': name },
        },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      });
    } catch (error) {
      if (!(isStorageError(error) && error.code === 'EXISTS')) throw error;
    }
  }
}
