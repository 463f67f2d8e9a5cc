export { ModuleRuntime, DEFAULT_QUEUE_SIZE, DEFAULT_SYNC_TIMEOUT_MS, DEFAULT_RESTART } from './runtime';
export type { Module, ModuleContext, ModuleState, RuntimeOptions, RestartOptions } from './runtime';
export { ModuleError } from './errors';
export type { ModuleErrorCode } from './errors';
export { createRuntimeMetrics } from './metrics';
export type { RuntimeMetrics } from './metrics';
