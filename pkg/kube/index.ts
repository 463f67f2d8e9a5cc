/** The Kubernetes client layer every cloud controller uses: kubeconfig, client, informers, work queue, controller runner. */
export { loadKubeConfig, RateLimitedKubeConfig, type LoadKubeConfigOptions } from './kubeconfig';
export {
  Client,
  createClient,
  ResourceClient,
  type CallOptions,
  type ClientOptions,
  type DeleteOptions,
  type ListOptions,
  type PatchOptions,
  type PatchType,
  type WatchOptions,
  type WriteOptions,
} from './client';
export { KubeConfigTransport, type RestRequest, type RestTransport, type WatchEvent, type WatchEventType, type WatchRequest } from './rest';
export {
  isAlreadyExists,
  isConflict,
  isGone,
  isNotFound,
  isTooLargeResourceVersion,
  KubeApiError,
  KubeConfigError,
  UNREACHABLE,
  type KubeStatus,
} from './errors';
export {
  objectKey,
  resourceName,
  resourcePath,
  RESOURCES,
  splitKey,
  type KubeList,
  type KubeObject,
  type ObjectMeta,
  type ResourceRef,
} from './resource';
export { DeletedFinalStateUnknown, Indexer, isTombstone, NAMESPACE_INDEX, type CacheReader, type IndexFunc } from './cache';
export { SharedInformer, type EventHandlers, type InformerOptions, type InformerSpec } from './informer';
export {
  DEFAULT_RESYNC_MS,
  enqueueHandlers,
  InformerFactory,
  keyOf,
  type ForResourceOptions,
  type InformerFactoryOptions,
} from './factory';
export { DEFAULT_QUEUE_LENGTH, WorkQueue, type WorkQueueOptions } from './workqueue';
export {
  BucketRetry,
  defaultRetryLimiter,
  ExponentialRetry,
  MaxOfRetry,
  type ExponentialRetryOptions,
  type RetryLimiter,
} from './retry-limiter';
export { TokenBucket, type TokenBucketOptions } from '../timing';
export { runController, TerminalError, type ControllerOptions, type ReconcileOutcome, type Reconciler } from './controller';
