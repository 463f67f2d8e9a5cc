/** Starts a Dmi on a temporary folder (socket + SQLite file), with a recording twin side and captured logs. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { Dmi } from '../dmi';
import type { DmiRateLimit, DmiTimings } from '../types';
import { captureLogger, type LogLine } from './logs';
import { ManagerClient } from './mapper-peer';
import { RecordingTwinSide } from './twin-side';

/** Short timings so that death, retries and reconnects happen within a test. */
export const TEST_TIMINGS: DmiTimings = {
  connectTimeoutMs: 1000,
  callTimeoutMs: 1000,
  callAttempts: 5,
  retryDelayMs: 50,
  failedRetryMs: 400,
  mapperDeadAfterMs: 300,
};

export interface Harness {
  dir: string;
  dataSource: string;
  socket: string;
  dmi: Dmi;
  twin: RecordingTwinSide;
  registry: Registry;
  lines: LogLine[];
  find(text: string): LogLine[];
  client(): ManagerClient;
  /** Stops the Dmi (not the folder): a restart starts another Dmi on the same folder. */
  stop(): Promise<void>;
}

export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'dmi-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startDmi(
  dir: string,
  options: { twin?: RecordingTwinSide; timings?: Partial<DmiTimings>; rateLimit?: Partial<DmiRateLimit> } = {},
): Promise<Harness> {
  const { log, lines, find } = captureLogger();
  const twin = options.twin ?? new RecordingTwinSide();
  const registry = new Registry();
  const dataSource = join(dir, 'edgecore.db');
  const dmi = new Dmi({
    socketDir: join(dir, 'kubeedge'),
    nodeName: 'edge-1',
    log,
    registry,
    twin,
    dataSource,
    timings: { ...TEST_TIMINGS, ...options.timings },
    // Generous unless a test is about the limit: tests call faster than mappers do.
    rateLimit: options.rateLimit ?? { ratePerSecond: 1000, burst: 1000 },
  });
  await dmi.start();
  const clients: ManagerClient[] = [];
  return {
    dir,
    dataSource,
    socket: dmi.socketPath!,
    dmi,
    twin,
    registry,
    lines,
    find,
    client: () => {
      const c = new ManagerClient(dmi.socketPath!);
      clients.push(c);
      return c;
    },
    stop: async () => {
      for (const c of clients) c.close();
      await dmi.stop();
    },
  };
}

/** Polls until `check` holds (a few seconds at most), for what happens in the background. */
export async function eventually(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
