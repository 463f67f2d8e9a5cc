/** Installs the reliable-sync CRDs once and waits until the API server serves them. */
import type { Client } from '../kube';
import { CrdNotServedError, ensureCRDs, type EnsureCrdsOptions } from '../kube/ensure-crds';
import { RELIABLE_SYNC_CRDS } from './crds';
import { ReliableSyncError } from './errors';
import { CLUSTER_OBJECT_SYNCS, OBJECT_SYNCS } from './records';

export type { EnsureCrdsOptions };

/**
 * Creates both CRDs (an existing one is left as it is: another cloudcore or keadm made it), then waits until a list of
 * each resource succeeds. Safe to call from several processes at once, and with no right to create CRDs as long as
 * they are installed already. Fails with ReliableSyncError CRD_NOT_SERVED when they cannot be served.
 */
export async function ensureReliableSyncCRDs(client: Client, options: EnsureCrdsOptions = {}): Promise<void> {
  const [objectSyncs, clusterObjectSyncs] = RELIABLE_SYNC_CRDS;
  try {
    await ensureCRDs(
      client,
      [
        { crd: objectSyncs!, served: OBJECT_SYNCS },
        { crd: clusterObjectSyncs!, served: CLUSTER_OBJECT_SYNCS },
      ],
      options,
    );
  } catch (error) {
    if (error instanceof CrdNotServedError) throw new ReliableSyncError('CRD_NOT_SERVED', error.message, { cause: error });
    throw error;
  }
}
