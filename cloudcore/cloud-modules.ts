/**
 * Builds the enabled cloud modules around one Kubernetes client: CloudHub with what it needs to run (the shared CA and
 * server certificate, the join token, the bootstrap HTTPS server, the delivery records), then the controllers that
 * feed it. Everything that must exist before a node can connect is done here, before any module starts.
 */
import { hostname } from 'node:os';
import type { Registry } from 'prom-client';
import type { DaemonModule } from '../pkg/cli';
import { ensureCloudPki, startBootstrapServer, TokenKeeper } from '../pkg/join';
import { createClient, loadKubeConfig, type Client } from '../pkg/kube';
import type { Logger } from '../pkg/log';
import { DeliveredIndex, DeliveryRecorder, ensureReliableSyncCRDs } from '../pkg/reliablesync';
import { aborted } from '../pkg/timing';
import { createCloudHub } from './cloudhub';
import type { CloudCoreConfig, CloudCoreModule } from './config';
import { createDeviceController } from './devicecontroller';
import { createEdgeController } from './edgecontroller';
import { createSyncController } from './synccontroller';

export interface CloudModulesInput {
  config: CloudCoreConfig;
  enabled: ReadonlySet<CloudCoreModule>;
  kubeconfigPath: string;
  logger: Logger;
  registry: Registry;
  signal: AbortSignal;
}

export async function buildCloudModules(input: CloudModulesInput): Promise<DaemonModule[]> {
  const { config, enabled, logger, registry, signal } = input;
  if (enabled.size === 0) return [];
  const { qps, burst } = config.kubeAPIConfig;
  const client = createClient(loadKubeConfig({ kubeconfigPath: input.kubeconfigPath, qps, burst }), { fieldManager: 'cloudcore' });
  const modules: DaemonModule[] = [];

  // One records index for both readers: CloudHub (what was delivered) and SyncController (what to resend).
  let index: DeliveredIndex | undefined;
  if (enabled.has('cloudHub') || enabled.has('syncController')) {
    await ensureReliableSyncCRDs(client, { signal });
    index = new DeliveredIndex({ client, log: logger.child({ component: 'reliablesync' }), registry });
  }
  if (enabled.has('cloudHub')) modules.push(...(await cloudHubModules(input, client, index!)));
  if (enabled.has('syncController')) {
    modules.push(
      createSyncController({
        client,
        log: logger.child({ module: 'synccontroller' }),
        registry,
        periodMs: config.modules.syncController.periodMs,
        index,
      }),
    );
  } else if (index) {
    const running = index;
    modules.push({ name: 'reliablesync-index', group: 'reliablesync-index', run: (ctx) => running.start(ctx.signal) });
  }
  if (enabled.has('edgeController')) modules.push(createEdgeController({ client, registry }));
  // The delivery records tell a restarted cloudcore which nodes still hold a device that moved while it was down.
  if (enabled.has('deviceController')) modules.push(createDeviceController({ client, registry, ...(index ? { delivered: index } : {}) }));
  logger.debug({ modules: modules.map((m) => m.name) }, 'cloud modules built');
  return modules;
}

/** CloudHub, the join token keeper and the bootstrap HTTPS server (/ca.crt, /edge.crt). */
async function cloudHubModules(input: CloudModulesInput, client: Client, index: DeliveredIndex): Promise<DaemonModule[]> {
  const { logger, registry, signal } = input;
  const hub = input.config.modules.cloudHub;
  const log = logger.child({ module: 'cloudhub' });
  const pki = await ensureCloudPki(client, {
    caFile: hub.tlsCAFile,
    caKeyFile: hub.tlsCAKeyFile,
    certFile: hub.tlsCertFile,
    keyFile: hub.tlsPrivateKeyFile,
    advertiseAddresses: hub.advertiseAddress,
    dnsNames: hub.dnsNames,
    log,
    signal,
  });
  const keeper = new TokenKeeper({ client, ca: pki.ca, refreshMs: hub.tokenRefreshDurationMs, log });
  const recorder = new DeliveryRecorder({ client, log, registry, cache: index });
  // Which cloudcore holds a node: the Node's `cloudcore` annotation, read by the other replicas.
  const holderId = `${hub.advertiseAddress[0] ?? hostname()}:${hub.tunnel.port}`;
  const cloudHub = createCloudHub({
    config: hub,
    tls: { caPem: pki.ca.certPem, certPem: pki.server.certPem, keyPem: pki.server.keyPem },
    holderId,
    client,
    onDelivered: async (node, message) => {
      await recorder.delivered(node, message);
    },
    deliveredVersion: (node, uid) => index.deliveredVersion(node, uid),
    log,
    registry,
  });
  const bootstrap: DaemonModule = {
    name: 'bootstrap',
    group: 'bootstrap',
    async run(ctx) {
      const server = await startBootstrapServer({
        address: hub.https.address,
        port: hub.https.port,
        ca: pki.ca,
        server: pki.server,
        edgeCertSigningDurationMs: hub.edgeCertSigningDurationMs,
        log,
        registry,
      });
      log.info({ url: server.url }, 'bootstrap server listening (/ca.crt, /edge.crt)');
      await aborted(ctx.signal);
      await server.close();
    },
  };
  return [{ name: 'tokenkeeper', group: 'tokenkeeper', run: (ctx) => keeper.start(ctx.signal) }, bootstrap, cloudHub];
}
