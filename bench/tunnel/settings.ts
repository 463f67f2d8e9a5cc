/**
 * The tunnel benchmark's settings, read once from the environment. Every figure's size can be changed; BENCH_QUICK=1
 * shrinks them all so that the whole run takes well under a minute.
 */
import { benchEnv, SettingsError, type Env } from '../phases';

export interface TunnelBenchSettings {
  readonly quick: boolean;
  /** Edge nodes connected at once for the memory, idle CPU and idle bandwidth figures. */
  readonly nodes: number;
  /** Nodes the throughput burst is spread over. */
  readonly throughputNodes: number;
  /** Messages in the throughput burst. */
  readonly messages: number;
  /** Most burst messages sent and not yet acknowledged at once. */
  readonly maxUnacked: number;
  /** Nodes that each get `latencyRatePerNode` messages a second for `latencySeconds`. */
  readonly latencyNodes: number;
  readonly latencyRatePerNode: number;
  readonly latencySeconds: number;
  /** Nodes still connected when the cloud process is killed and started again. */
  readonly stormNodes: number;
  /** Quiet window over which idle CPU and idle upstream bandwidth are measured. */
  readonly idleSeconds: number;
  /** The edges' keepalive interval (edgeHub.heartbeat); also their HTTP/2 ping interval, as edgehub's default. */
  readonly heartbeatMs: number;
  /** Simulated nodes per load generator process. */
  readonly nodesPerShard: number;
  /** Size of the object JSON carried by each benchmark message. */
  readonly contentBytes: number;
}

export function readSettings(env: Env = process.env): TunnelBenchSettings {
  const { quick, whole } = benchEnv(env);
  const nodes = whole('BENCH_NODES', 10_000, 200);
  const settings: TunnelBenchSettings = {
    quick,
    nodes,
    // A phase's default node count is never more than the nodes connected; a count set explicitly must fit.
    throughputNodes: whole('BENCH_THROUGHPUT_NODES', Math.min(nodes, 1000), Math.min(nodes, 100)),
    messages: whole('BENCH_MESSAGES', 300_000, 20_000),
    maxUnacked: whole('BENCH_UNACKED', 5000, 2000),
    latencyNodes: whole('BENCH_LATENCY_NODES', Math.min(nodes, 1000), Math.min(nodes, 100)),
    latencyRatePerNode: whole('BENCH_LATENCY_RATE', 1, 1),
    latencySeconds: whole('BENCH_LATENCY_SECONDS', 30, 5),
    stormNodes: whole('BENCH_STORM_NODES', Math.min(nodes, 5000), Math.min(nodes, 200)),
    idleSeconds: whole('BENCH_IDLE_SECONDS', 60, 15),
    heartbeatMs: whole('BENCH_HEARTBEAT_MS', 15_000, 15_000, 100),
    nodesPerShard: whole('BENCH_NODES_PER_SHARD', 2500, 2500),
    contentBytes: whole('BENCH_CONTENT_BYTES', 512, 512, 64),
  };
  for (const [name, value] of [
    ['BENCH_THROUGHPUT_NODES', settings.throughputNodes],
    ['BENCH_LATENCY_NODES', settings.latencyNodes],
    ['BENCH_STORM_NODES', settings.stormNodes],
  ] as const) {
    if (value > nodes) {
      throw new SettingsError(`${name}=${value} is more than BENCH_NODES=${nodes}; the phases reuse the connected nodes, so raise BENCH_NODES or lower ${name}`);
    }
  }
  return settings;
}
