/**
 * The benchmark's phases, in the order they run. Each returns its table rows and RESULT figures; they share the
 * running processes (`Bench`), and the storm replaces the cloud process.
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { quantile, type Row } from '../report';
import type { PhaseResult } from '../phases';
import { sleep } from '../../pkg/timing';
import type { BurstResult, CloudStats } from './cloud';
import type { ShardStats } from './edges';
import { nodeName } from './pki-cache';
import type { LoopDelay } from './loop-delay';
import { cpuSeconds, ioCounters, ioDelta, listenCounters, sumIo, tcpTotals, type IoCounters, type ListenCounters, type TcpTotals } from './proc-stats';
import { startCloud, type CloudProcess, type ShardProcess } from './processes';
import type { TunnelBenchSettings } from './settings';

export interface Bench {
  readonly settings: TunnelBenchSettings;
  cloud: CloudProcess;
  readonly cloudPort: number;
  readonly shards: ShardProcess[];
  readonly notes: string[];
  progress(text: string): void;
}


/** KubeEdge's published idle uplink per node (scalability test report, 2022): about 0.25 kbit/s. */
const KUBEEDGE_IDLE_BITS_PER_NODE = 250;
/** IPv4 + TCP headers with the timestamp option, per segment. */
const TCP_IP_HEADER_BYTES = 52;

const met = (ok: boolean): string => (ok ? 'yes' : 'NO');
const round1 = (value: number): number => Math.round(value * 10) / 10;

function row(figure: string, goal: string, measured: number | string, ok?: boolean): Row {
  return { figure, goal, measured, met: ok === undefined ? '' : met(ok) };
}

function shardRange(bench: Bench, k: number): { first: number; count: number } {
  const per = bench.settings.nodesPerShard;
  return { first: k * per, count: Math.max(0, Math.min(per, bench.settings.nodes - k * per)) };
}

/** `count` node names spread evenly over all nodes, so that every load generator process gets its share. */
function spreadNames(bench: Bench, count: number): string[] {
  const { nodes } = bench.settings;
  return Array.from({ length: count }, (_, i) => nodeName(Math.floor((i * nodes) / count)));
}

async function shardStats(bench: Bench): Promise<ShardStats[]> {
  return Promise.all(bench.shards.map((shard) => shard.call<ShardStats>({ kind: 'stats' })));
}

function total(stats: ShardStats[], pick: (s: ShardStats) => number): number {
  return stats.reduce((sum, s) => sum + pick(s), 0);
}

function cloudStats(bench: Bench, gc = false): Promise<CloudStats> {
  return bench.cloud.call<CloudStats>({ kind: 'stats', gc });
}

/** Event-loop delays since the previous call, as a note: a stalled loop delays every message it carries. */
async function loopDelays(bench: Bench): Promise<string> {
  const cloud = await bench.cloud.call<LoopDelay>({ kind: 'loopDelay' });
  const edges = await Promise.all(bench.shards.map((shard) => shard.call<LoopDelay>({ kind: 'loopDelay' })));
  const worst = (pick: (d: LoopDelay) => number): number => Math.max(...edges.map(pick));
  return `event-loop delay p99/max: cloud ${cloud.p99Ms.toFixed(0)}/${cloud.maxMs.toFixed(0)} ms, worst generator ${worst((d) => d.p99Ms).toFixed(0)}/${worst((d) => d.maxMs).toFixed(0)} ms`;
}

/** Accept-queue overflows and SYN retransmissions since `before` (kernel-wide), as a note. */
function listenNote(before: ListenCounters): string {
  const after = listenCounters();
  return `the kernel counted ${after.listenOverflows - before.listenOverflows} accept-queue overflows and ${after.synRetransmits - before.synRetransmits} SYN retransmissions`;
}

/** Polls `check` every 200 ms until it is true; throws `failure()` after `timeoutMs`. */
async function waitUntil(timeoutMs: number, check: () => Promise<boolean>, failure: () => Promise<string>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(await failure());
    await sleep(200);
  }
}

