/**
 * CloudHub: the cloud end of the cloud-edge tunnel. `createCloudHub` returns the module cloudcore runs; it serves
 * kubeedge.tunnel.v1.CloudHubService/Tunnel over mutual TLS, keeps one session per edge node, delivers what cloud
 * modules send it (reliably, when the message changes an object on the edge) and hands what edge nodes send to the
 * cloud module for its group.
 */
import { Registry } from 'prom-client';
import type { DaemonModule } from '../../pkg/cli';
import type { HostPort } from '../../pkg/config';
import type { ModuleContext } from '../../pkg/modules';
import { createNodeAuthorizer, type NodeAuthorizer, type NodeObjectLookup } from './authorizer';
import { Downstream } from './downstream';
import { Hub } from './hub';
import { KubeNodeLookup } from './kube-lookup';
import { createCloudHubMetrics } from './metrics';
import { createNodeAnnotator } from './node-annotator';
import { compileOptions, type CloudHubOptions } from './options';
import { startTunnelServer, type TunnelServer } from './server';
import { Upstream } from './upstream';

export const CLOUDHUB_MODULE = 'cloudhub';
/** How long running streams get to finish when the module stops, before their connections are closed. */
const SHUTDOWN_GRACE_MS = 2000;

export interface CloudHubModule extends DaemonModule {
  /**
   * Settles with the first attempt to listen: the address bound (the real port when the config says 0), or the
   * TunnelServerError that made the module's run fail.
   */
  readonly listening: Promise<HostPort>;
  /** Nodes connected to this cloudcore right now. */
  connectedNodes(): string[];
}

export function createCloudHub(options: CloudHubOptions): CloudHubModule {
  const compiled = compileOptions(options);
  const log = options.log.child({ module: CLOUDHUB_MODULE });
  const metrics = createCloudHubMetrics(options.registry ?? new Registry());
  // Our own lookup learns pod bindings from the pods sent down (see kube-lookup.ts).
  const lookup = options.authorizer === undefined && options.client ? new KubeNodeLookup(options.client) : undefined;
  const authorizer: NodeAuthorizer = options.authorizer ?? createNodeAuthorizer(lookup ?? NO_CLUSTER);
  const hub = new Hub({
    options: compiled,
    log,
    metrics,
    downstream: new Downstream({
      limits: compiled.queue,
      maxMessageSizeBytes: compiled.maxMessageSizeBytes,
      metrics,
      log,
      ...(options.onDelivered ? { onDelivered: options.onDelivered } : {}),
      ...(options.deliveredVersion ? { deliveredVersion: options.deliveredVersion } : {}),
    }),
    upstream: new Upstream({ authorizer, metrics, log }),
    ...(options.client ? { annotator: createNodeAnnotator(options.client, options.holderId, log) } : {}),
  });
  let server: TunnelServer | undefined;
  let resolveListening: (address: HostPort) => void = () => undefined;
  let rejectListening: (error: unknown) => void = () => undefined;
  const listening = new Promise<HostPort>((resolve, reject) => {
    resolveListening = resolve;
    rejectListening = reject;
  });
  listening.catch(() => undefined); // also reported by run(); only awaiting callers need to see it

  return {
    name: CLOUDHUB_MODULE,
    group: CLOUDHUB_MODULE,
    listening,
    connectedNodes: () => hub.connectedNodes(),
    healthCheck: {
      name: CLOUDHUB_MODULE,
      check: () => {
        if (server === undefined) throw new Error('not listening for edge nodes');
      },
    },
    async run(ctx: ModuleContext) {
      hub.open(ctx);
      try {
        server = await startTunnelServer(compiled, options.tls, (call) => hub.accept(call));
      } catch (error) {
        hub.close();
        rejectListening(error);
        throw error;
      }
      log.info({ address: server.address, nodeLimit: compiled.nodeLimit }, 'listening for edge nodes');
      resolveListening(server.address);
      const sweep = setInterval(() => hub.sweep(), compiled.sweepIntervalMs);
      sweep.unref();
      try {
        for await (const message of ctx.receive()) {
          lookup?.noteDownstream(message);
          hub.dispatch(message);
        }
      } finally {
        clearInterval(sweep);
        hub.close();
        const stopping = server;
        server = undefined;
        await stopping.shutdown(SHUTDOWN_GRACE_MS);
      }
    },
  };
}

/** Without a Kubernetes client nothing can be looked up: only checks that need no lookup can pass. */
const noCluster = (): Promise<never> =>
  Promise.reject(new Error('cloudhub runs without a Kubernetes client, so objects cannot be looked up'));
const NO_CLUSTER: NodeObjectLookup = {
  podNode: noCluster,
  deviceNode: noCluster,
  podNamespaces: noCluster,
  deviceNamespaces: noCluster,
};

export { createNodeAuthorizer, type Authorization, type NodeAuthorizer, type NodeObjectLookup, type RefusalReason } from './authorizer';
export { createKubeNodeAuthorizer, KubeNodeLookup, type KubeLookupOptions } from './kube-lookup';
export { HOLDER_ANNOTATION } from './node-annotator';
export { FRAME_OVERHEAD_BYTES, type CloudHubOptions, type CloudHubSettings, type DeliveryOptions, type TlsPems } from './options';
export { TunnelError, type TunnelErrorCode } from './errors';
export { TunnelServerError } from './server';
export { NODE_COMMON_NAME_PREFIX, NODES_ORGANIZATION } from './identity';
