export { PodWorkers, type AdoptedPod } from './workers';
export type {
  EventType,
  PodVolumes,
  PodWorkersDeps,
  PodWorkersOptions,
  ProbeHandle,
  ProbeKind,
  ProbeTarget,
  ResolveEnv,
  StartProbes,
} from './types';
export type { GcResult } from './gc';
export { computeStatus, podPhase } from './status';
export { qosClass } from './resources';
export { pullPolicy } from './images';

import type { PodWorkersDeps, PodWorkersOptions } from './types';
import { PodWorkers } from './workers';

export function createPodWorkers(deps: PodWorkersDeps, options: PodWorkersOptions): PodWorkers {
  return new PodWorkers(deps, options);
}