/** Established connections to the cloud's tunnel port (from `ss`), else sockets the cloud process has open. */
function connectionCount(bench: Bench): number {
  try {
    return tcpTotals(bench.cloudPort).sockets;
  } catch {
    return socketCount(bench.cloud.child.pid!);
  }
}

function socketCount(pid: number): number {
  let sockets = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) sockets++;
    } catch {
      // closed meanwhile
    }
  }
  return sockets;
}

export async function measureConnect(bench: Bench): Promise<PhaseResult> {
  const { settings } = bench;
  const before = await cloudStats(bench, true);
  const listenBefore = listenCounters();
  const started = Date.now();
  const address = `127.0.0.1:${bench.cloudPort}`;
  await Promise.all(
    bench.shards.map((shard, k) => shard.call({ kind: 'start', address, heartbeatMs: settings.heartbeatMs, ...shardRange(bench, k) })),
  );
  bench.progress(`connecting ${settings.nodes} nodes`);
  let last = 0;
  await waitUntil(
    Math.max(60_000, settings.nodes * 20),
    async () => {
      const { connected } = await cloudStats(bench);
      if (connected - last >= 1000) bench.progress(`${(last = connected)} nodes connected`);
      return connected >= settings.nodes;
    },
    async () => {
      const [stats, edges] = [await cloudStats(bench), await shardStats(bench)];
      return `only ${stats.connected} of ${settings.nodes} nodes connected to the cloud (the generators count ${total(edges, (s) => s.open)} open streams, ${total(edges, (s) => s.sessionsFailed)} failed attempts)`;
    },
  );
  const connectSeconds = (Date.now() - started) / 1000;
  bench.notes.push(`connect: ${listenNote(listenBefore)} while ${settings.nodes} nodes connected (${settings.nodesPerShard} per generator, at most 128 handshakes at once in each)`);
  await sleep(3000); // let the handshakes' garbage go before measuring
  const after = await cloudStats(bench, true);
  const edges = await shardStats(bench);
  const sockets = connectionCount(bench);
  bench.progress(`all ${after.connected} connected in ${connectSeconds.toFixed(1)} s over ${sockets} TCP connections`);
  if (sockets < settings.nodes) {
    bench.notes.push(`the cloud has ${sockets} TCP connections for ${settings.nodes} nodes: some nodes share a connection`);
  }
  const rssPerNodeKB = (after.rssBytes - before.rssBytes) / settings.nodes / 1000;
  const heapPerNodeKB = (after.heapUsedBytes - before.heapUsedBytes) / settings.nodes / 1000;
  const externalPerNodeKB = (after.externalBytes - before.externalBytes) / settings.nodes / 1000;
  const generatorMiB = total(edges, (s) => s.rssBytes) / 2 ** 20;
  bench.notes.push(
    `memory: cloud RSS ${(before.rssBytes / 2 ** 20).toFixed(0)} MiB with no node, ${(after.rssBytes / 2 ** 20).toFixed(0)} MiB with ${settings.nodes}` +
      ` (heap ${(after.heapUsedBytes / 2 ** 20).toFixed(0)} MiB, external ${(after.externalBytes / 2 ** 20).toFixed(0)} MiB, after GC); ` +
      `${sockets} TCP connections; the load generators use ${generatorMiB.toFixed(0)} MiB`,
  );
  return {
    rows: [
      row('nodes connected at once', `${settings.nodes}`, after.connected, after.connected >= settings.nodes && sockets >= settings.nodes),
      row(`time to connect ${settings.nodes} nodes (s)`, '', round1(connectSeconds)),
      row('cloud RSS per connected node (KB)', '<= 30', round1(rssPerNodeKB), rssPerNodeKB <= 30),
      row('cloud JS heap per connected node (KB)', '', round1(heapPerNodeKB)),
      row('cloud external (Buffer) memory per node (KB)', '', round1(externalPerNodeKB)),
    ],
    figures: {
      nodes_connected: after.connected,
      connect_seconds: round1(connectSeconds),
      cloud_rss_per_node_kb: round1(rssPerNodeKB),
      cloud_heap_per_node_kb: round1(heapPerNodeKB),
    },
  };
}

