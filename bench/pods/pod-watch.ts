/**
 * When each benchmark pod was first seen in the API and first seen Running, from one watch on the API server (polling
 * with kubectl would load the 2 cores the edge node runs on, and blur the figures by its period).
 */
import { RESOURCES, type Client, type KubeObject } from '../../pkg/kube';

interface PodObject extends KubeObject {
  status?: { phase?: string };
}

export interface PodTimes {
  /** performance.now() of the first event (ADDED). */
  seenMs: number;
  runningMs?: number;
  deletedMs?: number;
}

export class PodWatch {
  readonly times = new Map<string, PodTimes>();
  private readonly abort = new AbortController();
  private done: Promise<void> = Promise.resolve();
  private waiters = new Set<() => void>();

  constructor(
    private readonly client: Client,
    private readonly namespace: string,
    private readonly labelSelector: string,
  ) {}

  /** Lists (for the starting resourceVersion) and watches until stop(); re-watches when the server ends a watch. */
  async start(): Promise<void> {
    const pods = this.client.resource<PodObject>(RESOURCES.pods);
    const list = await pods.list({ namespace: this.namespace, labelSelector: this.labelSelector });
    let resourceVersion = list.metadata?.resourceVersion;
    for (const pod of list.items) this.record('ADDED', pod);
    this.done = (async () => {
      while (!this.abort.signal.aborted) {
        try {
          await pods.watch({ namespace: this.namespace, labelSelector: this.labelSelector, resourceVersion, timeoutSeconds: 300, signal: this.abort.signal }, (event) => {
            if (event.type === 'BOOKMARK') return;
            resourceVersion = event.object.metadata?.resourceVersion ?? resourceVersion;
            this.record(event.type, event.object);
          });
        } catch (error) {
          if (this.abort.signal.aborted) return;
          process.stderr.write(`[bench-pods] pod watch ended (${(error as Error).message}); watching again\n`);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.done.catch(() => undefined);
  }

  /** Resolves once `check` holds (checked at every event), or rejects after timeoutMs naming `what`. */
  async until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!check()) {
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`${what}: not within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(wake, Math.min(left, 500));
        const waiters = this.waiters;
        function wake(): void {
          clearTimeout(timer);
          waiters.delete(wake);
          resolve();
        }
        waiters.add(wake);
      });
    }
  }

  running(name: string): boolean {
    return this.times.get(name)?.runningMs !== undefined;
  }

  gone(name: string): boolean {
    return this.times.get(name)?.deletedMs !== undefined;
  }

  private record(type: string, pod: PodObject): void {
    const name = pod.metadata?.name ?? '';
    const now = performance.now();
    let times = this.times.get(name);
    if (!times || (type === 'ADDED' && times.deletedMs !== undefined)) this.times.set(name, (times = { seenMs: now }));
    if (type === 'DELETED') times.deletedMs ??= now;
    else if (pod.status?.phase === 'Running') times.runningMs ??= now;
    for (const wake of [...this.waiters]) wake();
  }
}
