/**
 * Cloud process of the tunnel benchmark: the real CloudHub module and the bench injector (bench/tunnel/injector.ts)
 * in a ModuleRuntime, as cloudcore runs them, with the cached bench PKI. No Kubernetes: cloudhub gets no client, so it
 * annotates no Node and refuses upstream messages whose check needs the cluster (the simulated edges send none; they
 * send only Keepalive and Ack frames). Started by bench/tunnel/main.ts with an IPC channel and --expose-gc.
 */
import { Registry } from 'prom-client';
import { cloudCoreConfigSpec } from '../../cloudcore/config';
import { createCloudHub } from '../../cloudcore/cloudhub';
import { defaultConfig } from '../../pkg/config';
import { createLogger } from '../../pkg/log';
import { ModuleRuntime } from '../../pkg/modules';
import { BenchInjector, type BurstResult, type DeliveryCounts } from './injector';
import { sendEvent, serveRequests } from './ipc';
import { takeLoopDelay } from './loop-delay';
import { readPki } from './pki-cache';

export interface CloudOptions {
  /** 0: any free port (the first start); the restart asks for the same port again. */
  port: number;
  nodeLimit: number;
  contentBytes: number;
  /** Send each node that connects one object, as SyncController does after a reconnect. */
  resyncOnConnect: boolean;
}

export type CloudRequest =
  | { kind: 'stats'; gc: boolean }
  | { kind: 'burst'; nodes: string[]; count: number; maxUnacked: number; timeoutMs: number }
  | { kind: 'paced'; nodes: string[]; perNodePerSecond: number; seconds: number }
  | { kind: 'armResync'; on: boolean }
  | { kind: 'loopDelay' }
  | { kind: 'stop' };

export interface CloudStats {
  /** Nodes with an open session, as cloudhub counts them. */
  connected: number;
  /** Nodes cloudhub announced CONNECTED and not yet DISCONNECTED. */
  announced: number;
  delivered: DeliveryCounts;
  /** process.hrtime of the latest resync delivery, ns, as a string. */
  lastResyncNs: string;
  rssBytes: number;
  heapUsedBytes: number;
  externalBytes: number;
  cpuSeconds: number;
}

export type { BurstResult };

async function main(): Promise<void> {
  const options = JSON.parse(process.env.BENCH_CLOUD_OPTIONS ?? '') as CloudOptions;
  const pki = readPki();
  const log = createLogger({ level: process.env.BENCH_CLOUD_LOG_LEVEL ?? 'warn', name: 'bench-cloud' });
  const defaults = defaultConfig(cloudCoreConfigSpec()).modules.cloudHub;
  const injector = new BenchInjector(options.contentBytes, options.resyncOnConnect);
  const hub = createCloudHub({
    config: { ...defaults, nodeLimit: options.nodeLimit, tunnel: { address: '127.0.0.1', port: options.port } },
    tls: { caPem: pki.ca.certPem, certPem: pki.server.certPem, keyPem: pki.server.keyPem },
    holderId: 'bench-cloud',
    onDelivered: injector.onDelivered,
    log,
    registry: new Registry(),
  });
  const runtime = new ModuleRuntime({ log });
  runtime.register(hub);
  runtime.register(injector);
  runtime.start();
  const address = await hub.listening;

  let stopping = false;
  serveRequests<CloudRequest>(async (request) => {
    switch (request.kind) {
      case 'stats':
        return stats(hub.connectedNodes().length, injector, request.gc);
      case 'burst':
        return injector.burst(request.nodes, request.count, request.maxUnacked, request.timeoutMs);
      case 'paced':
        return injector.paced(request.nodes, request.perNodePerSecond, request.seconds);
      case 'loopDelay':
        return takeLoopDelay();
      case 'armResync':
        injector.armResync(request.on);
        return undefined;
      case 'stop':
        if (!stopping) {
          stopping = true;
          setImmediate(() => void runtime.stop(5000).finally(() => process.exit(0)));
        }
        return undefined;
    }
  });
  sendEvent({ event: 'ready', port: address.port });
}

function stats(connected: number, injector: BenchInjector, gc: boolean): CloudStats {
  if (gc) {
    const collect = (globalThis as { gc?: () => void }).gc;
    if (!collect) throw new Error('run the cloud process with --expose-gc');
    collect();
    collect();
  }
  const memory = process.memoryUsage();
  const cpu = process.cpuUsage();
  return {
    connected,
    announced: injector.connected.size,
    delivered: { ...injector.delivered },
    lastResyncNs: String(injector.lastResyncNs),
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    externalBytes: memory.external,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
