/**
 * Keeps this node's Node object and Lease fresh in the cloud, as a kubelet does: register on connect (create, or
 * merge labels), then the full status at once and every nodeStatusUpdateFrequency, and the Lease every 10 s. The
 * first status after a (re)connect goes out immediately, so the node shows Ready as soon as the link is up instead of
 * after the next period. Nothing is sent while disconnected: a stale status has no value once the link is back.
 */
import type { Logger } from '../../pkg/log';
import { Backoff, sleep } from '../../pkg/timing';
import type { Lease, Node, NodeStatus } from './api';

export interface NodeReporterDeps {
  registerNode(node: Node): Promise<Node>;
  nodeStatus(status: NodeStatus): Promise<void>;
  lease(lease: Lease): Promise<void>;
  /** The Node to register (metadata and spec; status optional). */
  node(): Node;
  /** The node's status now (runtime readiness, capacity, addresses...). */
  status(): Promise<NodeStatus>;
  buildLease(nowMs: number): Lease;
  statusPeriodMs: number;
  leaseRenewMs: number;
  log: Logger;
}

export class NodeReporter {
  private connected = false;
  /** Wakes the loop when the connection changes. */
  private wake: () => void = () => undefined;

  constructor(private readonly deps: NodeReporterDeps) {}

  setConnected(connected: boolean): void {
    this.connected = connected;
    this.wake();
  }

  /** Runs until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const backoff = new Backoff({ initialMs: 500, maxMs: 30_000 });
    while (!signal.aborted) {
      if (!this.connected) {
        await this.waitForChange(signal);
        continue;
      }
      try {
        await this.deps.registerNode(this.deps.node());
        await this.reportWhileConnected(signal);
        backoff.reset();
      } catch (error) {
        const delayMs = backoff.next();
        this.deps.log.warn({ err: error, retryInMs: delayMs }, 'could not register or report the node; retrying');
        await Promise.race([sleep(delayMs, signal).catch(() => undefined), this.waitForChange(signal)]);
      }
    }
  }

  private async reportWhileConnected(signal: AbortSignal): Promise<void> {
    let nextStatus = 0;
    let nextLease = 0;
    while (this.connected && !signal.aborted) {
      const now = Date.now();
      if (now >= nextStatus) {
        await this.deps.nodeStatus(await this.deps.status());
        nextStatus = now + this.deps.statusPeriodMs;
      }
      if (now >= nextLease) {
        await this.deps.lease(this.deps.buildLease(now));
        nextLease = now + this.deps.leaseRenewMs;
      }
      const waitMs = Math.max(0, Math.min(nextStatus, nextLease) - Date.now());
      await Promise.race([sleep(waitMs, signal).catch(() => undefined), this.waitForChange(signal)]);
    }
  }

  private waitForChange(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        signal.removeEventListener('abort', done);
        this.wake = () => undefined;
        resolve();
      };
      this.wake = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
