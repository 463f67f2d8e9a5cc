/**
 * cloudcore's controller manager: the scheduler and the workload, garbage-collection, namespace, service-account and
 * node-lifecycle controllers a Kubernetes user expects, run when cloudcore serves its own embedded API server.
 */
export { createControllerManager, type ControllerManager, type ControllerManagerConfig } from './manager';
export { CONTROLLER_NAMES, OptionsError, type ControllerManagerOptions, type ControllerName } from './options';
export {
  createControllerManagerWorker,
  MergedRegistry,
  WorkerCrashError,
  type ControllerManagerWorker,
  type ControllerManagerWorkerConfig,
  type MetricSource,
} from './worker';
