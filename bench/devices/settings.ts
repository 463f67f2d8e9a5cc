/** The device benchmark's settings, read once from the environment. BENCH_QUICK=1 shrinks every count. */
import { LOG_LEVELS } from '../../pkg/log';
import { benchEnv, SettingsError, type Env } from '../phases';

export interface DeviceBenchSettings {
  readonly quick: boolean;
  /** Devices the latency reports go round (the first devices created, before the others). */
  readonly latencyDevices: number;
  /** Latency reports counted (after one warm-up report per device). */
  readonly latencySamples: number;
  /** Latency reports per second, across the latency devices. */
  readonly latencyRate: number;
  /** Devices on the node for the sustained load (the latency devices included). */
  readonly devices: number;
  /** How long every device reports, once per `reportMs`. */
  readonly seconds: number;
  /** Each device's report period in the sustained phase. */
  readonly reportMs: number;
  /** Quiet time with every device registered and none reporting (edgecore's idle CPU), before the load. */
  readonly idleSeconds: number;
  /** How often CPU, memory and /metrics are sampled during the load. */
  readonly sampleMs: number;
  /** Reports sent and not yet answered at most; a report due beyond that is skipped and counted. */
  readonly maxInFlight: number;
  /** Longest wait for any one step (devices registered at the mapper, the last values in DeviceStatus). */
  readonly stepTimeoutMs: number;
  /** cloudcore's and edgecore's --log-level. */
  readonly logLevel: string;
  /** BENCH_SAMPLES: a file to write the sustained phase's samples to (JSON), or ''. */
  readonly samplesFile: string;
}

export function readSettings(env: Env = process.env): DeviceBenchSettings {
  const { quick, whole } = benchEnv(env);
  const devices = whole('BENCH_DEVICES', 1000, 200);
  const settings: DeviceBenchSettings = {
    quick,
    latencyDevices: whole('BENCH_LATENCY_DEVICES', Math.min(devices, 10), Math.min(devices, 10)),
    latencySamples: whole('BENCH_LATENCY_SAMPLES', 400, 100),
    latencyRate: whole('BENCH_LATENCY_RATE', 20, 20),
    devices,
    seconds: whole('BENCH_SECONDS', 60, 15),
    reportMs: whole('BENCH_REPORT_MS', 1000, 1000, 10),
    idleSeconds: whole('BENCH_IDLE_SECONDS', 5, 3, 0),
    sampleMs: whole('BENCH_SAMPLE_MS', 1000, 1000, 100),
    maxInFlight: whole('BENCH_MAX_IN_FLIGHT', 5000, 5000),
    stepTimeoutMs: whole('BENCH_STEP_TIMEOUT_MS', 120_000, 60_000, 1000),
    logLevel: env.BENCH_LOG_LEVEL || 'info',
    samplesFile: env.BENCH_SAMPLES || '',
  };
  if (settings.latencyDevices > devices) {
    throw new SettingsError(
      `BENCH_LATENCY_DEVICES=${settings.latencyDevices} is more than BENCH_DEVICES=${devices}; the latency devices are the first of the node's devices, so raise BENCH_DEVICES or lower BENCH_LATENCY_DEVICES`,
    );
  }
  if (settings.latencyRate > settings.latencyDevices * 100) {
    throw new SettingsError(
      `BENCH_LATENCY_RATE=${settings.latencyRate} reports/s over ${settings.latencyDevices} devices is more than one report per device every 10 ms; lower it or raise BENCH_LATENCY_DEVICES`,
    );
  }
  if (!(LOG_LEVELS as readonly string[]).includes(settings.logLevel)) {
    throw new SettingsError(`BENCH_LOG_LEVEL=${JSON.stringify(settings.logLevel)} is not a log level; use one of ${LOG_LEVELS.join(', ')}`);
  }
  return settings;
}
