import type { KeyedBackoff } from './backoff';
import type { CompiledOptions, PodWorkersDeps } from './types';

/** What every sync of every pod shares. */
export interface SyncContext {
  deps: PodWorkersDeps;
  options: CompiledOptions;
  crashBackoff: KeyedBackoff;
  imageBackoff: KeyedBackoff;
  now(): number;
  /** From CRI Version: "containerd" -> container IDs `containerd://<id>`. */
  runtimeName(): string;
  /** Ask for another sync of this pod (probe results arrive between syncs). */
  requeue(uid: string): void;
}
