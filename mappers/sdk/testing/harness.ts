/**
 * A mapper (the real SDK, over real unix sockets) with an EdgecorePeer in a fresh temp folder, logs kept in memory.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Device, DeviceModel } from '../../../gen/kubeedge/dmi/v1beta1/api';
import { createLogger } from '../../../pkg/log';
import type { MapperConfig } from '../config';
import type { ProtocolDriver } from '../driver';
import { startMapper, type MapperOptions, type RunningMapper } from '../mapper';
import { EdgecorePeer } from './edgecore-peer';

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

export interface Harness<P, V> {
  readonly dir: string;
  readonly config: MapperConfig;
  readonly peer: EdgecorePeer;
  readonly mapper: RunningMapper<P, V>;
  readonly lines: LogLine[];
  /** Log lines whose message contains `text`. */
  logged(text: string): LogLine[];
  /** Resolves with the first log line whose message contains `text`, polling; rejects after `timeoutMs`. */
  waitForLog(text: string, timeoutMs?: number): Promise<LogLine>;
  restUrl(path: string): string;
  stop(): Promise<void>;
}

export async function startHarness<P, V>(options: {
  driver: ProtocolDriver<P, V>;
  devices?: Device[];
  models?: DeviceModel[];
  runner?: MapperOptions<P, V>['runner'];
  /** Start the mapper this long before edgecore (the peer). */
  edgecoreLateMs?: number;
}): Promise<Harness<P, V>> {
  const dir = await mkdtemp(join(tmpdir(), 'mapper-'));
  const lines: LogLine[] = [];
  const log = createLogger({ level: 'debug', name: 'mapper', destination: { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) } });
  const config: MapperConfig = {
    socketPath: join(dir, 'mapper.sock'),
    name: `${options.driver.protocol}-mapper`,
    version: 'v1.0.0',
    apiVersion: 'v1.0.0',
    protocol: options.driver.protocol,
    address: '127.0.0.1',
    edgecoreSock: join(dir, 'dmi.sock'),
    httpPort: 0,
  };
  const startPeer = async (): Promise<EdgecorePeer> => {
    const peer = await EdgecorePeer.start(config.edgecoreSock);
    peer.devices = options.devices ?? [];
    peer.models = options.models ?? [];
    return peer;
  };
  let peer: EdgecorePeer | undefined = options.edgecoreLateMs === undefined ? await startPeer() : undefined;
  const mapper = await startMapper({
    config,
    driver: options.driver,
    log,
    runner: { healthCheckMs: 100, reconnect: { initialMs: 100, maxMs: 400 }, ...options.runner },
    registerBackoff: { initialMs: 100, maxMs: 300 },
    callTimeoutMs: 2000,
  });
  if (peer === undefined) {
    await new Promise((resolve) => setTimeout(resolve, options.edgecoreLateMs));
    peer = await startPeer();
  }
  await mapper.registered;
  const started = peer;
  return {
    dir,
    config,
    peer: started,
    mapper,
    lines,
    logged: (text) => lines.filter((line) => line.msg.includes(text)),
    async waitForLog(text, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const line = lines.find((candidate) => candidate.msg.includes(text));
        if (line) return line;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for a log line containing ${JSON.stringify(text)}`);
        await sleep(25);
      }
    },
    restUrl: (path) => `http://127.0.0.1:${mapper.restAddress.port}${path}`,
    async stop() {
      await mapper.stop();
      await started.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
