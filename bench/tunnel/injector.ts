/**
 * The benchmark's cloud module: it hands downstream messages to cloudhub as the cloud controllers do, and counts what
 * the edges acknowledged (cloudhub's onDelivered).
 *
 * It is registered under the name 'synccontroller' because that is a module cloudhub tells about node connections
 * (CONNECTED / DISCONNECTED), and it plays SyncController's part in the reconnect storm: when armed, it sends every
 * node that connects one changed object, as SyncController resends what changed while a node was away.
 */
import type { Message } from '../../gen/kubeedge/message/v1/message';
import type { Module, ModuleContext } from '../../pkg/modules';
import { jsonContent, newMessage, Operation } from '../../pkg/message';
import { sleep } from '../../pkg/timing';
import { BENCH_NAMESPACE, benchObject, objectName, phaseOf, type BenchPhase } from './bench-content';

/** Burst messages handed over between two turns of the event loop. */
const YIELD_EVERY = 50;

export interface DeliveryCounts {
  burst: number;
  latency: number;
  resync: number;
  /** Delivered messages this module did not send. */
  other: number;
}

export interface BurstResult {
  sent: number;
  delivered: number;
  /** From the first send to the last acknowledgement (or the timeout). */
  seconds: number;
  /** How long handing all messages to cloudhub took. */
  handOverSeconds: number;
}

export class BenchInjector implements Module {
  readonly name = 'synccontroller';
  readonly group = 'synccontroller';
  readonly connected = new Set<string>();
  readonly delivered: DeliveryCounts = { burst: 0, latency: 0, resync: 0, other: 0 };
  /** process.hrtime of the latest resync delivery, ns. */
  lastResyncNs = 0n;
  private ctx: ModuleContext | undefined;
  private sequence = 0;
  private readonly padding: string;
  private onBurstDelivered: (() => void) | undefined;

  constructor(
    contentBytes: number,
    private resyncOnConnect: boolean,
  ) {
    // The object JSON without padding is about 230 bytes.
    this.padding = 'x'.repeat(Math.max(0, contentBytes - 230));
  }

  async run(ctx: ModuleContext): Promise<void> {
    this.ctx = ctx;
    for await (const message of ctx.receive()) {
      const node = /^node\/([^/]+)$/.exec(message.route?.resource ?? '')?.[1];
      if (node === undefined) continue;
      if (message.route!.operation === Operation.OPERATION_CONNECTED) {
        this.connected.add(node);
        if (this.resyncOnConnect) void this.send('resync', node).catch(() => undefined);
      } else if (message.route!.operation === Operation.OPERATION_DISCONNECTED) {
        this.connected.delete(node);
      }
    }
  }

  /** cloudhub's onDelivered. */
  readonly onDelivered = async (_node: string, message: Message): Promise<void> => {
    switch (phaseOf(message.route?.resource ?? '')) {
      case 'burst':
        this.delivered.burst++;
        this.onBurstDelivered?.();
        break;
      case 'latency':
        this.delivered.latency++;
        break;
      case 'resync':
        this.delivered.resync++;
        this.lastResyncNs = process.hrtime.bigint();
        break;
      case undefined:
        this.delivered.other++;
    }
  };

  armResync(on: boolean): void {
    this.resyncOnConnect = on;
  }

  /**
   * Sends `count` messages round-robin over `nodes` as fast as cloudhub takes them, with at most `maxUnacked` sent and
   * not yet acknowledged, and waits for the acks. The bound keeps the test measuring how fast the tunnel carries
   * messages: an unbounded backlog that takes longer than cloudhub's resend interval to drain is resent, and the
   * figure would then measure the resends.
   */
  async burst(nodes: readonly string[], count: number, maxUnacked: number, timeoutMs: number): Promise<BurstResult> {
    const before = this.delivered.burst;
    const target = before + count;
    let wake: (() => void) | undefined;
    let sent = 0;
    this.onBurstDelivered = () => {
      const unacked = before + sent - this.delivered.burst;
      if (wake && (unacked < maxUnacked || this.delivered.burst >= target)) {
        wake();
        wake = undefined;
      }
    };
    const deadline = Date.now() + timeoutMs;
    const started = process.hrtime.bigint();
    try {
      while (sent < count) {
        if (before + sent - this.delivered.burst >= maxUnacked) {
          if (!(await this.wait((resolve) => (wake = resolve), deadline))) break;
          continue;
        }
        await this.send('burst', nodes[sent % nodes.length]!);
        sent++;
        // Handing a message to cloudhub resolves as a microtask, so without this the loop would keep the event loop
        // (acks, keepalives) waiting for thousands of messages. Real controllers get their changes from I/O.
        if (sent % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      const handedOver = process.hrtime.bigint();
      while (this.delivered.burst < before + sent) {
        if (!(await this.wait((resolve) => (wake = resolve), deadline))) break;
      }
      return {
        sent,
        delivered: this.delivered.burst - before,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        handOverSeconds: Number(handedOver - started) / 1e9,
      };
    } finally {
      this.onBurstDelivered = undefined;
    }
  }

  /** Resolves true when `arm`'s callback is called, false at the deadline. */
  private wait(arm: (wake: () => void) => void, deadline: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
      arm(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /**
   * Sends `perNodePerSecond` messages a second to each node for `seconds`, evenly spread: message k of the whole run
   * goes out at k / (nodes x rate) seconds, to node k mod nodes.
   */
  async paced(nodes: readonly string[], perNodePerSecond: number, seconds: number): Promise<{ sent: number }> {
    const total = Math.round(nodes.length * perNodePerSecond * seconds);
    const intervalNs = 1e9 / (nodes.length * perNodePerSecond);
    const started = process.hrtime.bigint();
    let sent = 0;
    while (sent < total) {
      const due = Math.min(total, Math.floor(Number(process.hrtime.bigint() - started) / intervalNs) + 1);
      while (sent < due) await this.send('latency', nodes[sent++ % nodes.length]!);
      await sleep(1);
    }
    return { sent };
  }

  private send(phase: BenchPhase, node: string): Promise<void> {
    const ctx = this.ctx;
    if (!ctx) return Promise.reject(new Error('the injector module is not running yet'));
    const seq = ++this.sequence;
    const name = objectName(phase, seq);
    // Every message is a new object (its own uid), so cloudhub's per-object coalescing keeps them all. The send time
    // is taken here, a few microseconds before cloudhub has the message.
    const object = benchObject({ phase, node, sentNs: String(process.hrtime.bigint()) }, name, `bench-${seq}`, String(seq), this.padding);
    const message = newMessage({
      source: this.name,
      group: 'resource',
      operation: 'update',
      resource: `node/${node}/${BENCH_NAMESPACE}/configmap/${name}`,
      resourceVersion: String(seq),
      ...jsonContent(object),
    });
    return ctx.send('cloudhub', message);
  }
}
