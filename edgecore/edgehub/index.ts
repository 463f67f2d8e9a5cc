/**
 * EdgeHub: edgecore's end of the cloud-edge tunnel. It keeps one gRPC stream (mutual TLS) to a cloudcore from
 * modules.edgeHub.servers, hands cloud messages to the edge modules and acknowledges them once stored, and sends
 * everything the edge modules address to group 'hub' up to the cloud, rate-limited.
 */
import type { DaemonModule } from '../../pkg/cli';
import type { ConnectionState } from './connection-state';
import { EdgeHubRun } from './hub';
import { createEdgeHubMetrics } from './metrics';
import { compileEdgeHubOptions, type EdgeHubOptions } from './options';

export { EdgeHubError, type EdgeHubErrorCode } from './errors';
export { CONNECTION_STATES, type ConnectionState } from './connection-state';
export { CONNECTION_LISTENERS, CONNECTION_RESOURCE, type ConnectionEvent } from './announce';
export { DOWNSTREAM_ROUTES, needsAck } from './downstream';
export { NOT_CONNECTED_TEXT } from './upstream';
export { compileEdgeHubOptions } from './options';
export type { CompiledEdgeHubOptions, EdgeHubConfig, EdgeHubOptions, EdgeHubTuning } from './options';

export const EDGEHUB_MODULE = 'edgehub';
export const EDGEHUB_GROUP = 'hub';

export interface EdgeHub extends DaemonModule {
  /** The connection's state now ('disconnected' before the module starts). */
  readonly state: ConnectionState;
  /**
   * Drops the connection and connects again at once, re-reading the TLS files: call it after the certificate was
   * rotated. Does nothing while the module is not running.
   */
  reconnect(reason: string): void;
}

/** Builds the module; throws EdgeHubError INVALID_OPTIONS naming the bad field. */
export function createEdgeHub(options: EdgeHubOptions): EdgeHub {
  const compiled = compileEdgeHubOptions(options);
  const metrics = createEdgeHubMetrics(options.registry);
  let current: EdgeHubRun | undefined;
  return {
    name: EDGEHUB_MODULE,
    group: EDGEHUB_GROUP,
    get state(): ConnectionState {
      return current?.state ?? 'disconnected';
    },
    reconnect(reason: string): void {
      current?.reconnect(reason);
    },
    // Being offline is normal at the edge (autonomy), so only a problem an operator must fix makes this fail.
    healthCheck: {
      name: EDGEHUB_MODULE,
      check(): void {
        const problem = current?.healthProblem;
        if (problem) throw problem;
      },
    },
    async run(ctx): Promise<void> {
      const log = options.log ? options.log.child({ module: EDGEHUB_MODULE }) : ctx.log;
      const run = new EdgeHubRun({ options: compiled, ctx, log, metrics, ensureCertificates: options.ensureCertificates });
      current = run;
      await run.run();
    },
  };
}
