/**
 * The controller manager: the controllers a Kubernetes user expects (kube-scheduler's and kube-controller-manager's),
 * for when cloudcore runs its embedded API server. Phases: informers, the event writer and discovery first; then, once
 * the caches are synced, the controllers. Stopping goes in reverse under one grace deadline.
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createClient, InformerFactory, loadKubeConfig } from '../../pkg/kube';
import { aborted, sleep, within } from '../../pkg/timing';
import type { Controller, ControllerContext } from './context';
import { createDaemonSetController } from './daemonset/daemonset';
import { createDeploymentController } from './deployment/deployment';
import { Discovery } from './discovery';
import { EventSink } from './events/recorder';
import { controllerMetrics } from './metrics';
import { createGarbageCollector } from './garbagecollector/garbagecollector';
import { createNamespaceController } from './namespace/namespace';
import { createNodeLifecycleController } from './nodelifecycle/nodelifecycle';
import { compileOptions, type ControllerManagerOptions, type ControllerName } from './options';
import { createReplicaSetController } from './replicaset/replicaset';
import { createScheduler } from './scheduler/scheduler';
import { createServiceAccountController } from './serviceaccount/serviceaccount';
import type { Clock } from '../../pkg/timing/kube-time';

export interface ControllerManagerConfig {
  /** The admin kubeconfig (the embedded control plane's, or a real cluster's). */
  kubeconfigPath: string;
  log: Logger;
  /** Controller, queue, informer and event metrics go here. */
  registry: Registry;
  /** Milliseconds since the epoch. Default Date.now. */
  now?: Clock;
  options?: ControllerManagerOptions;
}

export interface ControllerManager {
  /** Runs until `signal` aborts and resolves after a clean stop; rejects if a controller fails. */
  start(signal: AbortSignal): Promise<void>;
}

const FACTORIES: Record<ControllerName, (ctx: ControllerContext) => Controller> = {
  serviceaccount: createServiceAccountController,
  namespace: createNamespaceController,
  garbagecollector: createGarbageCollector,
  nodelifecycle: createNodeLifecycleController,
  scheduler: createScheduler,
  replicaset: createReplicaSetController,
  deployment: createDeploymentController,
  daemonset: createDaemonSetController,
};

/** Options are checked here, so a bad one fails at construction, not at start. */
export function createControllerManager(config: ControllerManagerConfig): ControllerManager {
  const options = compileOptions(config.options);
  const log = config.log.child({ component: 'controllermanager' });
  const now = config.now ?? Date.now;
  return {
    async start(signal: AbortSignal): Promise<void> {
      const kubeConfig = loadKubeConfig({ kubeconfigPath: config.kubeconfigPath, qps: options.qps, burst: options.burst });
      const client = createClient(kubeConfig, { fieldManager: 'kube-controller-manager' });
      const factory = new InformerFactory({ client, log, registry: config.registry, resyncMs: options.resyncMs });
      const events = new EventSink({ client, log, now, registry: config.registry });
      const discovery = new Discovery(client, log, options.discoveryResyncMs);
      const metrics = controllerMetrics(config.registry);
      const ctx: ControllerContext = { client, factory, events, discovery, log, registry: config.registry, now, options, metrics };
      const controllers = (Object.keys(FACTORIES) as ControllerName[])
        .filter((name) => options.controllers.has(name))
        .map((name) => FACTORIES[name](ctx));

      const infra = new AbortController();
      const eventsStop = new AbortController();
      const controllersStop = new AbortController();
      // Every worker of every controller waits on this signal.
      setMaxListeners(0, controllersStop.signal, infra.signal);
      const stopAll = (): void => controllersStop.abort();
      signal.addEventListener('abort', stopAll, { once: true });
      if (signal.aborted) stopAll();
      const informersDone = factory.start(infra.signal);
      // Events still queued at stop are written until the informers stop too.
      const eventsDone = events.start(eventsStop.signal, infra.signal);
      const discoveryDone = discovery.start(infra.signal);

      let failure: unknown;
      const running: Promise<void>[] = [];
      try {
        // The informers the controllers asked for; the garbage collector's, made from discovery, it waits for itself.
        await factory.waitForSync(controllersStop.signal);
        await firstDiscovery(discovery, log, controllersStop.signal);
        log.info({ controllers: controllers.map((c) => c.name) }, 'caches synced; starting controllers');
        for (const controller of controllers) {
          running.push(
            controller.start(controllersStop.signal).then(
              () => {
                if (!controllersStop.signal.aborted) throw new Error(`controller ${controller.name} returned before being stopped`);
              },
              (error: unknown) => {
                if (!controllersStop.signal.aborted) throw error;
              },
            ).catch((error: unknown) => {
              failure ??= error;
              log.error({ err: error, controller: controller.name }, 'controller failed; stopping the controller manager');
              stopAll();
            }),
          );
        }
        await aborted(controllersStop.signal);
      } catch (error) {
        if (!controllersStop.signal.aborted) failure = error;
      } finally {
        signal.removeEventListener('abort', stopAll);
        stopAll();
        const deadline = Date.now() + options.shutdownGraceMs;
        const left = (): number => Math.max(0, deadline - Date.now());
        if (!(await within(left(), Promise.all(running)))) log.warn('controllers did not stop in time');
        eventsStop.abort();
        if (!(await within(left(), eventsDone))) log.warn('events not all written before the shutdown deadline');
        infra.abort();
        if (!(await within(left(), Promise.all([informersDone, discoveryDone])))) log.warn('informers did not stop in time');
        log.info('controller manager stopped');
      }
      if (failure !== undefined) throw failure;
    },
  };
}

/** The garbage collector and namespace controller need to know the served types before they start. */
async function firstDiscovery(discovery: Discovery, log: Logger, signal: AbortSignal): Promise<void> {
  for (let delayMs = 200; ; delayMs = Math.min(delayMs * 2, 5000)) {
    try {
      await discovery.refresh(signal);
      return;
    } catch (error) {
      if (signal.aborted) throw error;
      log.warn({ err: error, delayMs }, 'discovery failed; retrying');
      await sleep(delayMs, signal);
    }
  }
}
