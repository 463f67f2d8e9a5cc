/**
 * The SyncController module: the safety net of reliable delivery. Every period, and at once when cloudhub reports a
 * node CONNECTED, it queues the node; a worker compares the node's ObjectSync/ClusterObjectSync records with the
 * objects and sends cloudhub what the node missed (updates) and deletes for objects that disappeared. Nodes are the
 * queue keys: one pass per node at a time, failed passes back off per node. At start it installs the record CRDs if
 * needed and removes the records of nodes that no longer exist.
 */
import { setMaxListeners } from 'node:events';
import type { DaemonModule } from '../../pkg/cli';
import {
  BucketRetry,
  ExponentialRetry,
  InformerFactory,
  MaxOfRetry,
  runController,
  TokenBucket,
  WorkQueue,
} from '../../pkg/kube';
import type { ModuleContext } from '../../pkg/modules';
import { DeliveredIndex, ensureReliableSyncCRDs } from '../../pkg/reliablesync';
import { removeRecordsOfDeletedNodes } from './cleanup';
import { KindResolver } from './kinds';
import { CLOUDHUB, connectionEvent, SYNC_CONTROLLER } from './messages';
import { noSyncMetrics, syncMetrics, type SyncMetrics } from './metrics';
import { ObjectReader } from './objects';
import { compileSyncOptions, type CompiledSyncOptions, type SyncControllerOptions } from './options';
import { NodeReconciler } from './reconcile';

export interface SyncController extends DaemonModule {
  /** The records index the controller runs (the one given, or its own). */
  readonly index: DeliveredIndex;
  /** Nodes cloudhub reported connected to this cloudcore. */
  connectedNodes(): string[];
}

export function createSyncController(options: SyncControllerOptions): SyncController {
  const compiled = compileSyncOptions(options);
  const index = options.index ?? new DeliveredIndex({ client: options.client, log: options.log, ...(options.registry ? { registry: options.registry } : {}) });
  const metrics = options.registry ? syncMetrics(options.registry) : noSyncMetrics;
  // Kept across module restarts: cloudhub reports each connection once.
  const connected = new Set<string>();
  return {
    name: SYNC_CONTROLLER,
    group: SYNC_CONTROLLER,
    index,
    connectedNodes: () => [...connected],
    run: (ctx) => new Run(ctx, options, compiled, index, connected, metrics).run(),
  };
}

/** One run of the module (a restart after a crash is a new Run with fresh caches and queue). */
class Run {
  private readonly stop = new AbortController();
  private readonly queue: WorkQueue<string>;
  private readonly factory: InformerFactory;
  private readonly reconciler: NodeReconciler;
  private failure: unknown;
  private cleanedUp = false;
  private cleaning = false;

  constructor(
    private readonly ctx: ModuleContext,
    private readonly options: SyncControllerOptions,
    private readonly compiled: CompiledSyncOptions,
    private readonly index: DeliveredIndex,
    private readonly connected: Set<string>,
    private readonly metrics: SyncMetrics,
  ) {
    const { client, registry } = options;
    const log = ctx.log;
    const { retry } = compiled;
    this.queue = new WorkQueue<string>({
      name: SYNC_CONTROLLER,
      log,
      ...(registry ? { registry } : {}),
      retryLimiter: new MaxOfRetry<string>(
        new ExponentialRetry<string>({ baseMs: retry.initialMs, maxMs: retry.maxMs }),
        new BucketRetry<string>(new TokenBucket({ ratePerSecond: 10, burst: 100 })),
      ),
    });
    this.factory = new InformerFactory({ client, log, resyncMs: 0, ...(registry ? { registry } : {}) });
    const objects = new ObjectReader({ client, factory: this.factory, cacheSyncTimeoutMs: compiled.cacheSyncTimeoutMs });
    const kinds = new KindResolver(client);
    this.reconciler = new NodeReconciler({
      records: index,
      kinds,
      objects,
      send: (message) => ctx.send(CLOUDHUB, message),
      log,
      metrics,
      maxSendsPerPass: compiled.maxSendsPerPass,
    });
  }

