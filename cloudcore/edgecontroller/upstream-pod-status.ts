/**
 * Pod status from the edge (`update <ns>/podstatus/<pod>`), written to the status subresource only while the pod in
 * the cluster has the uid the edge reports: a status about a pod that was deleted and recreated under the same name
 * would otherwise land on the new pod. Conditions the edge does not report (set by the cloud: DisruptionTarget, a
 * readiness gate's) are kept, as a kubelet's status merge keeps them.
 *
 * Reads come from the informer cache; the write is a PUT with the read's resourceVersion, so a concurrent change is
 * a 409 that is retried on a fresh read. A status equal to the stored one is not written (a reconnecting node
 * resends all of them). The cache can lag behind our own last write, so it is trusted only once it has caught up.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import type { PodCondition, PodStatus } from '../../edgecore/edged/api';
import { isConflict, isNotFound, RESOURCES, splitKey, type CacheReader, type Client, type KubeObject } from '../../pkg/kube';
import type { PodStatusReport } from './upstream-content';
import { classifyWriteError } from './upstream-errors';
import type { UpstreamMetrics } from './upstream-metrics';

type PodObject = KubeObject & { status?: PodStatus };

/** Reads and writes of one status before a conflict is handed to the queue's back-off. */
const CONFLICT_ATTEMPTS = 3;

export interface PodStatusDeps {
  client: Client;
  pods: CacheReader<KubeObject>;
  metrics: UpstreamMetrics;
  log: Logger;
}

/** The coalescing writer's write for pod status: key = `<namespace>/<name>`. */
export function podStatusWrite(deps: PodStatusDeps): (key: string, report: PodStatusReport, signal: AbortSignal) => Promise<void> {
  const pods = deps.client.resource<PodObject>(RESOURCES.pods);
  /** resourceVersion of our last write per pod, until the cache shows it. */
  const lastWritten = new Map<string, bigint>();

  const cached = (key: string): PodObject | undefined => {
    const pod = deps.pods.get(key) as PodObject | undefined;
    const written = lastWritten.get(key);
    if (written === undefined || pod === undefined) return pod;
    if (version(pod) >= written) {
      lastWritten.delete(key);
      return pod;
    }
    return undefined;
  };

  return async (key, report, signal) => {
    const { namespace = '', name } = splitKey(key);
    let pod = cached(key);
    for (let attempt = 1; ; attempt++) {
      try {
        pod ??= await pods.get(name, { namespace, signal });
      } catch (error) {
        if (!isNotFound(error)) throw classifyWriteError(error);
      }
      if (pod === undefined || pod.metadata?.uid !== report.uid) {
        lastWritten.delete(key);
        deps.metrics.write('podstatus', 'skipped');
        deps.log.debug({ pod: key, uid: report.uid, current: pod?.metadata?.uid }, 'status of a pod that is gone or was replaced: not written');
        return;
      }
      const status = mergeStatus(pod.status, report.status);
      if (isDeepStrictEqual(pod.status ?? {}, status)) {
        deps.metrics.write('podstatus', 'skipped');
        return;
      }
      try {
        const written = await pods.updateStatus({ ...pod, status }, { namespace, signal });
        lastWritten.set(key, version(written));
        deps.log.debug({ pod: key, phase: status.phase }, 'trace: podstatus written');
        return;
      } catch (error) {
        if (isNotFound(error)) return; // deleted meanwhile: nothing to report on
        if (!isConflict(error) || attempt >= CONFLICT_ATTEMPTS) throw classifyWriteError(error);
        pod = undefined; // read again from the API server, not the cache, which may not have the change yet
      }
    }
  };
}

/** The edge's status, plus the conditions of `current` whose types the edge does not report. */
export function mergeStatus(current: PodStatus | undefined, reported: PodStatus): PodStatus {
  const reportedTypes = new Set((reported.conditions ?? []).map((c) => c.type));
  const kept: PodCondition[] = (current?.conditions ?? []).filter((c) => !reportedTypes.has(c.type));
  if (kept.length === 0) return reported;
  return { ...reported, conditions: [...(reported.conditions ?? []), ...kept] };
}

function version(pod: KubeObject): bigint {
  try {
    return BigInt(pod.metadata?.resourceVersion ?? '0');
  } catch {
    return 0n; // not a number: never "caught up", so the API server is read
  }
}
