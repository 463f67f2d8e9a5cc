import { enabledModules, type ModuleCatalogue } from '../pkg/config';
import { runDaemon, type DaemonModule } from '../pkg/cli';
import { startControlPlane, type ControlPlane } from '../pkg/controlplane';
import type { Logger } from '../pkg/log';
import { createMetricsRegistry } from '../pkg/metrics';
import { createControllerManagerWorker, MergedRegistry } from './controllermanager/worker';
import { buildCloudModules } from './cloud-modules';
import { CLOUDCORE_MODULES, type CloudCoreConfig, type CloudCoreModule } from './config';

export interface RunOptions {
  readonly config: CloudCoreConfig;
  readonly logger: Logger;
  /** Longest wait for everything to stop after SIGINT/SIGTERM. Default 10 s. */
  readonly shutdownGraceMs?: number;
  /** Must be the catalogue the config was validated with. */
  readonly catalogue?: ModuleCatalogue<CloudCoreModule>;
}

/**
 * Runs cloudcore until `signal` aborts; resolves once everything has stopped. With no kubeconfig, the embedded control
 * plane starts first and stops last, so every module sees a Kubernetes API for its whole life, and the controllers a
 * real cluster would run (scheduler, workloads, garbage collection, namespaces, node lifecycle) run as the first module.
 */
export async function run(options: RunOptions, signal: AbortSignal): Promise<void> {
  const { config, logger } = options;
  const enabled = new Set(enabledModules(config.modules, options.catalogue ?? CLOUDCORE_MODULES));
  const modules: DaemonModule[] = [];

  const labels = { program: 'cloudcore' };
  const registry = createMetricsRegistry({ defaultLabels: labels });
  // What /metrics serves: this registry, plus the families of worker threads, merged at scrape time.
  const served = new MergedRegistry(registry, labels);
  let controlPlane: ControlPlane | undefined;
  if (config.kubeAPIConfig.kubeConfig === '') {
    const embedded = config.embeddedAPIServer;
    controlPlane = await startControlPlane({
      dataDir: embedded.dataDir,
      bindAddress: embedded.bindAddress,
      port: embedded.port,
      ...(embedded.tokenAuthFile ? { tokenAuthFile: embedded.tokenAuthFile } : {}),
      log: logger.child({ component: 'controlplane' }),
    });
    logger.info(`kubectl: export KUBECONFIG=${controlPlane.kubeconfigPath}`);
    // On a worker thread of its own, so that its informers and reconciles do not share the API server's event loop.
    const manager = createControllerManagerWorker({
      kubeconfigPath: controlPlane.kubeconfigPath,
      log: logger.child({ component: 'controllermanager' }),
      options: {
        nodeMonitorGracePeriodMs: config.controllerManager.nodeMonitorGracePeriodMs,
        evictPodsOnUnreachable: config.controllerManager.evictPodsOnUnreachable,
      },
    });
    served.addSource(manager.collect);
    modules.unshift({ name: 'controllermanager', group: 'controllermanager', run: (ctx) => manager.start(ctx.signal) });
  } else {
    logger.info({ kubeconfig: config.kubeAPIConfig.kubeConfig }, 'using an existing Kubernetes cluster');
  }
  try {
    modules.push(
      ...(await buildCloudModules({
        config,
        enabled,
        kubeconfigPath: controlPlane?.kubeconfigPath ?? config.kubeAPIConfig.kubeConfig,
        logger,
        registry,
        signal,
      })),
    );
    await runDaemon(
      {
        program: 'cloudcore',
        logger,
        monitorBindAddress: config.monitorServer.bindAddress,
        modules,
        shutdownGraceMs: options.shutdownGraceMs ?? 10_000,
        registry: served,
      },
      signal,
    );
  } finally {
    await controlPlane?.close();
  }
}
