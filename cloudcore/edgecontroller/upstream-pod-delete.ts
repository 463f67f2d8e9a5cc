/**
 * The edge confirming a pod deletion (`delete <ns>/pod/<name>` with the pod's uid): its containers are gone, so the
 * object is removed with grace period 0, as a kubelet's status manager does once a terminating pod has stopped. The
 * uid precondition keeps a pod recreated under the same name safe. Only a pod already being deleted (or a static
 * pod's mirror, which the edge owns) is removed: the edge confirms deletions, it does not start them.
 */
import type { Logger } from 'pino';
import { isConflict, isNotFound, RESOURCES, splitKey, TerminalError, type CacheReader, type Client, type KubeObject } from '../../pkg/kube';
import { classifyWriteError } from './upstream-errors';
import type { UpstreamMetrics } from './upstream-metrics';

export const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

export interface PodDeleteDeps {
  client: Client;
  pods: CacheReader<KubeObject>;
  metrics: UpstreamMetrics;
  log: Logger;
}

/** The coalescing writer's write for deletion confirmations: key = `<namespace>/<name>`, value = the pod's uid. */
export function podDeleteWrite(deps: PodDeleteDeps): (key: string, uid: string, signal: AbortSignal) => Promise<void> {
  const pods = deps.client.resource(RESOURCES.pods);
  const skip = (key: string, why: string): void => {
    deps.metrics.write('poddelete', 'skipped');
    deps.log.debug({ pod: key }, `deletion confirmed by the edge: ${why}`);
  };
  return async (key, uid, signal) => {
    const { namespace = '', name } = splitKey(key);
    let pod = deps.pods.get(key);
    try {
      pod ??= await pods.get(name, { namespace, signal });
    } catch (error) {
      if (isNotFound(error)) return skip(key, 'already gone');
      throw classifyWriteError(error);
    }
    if (pod.metadata?.uid !== uid) return skip(key, 'the pod was replaced by another of that name; it stays');
    const mirror = pod.metadata?.annotations?.[MIRROR_POD_ANNOTATION] !== undefined;
    if (!pod.metadata?.deletionTimestamp && !mirror) {
      throw new TerminalError(`the edge confirmed the deletion of pod ${key}, which is not being deleted; it stays`);
    }
    try {
      await pods.delete(name, { namespace, gracePeriodSeconds: 0, preconditions: { uid }, signal });
    } catch (error) {
      if (isNotFound(error)) return skip(key, 'already gone');
      if (isConflict(error)) return skip(key, 'the pod was replaced by another of that name; it stays');
      throw classifyWriteError(error);
    }
  };
}
