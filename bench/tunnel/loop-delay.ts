/** Event-loop delay of this process since the last reading: a stalled loop delays every message it handles. */
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface LoopDelay {
  p99Ms: number;
  maxMs: number;
}

const histogram = monitorEventLoopDelay({ resolution: 10 });
histogram.enable();

/** The delays seen since the previous call (or since start), then starts over. */
export function takeLoopDelay(): LoopDelay {
  const reading = { p99Ms: histogram.percentile(99) / 1e6, maxMs: histogram.max / 1e6 };
  histogram.reset();
  return reading;
}
