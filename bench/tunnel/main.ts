/**
 * Cloud-edge tunnel benchmark (issue #4). Three kinds of process on this machine:
 *   - this one, which orchestrates, reads /proc and prints the table;
 *   - the cloud (bench/tunnel/cloud.ts): the real CloudHub module in a ModuleRuntime, with a module that hands it
 *     downstream messages and counts the acknowledged ones;
 *   - load generators (bench/tunnel/edges.ts): simulated edge nodes, each a gRPC client over its own mutual-TLS
 *     connection with its own certificate, split over several processes.
 *
 *   connect   BENCH_NODES (10,000) nodes connected at once; cloud memory per node      goal <= 30 KB
 *   idle      cloud CPU and upstream bytes over BENCH_IDLE_SECONDS (60) of keepalives   goal <= 250 bit/s per node
 *   burst     BENCH_MESSAGES (300,000) messages over BENCH_THROUGHPUT_NODES (1,000)     goal >= 50,000 acked/s
 *   latency   BENCH_LATENCY_NODES (1,000) nodes x 1 msg/s for BENCH_LATENCY_SECONDS     goal p99 < 50 ms
 *   storm     BENCH_STORM_NODES (5,000) nodes; cloud killed and restarted               goal <= 30 s to all resynced
 *
 * Other settings: BENCH_UNACKED (5,000 burst messages unacknowledged at most), BENCH_HEARTBEAT_MS (15000),
 * BENCH_NODES_PER_SHARD (2500), BENCH_CONTENT_BYTES (512), BENCH_LATENCY_RATE (1 per node per second),
 * BENCH_CLOUD_NODE_ARGS / BENCH_EDGES_NODE_ARGS (extra Node flags, e.g. --cpu-prof). BENCH_QUICK=1 runs a small version.
 * The node certificates are issued once and cached in .tmp/bench-tunnel/pki/.
 */
import { availableParallelism, loadavg } from 'node:os';
import { formatTable, resultLine } from '../report';
import { sleep } from '../../pkg/timing';
import { measureConnect, measureIdle, measureLatency, measureStorm, measureThroughput, type Bench } from './phases';
import { ensureNodeCertificates, ensurePki } from './pki-cache';
import { openFileLimit } from './proc-stats';
import { startCloud, startShard, stopChild } from './processes';
import { exitOnError, runPhases } from '../phases';
import { readSettings } from './settings';

function progress(text: string): void {
  process.stderr.write(`[bench-tunnel] ${text}\n`);
}

async function main(): Promise<void> {
  let settings = readSettings();
  const notes: string[] = [];
  const limit = openFileLimit();
  // The cloud holds one socket per node plus a few dozen other descriptors; the limit cannot be raised here.
  const room = limit.soft - 256;
  if (settings.nodes > room) {
    notes.push(`BENCH_NODES=${settings.nodes} lowered to ${room}: the open-file limit is ${limit.soft} (hard ${limit.hard}) and the cloud needs one per node`);
    const fit = (count: number): number => Math.min(count, room);
    settings = { ...settings, nodes: room, throughputNodes: fit(settings.throughputNodes), latencyNodes: fit(settings.latencyNodes), stormNodes: fit(settings.stormNodes) };
  }
  if (settings.nodesPerShard + 256 > limit.soft) throw new Error(`BENCH_NODES_PER_SHARD=${settings.nodesPerShard} needs more open files than the limit (${limit.soft}); lower it`);
  notes.push(`load average at start ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores, shared with the load generators`);

  await ensurePki();
  await ensureNodeCertificates(settings.nodes, progress);

  const shardCount = Math.ceil(settings.nodes / settings.nodesPerShard);
  progress(`starting the cloud process and ${shardCount} load generator processes for ${settings.nodes} nodes`);
  const cloud = await startCloud({ port: 0, nodeLimit: settings.nodes + 100, contentBytes: settings.contentBytes, resyncOnConnect: false });
  const bench: Bench = {
    settings,
    cloud,
    cloudPort: cloud.port,
    shards: Array.from({ length: shardCount }, (_, k) => startShard(k)),
    notes,
    progress,
  };
  let outcome;
  try {
    await sleep(1000);
    outcome = await runPhases([measureConnect, measureIdle, measureThroughput, measureLatency, measureStorm], bench, {
      notes,
      progress,
      // Without connected nodes nothing else can be measured.
      stopAfter: (phase) => phase === measureConnect,
    });
  } finally {
    await stopChild(bench.cloud, 10_000, { kind: 'stop' });
    await Promise.all(bench.shards.map((shard) => stopChild(shard, 10_000)));
  }
  const { rows, figures, failed } = outcome;

  const title = `Cloud-edge tunnel: real CloudHub in one process, ${settings.nodes} simulated edge nodes in ${shardCount} more (mutual TLS, gRPC)`;
  process.stdout.write(formatTable(title, rows));
  if (notes.length > 0) process.stdout.write(notes.map((n) => `note: ${n}`).join('\n') + '\n');
  process.stdout.write('\n');
  console.log(resultLine(figures));
  if (failed) process.exitCode = 1;
}

main().catch(exitOnError('bench-tunnel'));
