/** The SyncController module (reliable delivery's periodic and on-reconnect reconciliation of ObjectSync records). */
export { createSyncController, type SyncController } from './sync-controller';
export { compileSyncOptions, type CompiledSyncOptions, type PeriodicScope, type SyncControllerOptions } from './options';
export { KindResolver, type ResolvedKind } from './kinds';
export { connectionEvent, deleteMessage, downstreamResource, updateMessage, type ConnectionEvent, type GoneObject } from './messages';
export { NodeReconciler, type NodeReconcilerDeps } from './reconcile';
export { removeRecordsOfDeletedNodes } from './cleanup';
