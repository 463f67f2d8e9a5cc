/** What every controller is built from, and the runnable shape the manager starts. */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { isConflict, isNotFound, runController, WorkQueue, type Client, type InformerFactory, type Reconciler, type ResourceRef } from '../../pkg/kube';
import type { Discovery } from './discovery';
import type { EventSink } from './events/recorder';
import type { ControllerMetrics } from './metrics';
import type { CompiledOptions, ControllerName } from './options';
import type { Clock } from '../../pkg/timing/kube-time';

export interface ControllerContext {
  client: Client;
  factory: InformerFactory;
  events: EventSink;
  discovery: Discovery;
  log: Logger;
  registry: Registry;
  now: Clock;
  options: CompiledOptions;
  metrics: ControllerMetrics;
}

/** A controller: informers and handlers are set up when it is built; `start` runs its workers until the signal aborts. */
export interface Controller {
  readonly name: ControllerName;
  start(signal: AbortSignal): Promise<void>;
}

/** The resources the built-in controllers work on. */
export const REFS = {
  pods: { apiVersion: 'v1', plural: 'pods', kind: 'Pod' },
  nodes: { apiVersion: 'v1', plural: 'nodes', kind: 'Node' },
  namespaces: { apiVersion: 'v1', plural: 'namespaces', kind: 'Namespace' },
  serviceAccounts: { apiVersion: 'v1', plural: 'serviceaccounts', kind: 'ServiceAccount' },
  replicaSets: { apiVersion: 'apps/v1', plural: 'replicasets', kind: 'ReplicaSet' },
  deployments: { apiVersion: 'apps/v1', plural: 'deployments', kind: 'Deployment' },
  daemonSets: { apiVersion: 'apps/v1', plural: 'daemonsets', kind: 'DaemonSet' },
  leases: { apiVersion: 'coordination.k8s.io/v1', plural: 'leases', kind: 'Lease' },
  crds: { apiVersion: 'apiextensions.k8s.io/v1', plural: 'customresourcedefinitions', kind: 'CustomResourceDefinition' },
} as const satisfies Record<string, ResourceRef>;

/** The controller's work queue, with its metrics on the manager's registry. */
export function newQueue(ctx: ControllerContext, name: ControllerName): WorkQueue<string> {
  return new WorkQueue<string>({ name, registry: ctx.registry, log: ctx.log.child({ controller: name }) });
}

/** After losing an optimistic-concurrency race: soon again, from a cache that has caught up by then. */
const CONFLICT_RETRY_MS = 250;

/**
 * Runs `reconcile` over `queue` with the configured number of workers. The routine races of controllers over shared
 * objects are not failures: 409 Conflict retries shortly, 404 Not Found (the object went away; its delete event brings
 * the key back if anything is left to do) ends the reconcile. Both are logged at debug level only.
 */
export function runWorkers(ctx: ControllerContext, name: ControllerName, queue: WorkQueue<string>, reconcile: Reconciler<string>, signal: AbortSignal): Promise<void> {
  const log = ctx.log.child({ controller: name });
  const routine: Reconciler<string> = async (key, s) => {
    try {
      return await reconcile(key, s);
    } catch (error) {
      if (s.aborted) throw error;
      if (isConflict(error)) {
        log.debug({ key, err: error }, 'conflict; retrying');
        return { requeueAfterMs: CONFLICT_RETRY_MS };
      }
      if (isNotFound(error)) {
        log.debug({ key, err: error }, 'gone meanwhile');
        return;
      }
      throw error;
    }
  };
  return runController({ name, queue, workers: ctx.options.workers[name], reconcile: routine, log: ctx.log, signal, registry: ctx.registry });
}
