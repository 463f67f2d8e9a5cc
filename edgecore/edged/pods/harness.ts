/**
 * Test harness for the pod workers: a private containerd (pkg/containerd), the test images, a CriClient and a
 * PodWorkers whose callbacks are recorded. Only tests import this.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { checkContainerdInstalled, ensureTestImages, startContainerd, type RunningContainerd } from '../../../pkg/containerd';
import type { Container, Pod, PodStatus } from '../api';
import { CriClient } from '../cri';
import { PodWorkers } from './workers';
import type { PodWorkersDeps, PodWorkersOptions } from './types';

export interface RecordedEvent {
  uid: string;
  type: string;
  reason: string;
  message: string;
}

export interface Runtime {
  containerd: RunningContainerd;
  cri: CriClient;
  dir: string;
  stop(): Promise<void>;
}

export async function startRuntime(): Promise<Runtime> {
  checkContainerdInstalled();
  const dir = mkdtempSync(join(tmpdir(), 'ke-pw-'));
  const containerd = await startContainerd({ dir });
  await ensureTestImages(containerd.endpoint);
  const cri = new CriClient({ endpoint: containerd.endpoint });
  return {
    containerd,
    cri,
    dir,
    stop: async () => {
      cri.close();
      await containerd.stop({ clean: true });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export class Recorder {
  readonly statuses = new Map<string, PodStatus>();
  readonly history: { uid: string; status: PodStatus }[] = [];
  readonly events: RecordedEvent[] = [];
  readonly terminated: string[] = [];

  deps(cri: CriClient, extra: Partial<PodWorkersDeps> = {}): PodWorkersDeps {
    return {
      cri,
      log: pino({ level: process.env.LOG_LEVEL ?? 'silent' }),
      onStatus: (pod, status) => {
        this.statuses.set(pod.metadata.uid!, status);
        this.history.push({ uid: pod.metadata.uid!, status });
      },
      onTerminated: (pod) => this.terminated.push(pod.metadata.uid!),
      recordEvent: (pod, type, reason, message) => this.events.push({ uid: pod.metadata.uid!, type, reason, message }),
      ...extra,
    };
  }

  eventsOf(uid: string, reason?: string): RecordedEvent[] {
    return this.events.filter((e) => e.uid === uid && (reason === undefined || e.reason === reason));
  }
}

export function workerOptions(dir: string, extra: Partial<PodWorkersOptions> = {}): PodWorkersOptions {
  return {
    nodeName: 'edge-1',
    hostIP: '192.0.2.10',
    podLogsDirectory: join(dir, 'pods'),
    crashBackoff: { initialMs: 400, maxMs: 1600 },
    imageBackoff: { initialMs: 400, maxMs: 1600 },
    relistMs: 100,
    resyncMs: 5_000,
    gcIntervalMs: 60_000,
    ...extra,
  };
}

let counter = 0;

export function makePod(name: string, containers: Container[], spec: Partial<Pod['spec']> = {}): Pod {
  counter++;
  const uid = `00000000-0000-4000-8000-${String(process.pid % 100000).padStart(6, '0')}${String(counter).padStart(6, '0')}`;
  return {
    metadata: { name, namespace: 'default', uid, labels: { app: name } },
    spec: { containers, terminationGracePeriodSeconds: 1, ...spec },
  };
}

export const BUSYBOX = 'docker.io/library/busybox:1.35';

export async function waitFor<T>(what: string, fn: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = fn();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export { PodWorkers };