export async function measureIdle(bench: Bench): Promise<PhaseResult> {
  const { settings } = bench;
  const pid = bench.cloud.child.pid!;
  const shardPids = bench.shards.map((s) => s.child.pid!);
  bench.progress(`quiet window: ${settings.idleSeconds} s of keepalives only (heartbeat ${settings.heartbeatMs} ms)`);
  const edgesBefore = await shardStats(bench);
  await loopDelays(bench);
  const tcpBefore = tryTcpTotals(bench);
  const cpuBefore = cpuSeconds(pid);
  const ioBefore = ioCounters(pid);
  const shardIoBefore = shardPids.map(ioCounters);
  const started = process.hrtime.bigint();
  await sleep(settings.idleSeconds * 1000);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuPercent = ((cpuSeconds(pid) - cpuBefore) / seconds) * 100;
  const cloudIo = ioDelta(ioBefore, ioCounters(pid));
  const edgeIo: IoCounters = sumIo(shardPids.map((p, i) => ioDelta(shardIoBefore[i]!, ioCounters(p))));
  const tcpAfter = tryTcpTotals(bench);
  const edgesAfter = await shardStats(bench);
  bench.notes.push(`idle: ${await loopDelays(bench)}`);
  const failed = total(edgesAfter, (s) => s.sessionsFailed) - total(edgesBefore, (s) => s.sessionsFailed);
  if (failed > 0) bench.notes.push(`${failed} streams failed during the quiet window; the idle figures include their reconnects`);

  const perNode = (bytes: number): number => (bytes * 8) / seconds / settings.nodes;
  // Upstream is what reached the cloud's sockets: TLS records holding HTTP/2 frames holding gRPC messages, and on the
  // wire every segment (pure ACKs too) has an IP and a TCP header. The kernel counts both per connection.
  let tlsBytes = cloudIo.readBytes;
  let downBytes = cloudIo.writeBytes;
  let wireBytes: number;
  let segmentsNote: string;
  if (tcpBefore && tcpAfter) {
    tlsBytes = tcpAfter.bytesReceived - tcpBefore.bytesReceived;
    downBytes = tcpAfter.bytesSent - tcpBefore.bytesSent;
    const segments = tcpAfter.segmentsIn - tcpBefore.segmentsIn;
    wireBytes = tlsBytes + TCP_IP_HEADER_BYTES * segments;
    segmentsNote = `${segments} segments (${round1((segments / settings.nodes / seconds) * (settings.heartbeatMs / 1000))} per node per heartbeat) counted by the kernel (ss)`;
  } else {
    // No `ss`: at most one upstream segment per read() (data) and per write() (the edge's ACK of it) of the cloud.
    wireBytes = tlsBytes + TCP_IP_HEADER_BYTES * (cloudIo.reads + cloudIo.writes);
    segmentsNote = "segments estimated from the cloud's read() and write() calls (ss not available)";
  }
  const tlsBits = perNode(tlsBytes);
  const wireBits = perNode(wireBytes);
  bench.notes.push(
    `idle upstream over ${seconds.toFixed(0)} s: ${tlsBytes} TLS bytes in ${segmentsNote}, ${TCP_IP_HEADER_BYTES} B of IP+TCP header each;` +
      ` cross-check from /proc/<pid>/io (which also counts file and pipe I/O): the cloud's read() calls returned ${cloudIo.readBytes} bytes,` +
      ` the generators' write() calls took ${edgeIo.writeBytes}; downstream ${round1(perNode(downBytes))} bit/s per node (TLS bytes)`,
  );
  return {
    rows: [
      row(`cloud CPU, idle with ${settings.nodes} nodes (% of one core)`, 'reported', round1(cpuPercent)),
      row('idle upstream per node, TLS bytes (bit/s)', '', round1(tlsBits)),
      row('idle upstream per node, with TCP/IP headers (bit/s)', `<= ${KUBEEDGE_IDLE_BITS_PER_NODE}`, round1(wireBits), wireBits <= KUBEEDGE_IDLE_BITS_PER_NODE),
    ],
    figures: {
      cloud_idle_cpu_pct: round1(cpuPercent),
      idle_up_tls_bps_per_node: round1(tlsBits),
      idle_up_wire_bps_per_node: round1(wireBits),
    },
  };
}

