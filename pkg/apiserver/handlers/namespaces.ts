/** The namespace lifecycle rule the real server's admission enforces: no new content in a missing or terminating namespace. */
import { notFound, StatusError } from '../status';
import type { ApiParts } from './scope';

export function checkNamespaceWritable(parts: ApiParts, namespace: string): void {
  const stored = parts.store.get(`/core/namespaces/${namespace}`);
  if (!stored) throw notFound({ group: '', plural: 'namespaces' }, namespace);
  if (stored.object.metadata.deletionTimestamp) {
    throw new StatusError(
      403,
      'Forbidden',
      `unable to create new content in namespace ${namespace} because it is being terminated`,
      { name: namespace, kind: 'namespaces' },
    );
  }
}
