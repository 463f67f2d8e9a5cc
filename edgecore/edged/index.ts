/**
 * edged: runs the pods bound to this node through the container runtime's CRI API (containerd), keeps them running
 * with or without the cloud, and reports the node and its pods. See module.ts for how the parts fit.
 */
import { mkdir } from 'node:fs/promises';
import type { DaemonModule } from '../../pkg/cli';
import type { Logger } from '../../pkg/log';
import type { EdgeCoreConfig } from '../config';
import { EDGED } from './meta-client';
import { Edged, type EdgedSettings } from './module';
import { hostInfo } from './node';
import { NodeDescriber } from './node-describer';
import type { PodWorkersOptions } from './pods';
import { StaticPodSource } from './static-pods';

export interface EdgedModuleOptions {
  config: EdgeCoreConfig;
  nodeName: string;
  log: Logger;
  /** Tests shorten the pod workers' timings (back-offs, relist). */
  workerTimings?: Partial<PodWorkersOptions>;
}

/** Margin over metamanager's own wait for the cloud, so its local-store fallback answers first. */
const META_MARGIN_MS = 5_000;

export function createEdgedModule(options: EdgedModuleOptions): DaemonModule {
  const { config, nodeName, log } = options;
  const edged = config.modules.edged;
  const settings: EdgedSettings = {
    nodeName,
    registerNodeNamespace: edged.registerNodeNamespace,
    containerRuntimeEndpoint: edged.containerRuntimeEndpoint,
    cgroupDriver: edged.cgroupDriver as EdgedSettings['cgroupDriver'],
    rootDirectory: edged.rootDirectory,
    podLogsDirectory: edged.podLogsDirectory,
    clusterDNS: edged.clusterDNS,
    clusterDomain: edged.clusterDomain,
    nodeStatusUpdateFrequencyMs: edged.nodeStatusUpdateFrequencyMs,
    metaQueryTimeoutMs: config.modules.metaManager.remoteQueryTimeoutMs + META_MARGIN_MS,
  };
  return {
    name: EDGED,
    group: EDGED,
    run: async (ctx) => {
      await mkdir(edged.rootDirectory, { recursive: true });
      const host = await hostInfo({ rootDirectory: edged.rootDirectory, maxPods: edged.maxPods });
      const describer = new NodeDescriber({
        nodeName,
        host,
        labels: edged.nodeLabels,
        leaseDurationSeconds: Math.round(edged.nodeLeaseDurationMs / 1000),
      });
      const staticPods = (signal: AbortSignal, onChange: (pods: ReturnType<StaticPodSource['pods']>) => void) => {
        const source: StaticPodSource = new StaticPodSource({
          dir: edged.staticPodPath,
          nodeName,
          onEvents: () => onChange(source.pods()),
          onProblem: (problem) => log.warn({ file: problem.file }, `static pod manifest skipped: ${problem.message}`),
        });
        return source.start(signal);
      };
      await new Edged(ctx, { settings, describer, staticPods, workerTimings: options.workerTimings }).run();
    },
  };
}
