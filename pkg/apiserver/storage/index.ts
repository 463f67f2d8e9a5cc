/**
 * Storage for the embedded Kubernetes-compatible API server: what etcd plus the apiserver's watch cache are to the
 * real one, in one SQLite file. See types.ts for the Store contract, options.ts for the options and the durability
 * trade-off, sqlite-schema.ts for the file layout.
 *
 *   const store = await openStore({ file, log });
 *   const pod = await store.create('/core/pods/default/nginx', body);          // pod.revision, pod.json
 *   const page = store.list('/core/pods/', { limit: 500 });                     // page.revision, page.continueAfter
 *   for await (const events of store.watch('/core/pods/', { fromRevision: page.revision, signal })) { ... }
 */
export { openStore } from './store';
export {
  isStorageError,
  StorageError,
  type StorageErrorCode,
} from './errors';
export { createStorageMetrics, NOOP_METRICS, type StorageMetrics } from './metrics';
export {
  compileStoreOptions,
  type CompiledStoreOptions,
  type Durability,
  type EventRetentionOptions,
  type StorageLog,
  type StoreOptions,
} from './options';
export { StoredObject, type KubeMetadata, type KubeObject } from './stored-object';
export type {
  CompactResult,
  GuaranteedUpdateOptions,
  Key,
  ListOptions,
  ListResult,
  Mutation,
  Store,
  StoreStats,
  WatchEvent,
  WatchEventType,
  Watcher,
  WatchOptions,
  WriteOptions,
} from './types';
