/** Installs the reliable-sync CRDs once and waits until the API server serves them. */
import { isAlreadyExists, isNotFound, KubeApiError, type Client, type ResourceRef } from '../kube';
import { Backoff, sleep } from '../timing';
import { RELIABLE_SYNC_CRDS } from './crds';
import { ReliableSyncError } from './errors';
import { CLUSTER_OBJECT_SYNCS, OBJECT_SYNCS } from './records';

const CRDS = { apiVersion: 'apiextensions.k8s.io/v1', plural: 'customresourcedefinitions', kind: 'CustomResourceDefinition' } as const;

export interface EnsureCrdsOptions {
  signal?: AbortSignal;
  /** Longest wait for the resources to be served after creating them. Default 30 s. */
  timeoutMs?: number;
}

/**
 * Creates both CRDs (an existing one is left as it is: another cloudcore or keadm made it), then waits until a list of
 * each resource succeeds. Safe to call from several processes at once, and with no right to create CRDs as long as
 * they are installed already.
 */
export async function ensureReliableSyncCRDs(client: Client, options: EnsureCrdsOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const signal = options.signal ? { signal: options.signal } : {};
  const crds = client.resource(CRDS);
  const refs = [OBJECT_SYNCS, CLUSTER_OBJECT_SYNCS];
  for (const [i, crd] of RELIABLE_SYNC_CRDS.entries()) {
    try {
      await crds.create(structuredClone(crd), signal);
    } catch (error) {
      if (isAlreadyExists(error)) continue;
      if (!(error instanceof KubeApiError && error.code === 403)) throw error;
      // Not allowed to install it: fine if someone else has.
      if (!(await isServed(client, refs[i]!, options.signal))) {
        throw new ReliableSyncError(
          'CRD_NOT_SERVED',
          `cannot create CRD ${String(crd.metadata?.name)}: forbidden, and it is not installed; install it (kubectl apply) or give cloudcore's identity "create" on customresourcedefinitions.apiextensions.k8s.io`,
          { cause: error },
        );
      }
    }
  }
  const deadline = Date.now() + timeoutMs;
  for (const ref of refs) await waitServed(client, ref, deadline, timeoutMs, options.signal);
}

async function isServed(client: Client, ref: ResourceRef, signal: AbortSignal | undefined): Promise<boolean> {
  try {
    await client.resource(ref).list({ limit: 1, ...(signal ? { signal } : {}) });
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

async function waitServed(client: Client, ref: ResourceRef, deadline: number, timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
  const backoff = new Backoff({ initialMs: 50, maxMs: 1000, jitter: 0.2 });
  // 404 until the API server serves the resource of a CRD it has just stored.
  while (!(await isServed(client, ref, signal))) {
    if (Date.now() >= deadline) {
      throw new ReliableSyncError(
        'CRD_NOT_SERVED',
        `${ref.plural}.${ref.apiVersion} is not served ${timeoutMs} ms after its CRD was created; check that the API server serves CustomResourceDefinitions and that the CRD is Established (kubectl get crd ${ref.plural}.reliablesyncs.kubeedge.io)`,
      );
    }
    await sleep(Math.min(backoff.next(), Math.max(deadline - Date.now(), 1)), signal);
  }
}