  async run(): Promise<void> {
    const { ctx, stop } = this;
    const signal = stop.signal;
    // Every informer, worker and wait listens on this one signal.
    setMaxListeners(0, signal);
    const onAbort = (): void => stop.abort(ctx.signal.reason);
    if (ctx.signal.aborted) onAbort();
    else ctx.signal.addEventListener('abort', onAbort, { once: true });
    // Not awaited at the end: the runtime ends the receive loop when this run ends.
    void this.background('the message receiver', this.receive());
    const background: Promise<void>[] = [];
    let ticker: NodeJS.Timeout | undefined;
    try {
      // Idempotent; here so that the records exist as resources whoever else is (or is not) running.
      await ensureReliableSyncCRDs(this.options.client, { signal });
      background.push(this.background('index', this.index.start(signal)), this.background('object caches', this.factory.start(signal)));
      await this.index.waitForSync(signal);
      ctx.log.info({ periodMs: this.compiled.periodMs, scope: this.compiled.periodicScope }, 'records synced; reconciling');
      await this.cleanUp();
      // A restarted module still knows the connected nodes: reconcile them now rather than a period from now.
      this.tick();
      ticker = setInterval(() => this.tick(), this.compiled.periodMs);
      ticker.unref();
      await runController({
        name: SYNC_CONTROLLER,
        queue: this.queue,
        workers: this.compiled.workers,
        reconcile: (node, s) => this.reconcile(node, s),
        log: ctx.log,
        signal,
        ...(this.options.registry ? { registry: this.options.registry } : {}),
      });
    } catch (error) {
      if (!signal.aborted) throw error;
    } finally {
      clearInterval(ticker);
      ctx.signal.removeEventListener('abort', onAbort);
      stop.abort();
      await this.queue.shutDown();
      await Promise.all(background);
    }
    // Stopped because a part failed rather than because the runtime said so: a crash, so the runtime restarts us.
    if (this.failure !== undefined && !ctx.signal.aborted) throw this.failure;
  }

  private async reconcile(node: string, signal: AbortSignal) {
    try {
      return await this.reconciler.reconcile(node, signal);
    } catch (error) {
      if (!signal.aborted) this.metrics.error('reconcile_failed');
      throw error;
    }
  }

  /** Queues the nodes the periodic pass covers; nodes backing off after a failure keep their back-off. */
  private tick(): void {
    if (!this.cleanedUp) void this.cleanUp();
    const nodes = this.compiled.periodicScope === 'all' ? new Set([...this.index.nodes(), ...this.connected]) : this.connected;
    for (const node of nodes) {
      if (this.queue.numRequeues(node) > 0) continue;
      this.queue.add(node);
    }
  }

  private async receive(): Promise<void> {
    for await (const message of this.ctx.receive()) {
      const event = connectionEvent(message);
      if (!event) {
        this.ctx.log.debug({ operation: message.route?.operation, resource: message.route?.resource }, 'ignoring a message that is not a node connection event');
        continue;
      }
      if (event.type === 'connected') {
        this.connected.add(event.node);
        // A reconnected node gets a full round, not the rest of an interrupted one.
        this.reconciler.forget(event.node);
        // Promptly: what changed while the node was away goes out now, not at the next period.
        this.queue.add(event.node);
      } else {
        this.connected.delete(event.node);
      }
      this.metrics.connectedNodes(this.connected.size);
      this.ctx.log.debug({ node: event.node, event: event.type }, 'node connection event');
    }
  }

  /** Removes the records of deleted nodes; on failure, tried again at the next tick until it succeeds once. */
  private async cleanUp(): Promise<void> {
    if (this.cleaning || this.cleanedUp) return;
    this.cleaning = true;
    const nodes = new Set(this.index.nodes());
    const records = [...nodes].flatMap((node) => this.index.recordsOf(node));
    try {
      const { removed, nodes: gone } = await removeRecordsOfDeletedNodes(this.options.client, records, this.ctx.log, this.stop.signal);
      this.metrics.removed(removed);
      for (const node of gone) this.reconciler.forget(node);
      this.cleanedUp = true;
    } catch (error) {
      if (this.stop.signal.aborted) return;
      this.metrics.error('cleanup_failed');
      this.ctx.log.warn({ err: error }, 'could not remove the records of deleted nodes; trying again next period');
    } finally {
      this.cleaning = false;
    }
  }

  /** A long-running part: if it fails while we run, the whole run stops and reports that failure. */
  private background(what: string, running: Promise<void>): Promise<void> {
    return running.catch((error: unknown) => {
      if (this.stop.signal.aborted) return;
      this.ctx.log.error({ err: error }, `${what} stopped with an error; restarting the module`);
      this.failure ??= error;
      this.stop.abort(error);
    });
  }
}
