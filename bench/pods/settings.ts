/** The pod benchmark's settings, read once from the environment. BENCH_QUICK=1 shrinks every count. */
import { benchEnv, type Env } from '../phases';

export interface PodBenchSettings {
  readonly quick: boolean;
  /** Pods started one at a time (each waits for the previous one to be Running); they stay for the memory figure. */
  readonly sequentialPods: number;
  /** Pods applied at once (one kubectl apply of a List); they stay on the node for the restart figure. */
  readonly burstPods: number;
  /** Quiet time before a memory reading. */
  readonly settleMs: number;
  /** edged's nodeStatusUpdateFrequency (KubeEdge's default 10s: the restart figure is about the first report). */
  readonly nodeStatusUpdateFrequency: string;
  /** cloudcore's nodeMonitorGracePeriod: how long the killed edge takes to show Unknown. */
  readonly nodeMonitorGracePeriod: string;
  /** Longest wait for any one step. */
  readonly stepTimeoutMs: number;
  /** cloudcore's and edgecore's --log-level; debug adds the `trace:` lines bench/pods/trace.ts reads. */
  readonly logLevel: string;
}

export function readSettings(env: Env = process.env): PodBenchSettings {
  const { quick, whole } = benchEnv(env);
  return {
    quick,
    sequentialPods: whole('BENCH_SEQUENTIAL_PODS', 20, 5),
    burstPods: whole('BENCH_BURST_PODS', 50, 10),
    settleMs: whole('BENCH_SETTLE_MS', 10_000, 3_000),
    nodeStatusUpdateFrequency: env.BENCH_NODE_STATUS_FREQUENCY || '10s',
    nodeMonitorGracePeriod: env.BENCH_NODE_GRACE_PERIOD || '15s',
    stepTimeoutMs: whole('BENCH_STEP_TIMEOUT_MS', 120_000, 60_000),
    logLevel: env.BENCH_LOG_LEVEL || 'info',
  };
}
