/**
 * Installs CustomResourceDefinitions a component needs and waits until the API server serves their resources. Shared
 * by reliable sync (ObjectSync) and devices (Device, DeviceModel, DeviceStatus).
 */
import { Backoff, sleep } from '../timing';
import type { Client } from './client';
import { isAlreadyExists, isNotFound, KubeApiError } from './errors';
import type { KubeObject, ResourceRef } from './resource';

const CRDS = { apiVersion: 'apiextensions.k8s.io/v1', plural: 'customresourcedefinitions', kind: 'CustomResourceDefinition' } as const;

/** A CRD and the resource it makes the API server serve (listed to tell that it is served). */
export interface CrdToEnsure {
  crd: KubeObject;
  served: ResourceRef;
}

export interface EnsureCrdsOptions {
  signal?: AbortSignal;
  /** Longest wait for the resources to be served after creating them. Default 30 s. */
  timeoutMs?: number;
}

/** A CRD could not be created and is not installed, or was created and is not served in time. */
export class CrdNotServedError extends Error {
  override readonly name = 'CrdNotServedError';
  readonly code = 'CRD_NOT_SERVED';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Creates each CRD (an existing one is left as it is: another cloudcore, keadm or the user made it, and may be newer),
 * then waits until a list of each resource succeeds. Safe to call from several processes at once, and with no right to
 * create CRDs as long as they are installed already.
 */
export async function ensureCRDs(client: Client, crds: readonly CrdToEnsure[], options: EnsureCrdsOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const signal = options.signal ? { signal: options.signal } : {};
  const resource = client.resource(CRDS);
  for (const { crd, served } of crds) {
    try {
      await resource.create(structuredClone(crd), signal);
    } catch (error) {
      if (isAlreadyExists(error)) continue;
      if (!(error instanceof KubeApiError && error.code === 403)) throw error;
      // Not allowed to install it: fine if someone else has.
      if (!(await isServed(client, served, options.signal))) {
        throw new CrdNotServedError(
          `cannot create CRD ${String(crd.metadata?.name)}: forbidden, and it is not installed; install it (kubectl apply) or give this component's identity "create" on customresourcedefinitions.apiextensions.k8s.io`,
          { cause: error },
        );
      }
    }
  }
  const deadline = Date.now() + timeoutMs;
  for (const { crd, served } of crds) await waitServed(client, served, String(crd.metadata?.name), deadline, timeoutMs, options.signal);
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

async function waitServed(
  client: Client,
  ref: ResourceRef,
  crdName: string,
  deadline: number,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  const backoff = new Backoff({ initialMs: 50, maxMs: 1000, jitter: 0.2 });
  // 404 until the API server serves the resource of a CRD it has just stored.
  while (!(await isServed(client, ref, signal))) {
    if (Date.now() >= deadline) {
      throw new CrdNotServedError(
        `${ref.plural}.${ref.apiVersion} is not served ${timeoutMs} ms after its CRD was created; check that the API server serves CustomResourceDefinitions, that the CRD is Established and serves this version (kubectl get crd ${crdName} -o yaml)`,
      );
    }
    await sleep(Math.min(backoff.next(), Math.max(deadline - Date.now(), 1)), signal);
  }
}
