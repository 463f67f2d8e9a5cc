import { hostname } from 'node:os';
import { enabledModules, type ModuleCatalogue } from '../pkg/config';
import { runDaemon, type DaemonModule } from '../pkg/cli';
// Not '../pkg/join': its index also exports the cloud side (Secrets, token keeper), which loads the Kubernetes client
// and @kubernetes/client-node (about 30 MB of heap that edgecore never uses).
import { joinCluster } from '../pkg/join/join-cluster';
import { CertificateRotator } from '../pkg/join/rotator';
import type { Logger } from '../pkg/log';
import { createMetricsRegistry } from '../pkg/metrics';
import { EDGECORE_MODULES, resolveNodeName, type EdgeCoreConfig, type EdgeCoreModule } from './config';
import { createEdgedModule } from './edged';
import { createDeviceTwin } from './devicetwin';
import { createEdgeHub } from './edgehub';
import { createEventBus } from './eventbus';
import { createMetaManager, type MetaManager } from './metamanager';

export interface RunOptions {
  readonly config: EdgeCoreConfig;
  readonly logger: Logger;
  /** Longest wait for everything to stop after SIGINT/SIGTERM. Default 10 s. */
  readonly shutdownGraceMs?: number;
  /** Must be the catalogue the config was validated with. */
  readonly catalogue?: ModuleCatalogue<EdgeCoreModule>;
}

/**
 * Runs edgecore until `signal` aborts; resolves once everything has stopped. Modules start in the order the store,
 * then the link to the cloud, then edged, so that edgehub never delivers to a metamanager that is not there yet; they
 * stop in reverse, so edgehub stops delivering before the store closes.
 */
export async function run(options: RunOptions, signal: AbortSignal): Promise<void> {
  const { config, logger } = options;
  const enabled = new Set(enabledModules(config.modules, options.catalogue ?? EDGECORE_MODULES));
  const registry = createMetricsRegistry({ defaultLabels: { program: 'edgecore' } });
  const nodeName = resolveNodeName(config.modules.edged.hostnameOverride, hostname());
  const modules: DaemonModule[] = [];
  let metaManager: MetaManager | undefined;

  try {
    if (enabled.has('metaManager')) {
      // Opened here, not in run(): a bad database.dataSource must stop edgecore with its message, not be retried.
      metaManager = await createMetaManager({
        dataSource: config.database.dataSource,
        queryTimeoutMs: config.modules.metaManager.remoteQueryTimeoutMs,
        log: logger.child({ module: 'metamanager' }),
        registry,
      });
      modules.push(metaManager);
    }
    if (enabled.has('edgeHub')) modules.push(...edgeHubModules(config, nodeName, logger, registry));
    if (enabled.has('edged')) modules.push(createEdgedModule({ config, nodeName, log: logger.child({ module: 'edged' }) }));
    // After metamanager, which creates and checks the database file devicetwin then opens.
    if (enabled.has('deviceTwin')) modules.push(createDeviceTwin({ config, nodeName, log: logger.child({ module: 'devicetwin' }), registry }));
    // Last, so it stops first: no MQTT message comes in for a module that is already stopping.
    if (enabled.has('eventBus')) {
      const eventBus = config.modules.eventBus;
      modules.push(createEventBus({ config: eventBus, nodeName, dataSource: config.database.dataSource, log: logger, registry }));
    }
    const built: ReadonlySet<string> = new Set(['metaManager', 'edgeHub', 'edged', 'deviceTwin', 'eventBus']);
    for (const name of enabled) {
      if (!built.has(name)) {
        throw new Error(`module ${name} is marked implemented but has no factory in run.ts`);
      }
    }
    logger.info({ node: nodeName, modules: modules.map((m) => m.name) }, 'starting edgecore');
    await runDaemon(
      {
        program: 'edgecore',
        logger,
        monitorBindAddress: config.monitorServer.bindAddress,
        modules,
        shutdownGraceMs: options.shutdownGraceMs ?? 10_000,
        registry,
      },
      signal,
    );
  } finally {
    await metaManager?.close();
  }
}

/** EdgeHub, and the certificate rotator that makes it reconnect with renewed files. */
function edgeHubModules(config: EdgeCoreConfig, nodeName: string, logger: Logger, registry: ReturnType<typeof createMetricsRegistry>): DaemonModule[] {
  const hubConfig = config.modules.edgeHub;
  const files = { caFile: hubConfig.tlsCaFile, certFile: hubConfig.tlsCertFile, keyFile: hubConfig.tlsPrivateKeyFile };
  const log = logger.child({ module: 'edgehub' });
  const hub = createEdgeHub({
    config: hubConfig,
    nodeName,
    log,
    registry,
    ensureCertificates: async (signal) => {
      await joinCluster({ httpServer: hubConfig.httpServer, token: hubConfig.token, nodeName, ...files, log, signal });
    },
  });
  if (!hubConfig.rotateCertificates) return [hub];
  const rotator = new CertificateRotator({
    httpServer: hubConfig.httpServer,
    nodeName,
    ...files,
    log: logger.child({ module: 'certrotator' }),
    onRotated: () => hub.reconnect('certificate rotated'),
  });
  return [hub, { name: 'certrotator', group: 'certrotator', run: (ctx) => rotator.start(ctx.signal) }];
}