function tryTcpTotals(bench: Bench): TcpTotals | undefined {
  try {
    return tcpTotals(bench.cloudPort);
  } catch {
    return undefined;
  }
}

export async function measureThroughput(bench: Bench): Promise<PhaseResult> {
  const { settings } = bench;
  const targets = spreadNames(bench, settings.throughputNodes);
  // Generous: 500 messages a second at least, so that a slow run still ends with a figure.
  const timeoutMs = Math.max(120_000, settings.messages * 2);
  bench.progress(`throughput: warm-up, then ${settings.messages} messages over ${targets.length} nodes`);
  const { maxUnacked } = settings;
  await bench.cloud.call<BurstResult>({ kind: 'burst', nodes: targets, count: Math.ceil(settings.messages / 10), maxUnacked, timeoutMs });
  const edgesBefore = await shardStats(bench);
  await loopDelays(bench);
  const cloudCpuBefore = cpuSeconds(bench.cloud.child.pid!);
  const result = await bench.cloud.call<BurstResult>({ kind: 'burst', nodes: targets, count: settings.messages, maxUnacked, timeoutMs });
  const cloudCpu = cpuSeconds(bench.cloud.child.pid!) - cloudCpuBefore;
  const delays = await loopDelays(bench);
  await sleep(500);
  const edgesAfter = await shardStats(bench);
  const received = total(edgesAfter, (s) => s.received.burst) - total(edgesBefore, (s) => s.received.burst);
  const generatorCpu = total(edgesAfter, (s) => s.cpuSeconds) - total(edgesBefore, (s) => s.cpuSeconds);
  const misdelivered = total(edgesAfter, (s) => s.misdelivered);
  const rate = result.delivered / result.seconds;
  if (result.delivered < settings.messages) {
    bench.notes.push(`throughput: only ${result.delivered} of ${settings.messages} messages were acknowledged within ${timeoutMs / 1000} s`);
  }
  if (misdelivered > 0) bench.notes.push(`${misdelivered} messages reached the wrong node or kept the cloud's node/ prefix`);
  bench.notes.push(
    `throughput: ${result.sent} messages of ${settings.contentBytes} B, at most ${maxUnacked} unacknowledged at once, handed to cloudhub in ${result.handOverSeconds.toFixed(2)} s,` +
      ` acknowledged after ${result.seconds.toFixed(2)} s; the edges received ${received} (${received - result.sent} resends); CPU over the burst: cloud ${((cloudCpu / result.seconds) * 100).toFixed(0)}%, generators ${((generatorCpu / result.seconds) * 100).toFixed(0)}% of one core; ${delays}`,
  );
  return {
    rows: [row(`cloud-to-edge messages acknowledged, ${targets.length} nodes (msg/s)`, '>= 50000', Math.round(rate), rate >= 50_000 && result.delivered === settings.messages)],
    figures: { throughput_msgs_per_sec: Math.round(rate) },
  };
}

export async function measureLatency(bench: Bench): Promise<PhaseResult> {
  const { settings } = bench;
  const targets = spreadNames(bench, settings.latencyNodes);
  bench.progress(`latency: ${targets.length} nodes x ${settings.latencyRatePerNode} msg/s for ${settings.latencySeconds} s`);
  await Promise.all(bench.shards.map((shard) => shard.call({ kind: 'latencies' }))); // drop earlier samples
  await loopDelays(bench);
  const { sent } = await bench.cloud.call<{ sent: number }>({
    kind: 'paced',
    nodes: targets,
    perNodePerSecond: settings.latencyRatePerNode,
    seconds: settings.latencySeconds,
  });
  const delays = await loopDelays(bench);
  await sleep(1000);
  const samples = (await Promise.all(bench.shards.map((shard) => shard.call<number[]>({ kind: 'latencies' })))).flat();
  const sorted = Float64Array.from(samples).sort();
  if (sorted.length < sent) bench.notes.push(`latency: ${sorted.length} of ${sent} messages arrived within 1 s of the last send`);
  bench.notes.push(`latency: ${sorted.length} samples; while they were sent, ${delays}`);
  const p50 = quantile(sorted, 0.5);
  const p99 = quantile(sorted, 0.99);
  const max = sorted.length > 0 ? sorted[sorted.length - 1]! : NaN;
  const label = `${targets.length} nodes x ${settings.latencyRatePerNode}/s`;
  return {
    rows: [
      row(`delivery latency p50, ${label} (ms)`, '', round2(p50)),
      row(`delivery latency p99, ${label} (ms)`, '< 50', round2(p99), p99 < 50),
      row(`delivery latency max, ${label} (ms)`, '', round2(max)),
    ],
    figures: { latency_p50_ms: round2(p50), latency_p99_ms: round2(p99) },
  };
}

