/** Starts the embedded control plane for this package's integration tests: real HTTPS, real SQLite, a temp dir. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane, type ControlPlaneOptions } from '../../controlplane';
import type { Logger } from '../../log';

export { testLogger } from './log';

export interface TestControlPlaneOptions {
  /** Keep few events, compacted only on demand, so a test can force 410 Gone. */
  eventRetention?: { maxEvents?: number; memoryEvents?: number; compactIntervalMs?: number };
}

/** One data directory that control planes can be started on, stopped and restarted (on the same port or another). */
export class TestControlPlane {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'kube-cp-'));
  current: ControlPlane | undefined;

  constructor(
    private readonly log: Logger,
    private readonly options: TestControlPlaneOptions = {},
  ) {}

  async start(port = 0): Promise<ControlPlane> {
    if (this.current) throw new Error('control plane already running');
    const options: ControlPlaneOptions & TestControlPlaneOptions = { dataDir: this.dataDir, bindAddress: '127.0.0.1', port, log: this.log, ...this.options };
    this.current = await startControlPlane(options);
    return this.current;
  }

  async stop(): Promise<void> {
    const cp = this.current;
    this.current = undefined;
    await cp?.close();
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
