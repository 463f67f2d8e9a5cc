import { Counter, Gauge, type Registry } from 'prom-client';

/** What the runtime reports; a narrow interface so tests and benchmarks can run without a registry. */
export interface RuntimeMetrics {
  sent(): void;
  /** Returns the callback for one module's inbox, bound once so the hot path does no label lookups. */
  queueFull(module: string): () => void;
  syncTimeout(): void;
  lateResponse(): void;
  crashed(module: string): void;
  /** Lets the queue-depth gauge read the inboxes when scraped. */
  observeQueues(read: () => Iterable<[module: string, depth: number]>): void;
}

export function createRuntimeMetrics(registry: Registry): RuntimeMetrics {
  const registers = [registry];
  // The hot path only bumps a number; the counter catches up when scraped.
  let sentCount = 0;
  let sentReported = 0;
  new Counter({
    name: 'module_messages_sent_total',
    help: 'Messages handed to module inboxes.',
    registers,
    collect() {
      this.inc(sentCount - sentReported);
      sentReported = sentCount;
    },
  });
  const full = new Counter({
    name: 'module_queue_full_total',
    help: 'Sends that had to wait because the destination inbox was full.',
    labelNames: ['module'],
    registers,
  });
  const timeouts = new Counter({ name: 'module_sync_timeouts_total', help: 'sendSync calls that timed out.', registers });
  const late = new Counter({
    name: 'module_late_responses_total',
    help: 'Responses that arrived after their sendSync had given up.',
    registers,
  });
  const crashes = new Counter({
    name: 'module_crashes_total',
    help: 'Module runs that ended in an error.',
    labelNames: ['module'],
    registers,
  });
  let readQueues: () => Iterable<[string, number]> = () => [];
  new Gauge({
    name: 'module_queue_depth',
    help: 'Messages waiting in each module inbox.',
    labelNames: ['module'],
    registers,
    collect() {
      for (const [module, depth] of readQueues()) this.set({ module }, depth);
    },
  });
  return {
    sent: () => void sentCount++,
    queueFull: (module) => {
      const child = full.labels(module);
      return () => child.inc();
    },
    syncTimeout: () => timeouts.inc(),
    lateResponse: () => late.inc(),
    crashed: (module) => crashes.inc({ module }),
    observeQueues: (read) => (readQueues = read),
  };
}
