/**
 * When each benchmark pod was first seen in the API and first seen Running, from one watch on the API server (polling
 * with kubectl would load the 2 cores the edge node runs on, and blur the figures by its period).
 */
import { RESOURCES, type Client, type KubeObject } from '../../pkg/kube';

interface PodObject extends KubeObject {
  spec?: { nodeName?: string };
  status?: { phase?: string };
}

export interface PodTimes {
  /** performance.now() of the first event (ADDED). */
  seenMs: number;
  /** First event with spec.nodeName set (the scheduler's binding). */
  boundMs?: number;
  runningMs?: number;
  deletedMs?: number;
}

export class PodWatch {
  readonly times = new Map<string, PodTimes>();
  private readonly appliedMs = new Map<string, number>();
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

  /** Marks `names` as applied (kubectl started) at `ms`, for the trace's marks file. */
  applied(names: string[], ms: number): void {
    for (const name of names) this.appliedMs.set(name, ms);
  }

  /** Every pod's marks as wall-clock epoch milliseconds, to line up with the processes' log times. */
  marks(): Record<string, Record<string, number>> {
    const wall = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : Math.round(performance.timeOrigin + ms));
    const out: Record<string, Record<string, number>> = {};
    for (const [name, t] of this.times) {
      const entry = { applied: wall(this.appliedMs.get(name)), seen: wall(t.seenMs), bound: wall(t.boundMs), running: wall(t.runningMs) };
      out[name] = Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined)) as Record<string, number>;
    }
    return out;
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
    if (pod.spec?.nodeName) times.boundMs ??= now;
    if (type === 'DELETED') times.deletedMs ??= now;
    else if (pod.status?.phase === 'Running') times.runningMs ??= now;
    for (const wake of [...this.waiters]) wake();
  }
}
