/**
 * Records what an edge node acknowledged: after cloudhub gets a positive ack for a downstream message, `delivered`
 * creates or advances the node's ObjectSync/ClusterObjectSync record for the object (never backwards), or deletes it
 * after a delete's ack. The SyncController later compares these records with the objects.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { isAlreadyExists, isConflict, isNotFound, type Client, type ResourceClient } from '../kube';
import type { Message } from '../message';
import { deliveredChange } from './delivered-object';
import { ReliableSyncError } from './errors';
import { noRecorderMetrics, recorderMetrics, type RecorderMetrics, type RecordOutcome } from './metrics';
import { NODE_LABEL, nodeLabelValue, objectSyncName, recordResource, type ObjectSyncRecord } from './records';
import { isNewerResourceVersion } from './resource-version';

/** Where the recorder may look a record up before asking the API server (a DeliveredIndex). May be stale. */
export interface RecordCache {
  record(node: string, uid: string): ObjectSyncRecord | undefined;
}

export interface DeliveryRecorderOptions {
  client: Client;
  log: Logger;
  registry?: Registry;
  /** Saves a GET per delivery when the record is cached; a stale entry costs one 409 and a GET. */
  cache?: RecordCache;
  /** Optimistic-concurrency retries per delivery before giving up with CONFLICT. Default 5. */
  maxConflictRetries?: number;
}

type ObjectRef = { apiVersion: string; kind: string; name: string; namespace?: string; uid: string };

export class DeliveryRecorder {
  private readonly log: Logger;
  private readonly metrics: RecorderMetrics;
  private readonly maxRetries: number;
  /** Per record, the write in progress: deliveries of one object are recorded one after another, not racing. */
  private readonly inflight = new Map<string, Promise<unknown>>();

  constructor(private readonly options: DeliveryRecorderOptions) {
    this.log = options.log.child({ component: 'delivery-recorder' });
    this.metrics = options.registry ? recorderMetrics(options.registry) : noRecorderMetrics;
    this.maxRetries = options.maxConflictRetries ?? 5;
  }

  /**
   * Call after `node` acknowledged `message`. Resolves with what happened to the record; rejects (KubeApiError,
   * ReliableSyncError) when it could not be written, so the caller can log and count it.
   */
  async delivered(node: string, message: Message): Promise<RecordOutcome> {
    try {
      const change = deliveredChange(node, message);
      let outcome: RecordOutcome;
      if (change.action === 'skip') {
        this.log.debug({ node, messageId: message.header?.id, reason: change.reason }, 'nothing to record');
        outcome = 'skipped';
      } else {
        const name = objectSyncName(node, change.object.uid);
        outcome = await this.serialized(`${change.object.namespace ?? ''}/${name}`, () =>
          change.action === 'delete' ? this.remove(name, change.object) : this.advance(node, name, change.object, change.resourceVersion),
        );
      }
      this.metrics.recorded(outcome);
      return outcome;
    } catch (error) {
      this.metrics.recorded('error');
      throw error;
    }
  }

  private async advance(node: string, name: string, object: ObjectRef, version: bigint): Promise<RecordOutcome> {
    const records = this.options.client.resource<ObjectSyncRecord>(recordResource(object.namespace));
    const namespace = object.namespace;
    let current = this.options.cache?.record(node, object.uid);
    let created = false;
    for (let attempt = 0; attempt <= this.maxRetries; attempt++) {
      if (!current) {
        try {
          current = await records.create(newRecord(node, name, object));
          created = true;
        } catch (error) {
          if (!isAlreadyExists(error)) throw error;
          current = await getOrUndefined(records, name, namespace);
          continue;
        }
      }
      if (!isNewerResourceVersion(version, current.status?.objectResourceVersion)) return created ? 'created' : 'unchanged';
      try {
        if (current.metadata?.labels?.[NODE_LABEL] !== nodeLabelValue(node)) current = await records.update(withNodeLabel(current, node));
        await records.updateStatus({ ...current, status: { ...current.status, objectResourceVersion: version.toString() } });
        return created ? 'created' : 'updated';
      } catch (error) {
        if (!(isConflict(error) || isNotFound(error))) throw error;
        // Someone else wrote (or deleted) it, or our cached copy was stale: reread and decide again.
        current = await getOrUndefined(records, name, namespace);
      }
    }
    throw new ReliableSyncError('CONFLICT', `record ${namespace ? `${namespace}/` : ''}${name}: still conflicting after ${this.maxRetries} retries`);
  }

  private async remove(name: string, object: ObjectRef): Promise<RecordOutcome> {
    const records = this.options.client.resource<ObjectSyncRecord>(recordResource(object.namespace));
    try {
      await records.delete(name, { ...(object.namespace ? { namespace: object.namespace } : {}) });
      return 'deleted';
    } catch (error) {
      if (isNotFound(error)) return 'absent';
      throw error;
    }
  }

  private async serialized<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.inflight.get(key) ?? Promise.resolve();
    const mine = before.then(work, work);
    const tail = mine.catch(() => undefined);
    this.inflight.set(key, tail);
    try {
      return await mine;
    } finally {
      if (this.inflight.get(key) === tail) this.inflight.delete(key);
    }
  }
}

function newRecord(node: string, name: string, object: ObjectRef): ObjectSyncRecord {
  const ref = recordResource(object.namespace);
  return {
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    metadata: { name, ...(object.namespace ? { namespace: object.namespace } : {}), labels: { [NODE_LABEL]: nodeLabelValue(node) } },
    spec: { objectAPIVersion: object.apiVersion, objectKind: object.kind, objectName: object.name },
  };
}

function withNodeLabel(record: ObjectSyncRecord, node: string): ObjectSyncRecord {
  const metadata = { ...record.metadata, labels: { ...record.metadata?.labels, [NODE_LABEL]: nodeLabelValue(node) } };
  return { ...record, metadata };
}

async function getOrUndefined(records: ResourceClient<ObjectSyncRecord>, name: string, namespace: string | undefined): Promise<ObjectSyncRecord | undefined> {
  try {
    return await records.get(name, { ...(namespace ? { namespace } : {}) });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
