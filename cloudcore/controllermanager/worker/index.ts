/**
 * The controller manager on a worker thread, and the registry view that serves the thread's metrics. Importing this
 * folder does not load the manager itself (nor client-node): only the thread does.
 */
export { createControllerManagerWorker, WorkerCrashError, type ControllerManagerWorker, type ControllerManagerWorkerConfig } from './host';
export { MergedRegistry, type MetricSource } from './merged-registry';