export async function measureStorm(bench: Bench): Promise<PhaseResult> {
  const { settings } = bench;
  const stormNodes = settings.stormNodes;
  bench.progress(`reconnect storm: keeping ${stormNodes} nodes, then killing and restarting the cloud`);
  await Promise.all(
    bench.shards.map((shard, k) => {
      const { first, count } = shardRange(bench, k);
      return shard.call({ kind: 'keep', count: Math.max(0, Math.min(count, stormNodes - first)) });
    }),
  );
  await waitUntil(
    30_000,
    async () => (await cloudStats(bench)).connected === stormNodes,
    async () => `the cloud still counts ${(await cloudStats(bench)).connected} nodes, not ${stormNodes}, 30 s after the others stopped`,
  );
  await Promise.all(bench.shards.map((shard) => shard.call({ kind: 'resetResynced' })));
  const before = await shardStats(bench);

  const listenBefore = listenCounters();
  const killedAt = process.hrtime.bigint();
  bench.cloud.child.kill('SIGKILL');
  await bench.cloud.done;
  bench.cloud = await startCloud({ port: bench.cloudPort, nodeLimit: settings.nodes + 100, contentBytes: settings.contentBytes, resyncOnConnect: true });
  const listeningAt = process.hrtime.bigint();
  const listeningSeconds = Number(listeningAt - killedAt) / 1e9;
  bench.progress(`the new cloud process listens ${listeningSeconds.toFixed(1)} s after the kill`);

  await waitUntil(
    120_000,
    async () => {
      const stats = await cloudStats(bench);
      return stats.connected >= stormNodes && stats.delivered.resync >= stormNodes;
    },
    async () => {
      const stats = await cloudStats(bench);
      return `120 s after the restart ${stats.connected} of ${stormNodes} nodes are back and ${stats.delivered.resync} resynced`;
    },
  );
  const stats = await cloudStats(bench);
  const after = await shardStats(bench);
  const generatorCpu = total(after, (s) => s.cpuSeconds) - total(before, (s) => s.cpuSeconds);
  const stormSeconds = Number(BigInt(stats.lastResyncNs) - killedAt) / 1e9;
  const sinceListening = Number(BigInt(stats.lastResyncNs) - listeningAt) / 1e9;
  const edgeResynced = total(after, (s) => s.resynced);
  const attempts = total(after, (s) => s.sessionsFailed) - total(before, (s) => s.sessionsFailed);
  bench.notes.push(
    `storm: cloud killed (SIGKILL) with ${stormNodes} nodes connected; the new process listened after ${listeningSeconds.toFixed(1)} s;` +
      ` ${edgeResynced} nodes saw their resync object; ${attempts} streams or connect attempts failed meanwhile (the edges back off 500 ms doubling to 30 s, jittered);` +
      ` ${listenNote(listenBefore)}; CPU used: new cloud process ${stats.cpuSeconds.toFixed(1)} s (its start included), generators ${generatorCpu.toFixed(1)} s`,
  );
  return {
    rows: [
      row(`reconnect storm: ${stormNodes} nodes back and resynced after the kill (s)`, '<= 30', round1(stormSeconds), stormSeconds <= 30),
      row('  of which after the new cloud process listened (s)', '', round1(sinceListening)),
    ],
    figures: { storm_nodes: stormNodes, storm_seconds: round1(stormSeconds) },
  };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
