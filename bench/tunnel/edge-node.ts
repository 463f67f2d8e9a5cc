/**
 * One simulated edge node: a real gRPC client over mutual TLS with its own certificate, speaking the tunnel protocol
 * as edgehub does (a Keepalive at once and every heartbeat, an Ack for every message that carries a resourceVersion,
 * HTTP/2 pings every heartbeat, reconnect with jittered exponential back-off from 500 ms to 30 s). It does nothing
 * else, so that the load generator stays light: no module runtime, no store.
 *
 * Each node owns its connection: 'grpc.use_local_subchannel_pool' keeps grpc-js from sharing one subchannel between
 * clients with equal options, and the node name is also a channel option so no two channels look alike.
 */
import { Client, Metadata, type ChannelCredentials, type ClientDuplexStream } from '@grpc/grpc-js';
import { CloudHubServiceService, TunnelRequest, TunnelResponse } from '../../gen/kubeedge/tunnel/v1/tunnel';
import { Backoff } from '../../pkg/timing';
import { phaseOf, readMark, type BenchPhase } from './bench-content';

/** Shared by all nodes of one load generator process. */
export class EdgeCounters {
  /** Nodes whose stream is open now (the cloud has answered on it). */
  open = 0;
  /** Streams opened since start, first connections included. */
  sessionsOpened = 0;
  /** Streams or connect attempts that ended while the node was meant to be connected. */
  sessionsFailed = 0;
  readonly received: Record<BenchPhase, number> = { burst: 0, latency: 0, resync: 0 };
  acksSent = 0;
  /** Messages whose object named another node, or whose resource kept the cloud's `node/<node>/` prefix. */
  misdelivered = 0;
  undecodable = 0;
  /** Delivery delays (ms) of latency-phase messages, in arrival order. */
  latenciesMs = new Float64Array(1 << 16);
  latencyCount = 0;
  /** Nodes that received a resync-phase message since the last reset. */
  readonly resynced = new Set<string>();

  addLatency(ms: number): void {
    if (this.latencyCount === this.latenciesMs.length) {
      const grown = new Float64Array(this.latenciesMs.length * 2);
      grown.set(this.latenciesMs);
      this.latenciesMs = grown;
    }
    this.latenciesMs[this.latencyCount++] = ms;
  }
}

export interface EdgeNodeOptions {
  name: string;
  /** host:port of the cloud's tunnel listener. */
  address: string;
  credentials: ChannelCredentials;
  heartbeatMs: number;
  counters: EdgeCounters;
}

type State = 'idle' | 'connecting' | 'open' | 'waiting' | 'stopped';

const RECONNECT = { initialMs: 500, maxMs: 30_000 } as const;
const identity = (bytes: Buffer): Buffer => bytes;

export class EdgeNode {
  private state: State = 'idle';
  private client: Client | undefined;
  private call: ClientDuplexStream<Buffer, Buffer> | undefined;
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly backoff = new Backoff(RECONNECT);
  private readonly prefix: string;

  constructor(private readonly options: EdgeNodeOptions) {
    this.prefix = `node/${options.name}/`;
  }

  /** Connects, and keeps reconnecting after failures until `stop()`. */
  start(): void {
    if (this.state === 'idle' || this.state === 'stopped') this.connect();
  }

  stop(): void {
    this.closeSession();
    clearTimeout(this.retryTimer);
    this.transition('stopped');
  }

  private transition(next: State): void {
    const { counters } = this.options;
    if (this.state === 'open' && next !== 'open') counters.open--;
    if (next === 'open' && this.state !== 'open') {
      counters.open++;
      counters.sessionsOpened++;
    }
    this.state = next;
  }

  private connect(): void {
    this.transition('connecting');
    const { name, address, credentials, heartbeatMs } = this.options;
    // The same channel options as edgehub's sessions (edgecore/edgehub/tunnel-session.ts), plus the node name.
    const client = new Client(address, credentials, {
      'grpc.keepalive_time_ms': heartbeatMs,
      'grpc.keepalive_timeout_ms': Math.min(heartbeatMs, 10_000),
      'grpc.keepalive_permit_without_calls': 1,
      'grpc.use_local_subchannel_pool': 1,
      'grpc.enable_retries': 0,
      'bench.node': name,
    });
    const call = client.makeBidiStreamRequest<Buffer, Buffer>(CloudHubServiceService.tunnel.path, identity, identity, new Metadata());
    this.client = client;
    this.call = call;
    call.on('data', (bytes: Buffer) => this.receive(bytes));
    call.on('error', () => this.sessionEnded(call));
    call.on('end', () => this.sessionEnded(call));
    this.sendKeepalive();
    // Spread the heartbeats of nodes that connected together, as real nodes' would be.
    this.keepaliveTimer = setTimeout(() => {
      this.sendKeepalive();
      this.keepaliveTimer = setInterval(() => this.sendKeepalive(), heartbeatMs);
    }, Math.random() * heartbeatMs);
  }

  private receive(bytes: Buffer): void {
    const { counters } = this.options;
    let frame: TunnelResponse['frame'];
    try {
      frame = TunnelResponse.decode(bytes).frame;
    } catch {
      counters.undecodable++;
      return;
    }
    if (this.state === 'connecting') {
      this.transition('open');
      this.backoff.reset();
    }
    if (frame?.$case !== 'message') return;
    const message = frame.value;
    const resource = message.route?.resource ?? '';
    // Throughput messages ('b-' objects) are counted by name, unparsed, so the generator spends its CPU on the
    // protocol; the others carry the send time and are read in full and checked.
    const burst = phaseOf(resource) === 'burst';
    const mark = burst ? undefined : readMark(message.content);
    if (burst) counters.received.burst++;
    else if (mark) {
      counters.received[mark.phase]++;
      if (mark.node !== this.options.name || resource.startsWith(this.prefix)) counters.misdelivered++;
      if (mark.phase === 'latency') counters.addLatency(Number(process.hrtime.bigint() - BigInt(mark.sentNs)) / 1e6);
      if (mark.phase === 'resync') counters.resynced.add(this.options.name);
    }
    const resourceVersion = message.header?.resourceVersion ?? '';
    if (resourceVersion !== '') {
      this.write({ frame: { $case: 'ack', value: { messageId: message.header!.id, resourceVersion, error: '' } } });
      counters.acksSent++;
    }
  }

  private sendKeepalive(): void {
    this.write({ frame: { $case: 'keepalive', value: { sentAtMs: Date.now() } } });
  }

  private write(request: TunnelRequest): void {
    const bytes = TunnelRequest.encode(request).finish();
    this.call?.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  private sessionEnded(call: ClientDuplexStream<Buffer, Buffer>): void {
    if (call !== this.call || this.state === 'stopped') return;
    this.options.counters.sessionsFailed++;
    this.closeSession();
    this.transition('waiting');
    this.retryTimer = setTimeout(() => this.connect(), this.backoff.next());
  }

  private closeSession(): void {
    clearTimeout(this.keepaliveTimer); // the first, jittered timeout or the interval after it: one call clears either
    this.call?.cancel();
    this.client?.close();
    this.call = undefined;
    this.client = undefined;
  }
}
