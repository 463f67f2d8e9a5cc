/**
 * controller.PodControl: creating pods from a template in slow-start batches (1, 2, 4, ...) so a failing template
 * fails fast, and deleting pods, with the SuccessfulCreate/SuccessfulDelete (or Failed*) events on the owner.
 */
import { KubeApiError, isNotFound, type ResourceClient } from '../../../pkg/kube';
import type { EventRecorder } from '../events/recorder';
import type { Expectations } from './expectations';
import { controllerRef } from './meta';
import type { Obj, Pod, PodTemplateSpec } from './types';

export interface PodControl {
  pods: ResourceClient<Pod>;
  expectations: Expectations;
  recorder: EventRecorder;
}

/** The pod a controller creates from its template (controller.GetPodFromTemplate). */
export function podFromTemplate(template: PodTemplateSpec, owner: Obj, ownerApiVersion: string, ownerKind: string): Pod {
  const meta = template.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${owner.metadata?.name}-`,
      namespace: owner.metadata?.namespace,
      labels: { ...(meta.labels ?? {}) },
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [controllerRef(owner, ownerApiVersion, ownerKind)],
    },
    spec: structuredClone(template.spec),
  };
}

/** The API server's message, without our request prefix ("pods "x" is forbidden: ..."). */
export const apiMessage = (error: unknown): string =>
  error instanceof KubeApiError ? (error.status?.message ?? error.message) : error instanceof Error ? error.message : String(error);

/** A create refused because the namespace is terminating: not an error, nothing more will be created there. */
const namespaceTerminating = (error: unknown): boolean => error instanceof KubeApiError && error.code === 403;

/**
 * Creates the pods in batches of 1, 2, 4, ...; stops after a batch with a failure. The caller has set the expected
 * creations; every pod not created is marked observed (it will never show up). Throws the first error.
 */
export async function createPods(deps: PodControl, key: string, owner: Obj, pods: readonly Pod[], signal: AbortSignal): Promise<void> {
  let remaining = pods.length;
  for (let batch = 1, next = 0; remaining > 0; batch *= 2) {
    const size = Math.min(batch, remaining);
    const results = await Promise.allSettled(pods.slice(next, next + size).map((pod) => deps.pods.create(pod, { signal })));
    next += size;
    remaining -= size;
    let failure: unknown;
    for (const result of results) {
      if (result.status === 'fulfilled') {
        deps.recorder.event(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${result.value.metadata?.name}`);
        continue;
      }
      deps.expectations.creationObserved(key);
      if (namespaceTerminating(result.reason)) continue;
      deps.recorder.event(owner, 'Warning', 'FailedCreate', `Error creating: ${apiMessage(result.reason)}`);
      failure ??= result.reason;
    }
    if (failure !== undefined) {
      for (let i = 0; i < remaining; i++) deps.expectations.creationObserved(key);
      throw failure;
    }
  }
}

export const podKey = (pod: Pod): string => `${pod.metadata?.namespace}/${pod.metadata?.name}`;

/** Deletes the pods in parallel (their deletions already expected); a pod already gone is fine. Throws the first other error. */
export async function deletePods(deps: PodControl, key: string, owner: Obj, victims: readonly Pod[], signal: AbortSignal): Promise<void> {
  const results = await Promise.allSettled(
    victims.map((pod) => deps.pods.delete(pod.metadata?.name ?? '', { namespace: pod.metadata?.namespace, signal })),
  );
  let failure: unknown;
  results.forEach((result, i) => {
    const pod = victims[i]!;
    if (result.status === 'fulfilled') {
      deps.recorder.event(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata?.name}`);
      return;
    }
    deps.expectations.deletionObserved(key, podKey(pod));
    if (isNotFound(result.reason)) return;
    deps.recorder.event(owner, 'Warning', 'FailedDelete', `Error deleting: ${apiMessage(result.reason)}`);
    failure ??= result.reason;
  });
  if (failure !== undefined) throw failure;
}
