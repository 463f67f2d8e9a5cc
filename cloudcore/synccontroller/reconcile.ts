/**
 * One node's pass (level-triggered, idempotent): for each of its records, compare the object now with what the node
 * acknowledged. Gone, or replaced by another object of the same name (another uid): send a delete of what the node
 * holds. Newer resourceVersion: send an update with the object. Otherwise nothing. The record itself is only changed
 * by the recorder, when the node acknowledges what was sent.
 */
import type { Logger } from 'pino';
import type { KubeObject, ReconcileOutcome } from '../../pkg/kube';
import type { Message } from '../../pkg/message';
import { isNewerResourceVersion, parseObjectSyncName, parseResourceVersion, type ObjectSyncRecord } from '../../pkg/reliablesync';
import type { ResolvedKind } from './kinds';
import { deleteMessage, updateMessage } from './messages';
import type { SyncMetrics } from './metrics';

export interface NodeReconcilerDeps {
  records: { recordsOf(node: string): ObjectSyncRecord[] };
  kinds: { resolve(apiVersion: string, kind: string, signal: AbortSignal): Promise<ResolvedKind | undefined> };
  objects: {
    cached(kind: ResolvedKind, namespace: string | undefined, name: string, signal: AbortSignal): Promise<KubeObject | undefined>;
    live(kind: ResolvedKind, namespace: string | undefined, name: string, signal: AbortSignal): Promise<KubeObject | undefined>;
  };
  /** Hands a message to cloudhub; waits while its inbox is full. */
  send(message: Message): Promise<void>;
  log: Logger;
  metrics: SyncMetrics;
  /**
   * Messages one pass sends at most; the rest of the node's records wait for the next pass, which starts where this
   * one stopped and is queued at once (behind the other nodes' passes).
   */
  maxSendsPerPass: number;
  /** How long a record may be without status before it is judged anyway (see beingWritten). Default 30 s. */
  statusGraceMs?: number;
  /** Milliseconds; injected for tests. */
  now?: () => number;
}

type Verdict = 'in_sync' | 'update' | 'delete' | 'skipped';

export class NodeReconciler {
  /** Where a capped pass stopped, per node: the next pass starts after this record name. */
  private readonly cursors = new Map<string, string>();
  /** Kinds already reported as not served, so the log says it once rather than every period. */
  private readonly reportedUnknown = new Set<string>();

  private readonly now: () => number;
  private readonly statusGraceMs: number;

  constructor(private readonly deps: NodeReconcilerDeps) {
    this.now = deps.now ?? Date.now;
    this.statusGraceMs = deps.statusGraceMs ?? 30_000;
  }

  async reconcile(node: string, signal: AbortSignal): Promise<ReconcileOutcome> {
    const records = [...this.deps.records.recordsOf(node)].sort((a, b) => compareNames(a, b));
    // A capped pass resumes after the last record it handled and ends at the last record: each record is visited once
    // per round, so records the node has not acknowledged yet are not resent in a tight loop.
    const cursor = this.cursors.get(node);
    this.cursors.delete(node);
    const start = cursor === undefined ? 0 : firstAfter(records, cursor);
    let sends = 0;
    let seen = 0;
    try {
      for (let i = start; i < records.length; i++) {
        if (signal.aborted) return;
        const record = records[i]!;
        seen++;
        const verdict = await this.reconcileRecord(node, record, signal);
        if (verdict === 'update' || verdict === 'delete') sends++;
        if (sends >= this.deps.maxSendsPerPass && i < records.length - 1) {
          this.cursors.set(node, nameOf(record));
          return { requeueAfterMs: 0 };
        }
      }
    } finally {
      this.deps.metrics.reconciled(seen);
    }
  }

  /** Forgets where a capped pass stopped: the next pass starts a new round (a reconnect, or the records are gone). */
  forget(node: string): void {
    this.cursors.delete(node);
  }

  private async reconcileRecord(node: string, record: ObjectSyncRecord, signal: AbortSignal): Promise<Verdict> {
    const { log, metrics } = this.deps;
    const recordName = nameOf(record);
    const parsed = parseObjectSyncName(recordName);
    const spec = record.spec;
    if (!parsed || !spec?.objectAPIVersion || !spec.objectKind || !spec.objectName) {
      metrics.error('invalid_record');
      log.warn({ node, record: recordName, spec }, 'record lacks spec.objectAPIVersion/objectKind/objectName or is not named <node>.<uid>; skipping it');
      return 'skipped';
    }
    const kind = await this.deps.kinds.resolve(spec.objectAPIVersion, spec.objectKind, signal);
    if (!kind) {
      metrics.error('unknown_kind');
      const id = `${spec.objectKind}.${spec.objectAPIVersion}`;
      if (!this.reportedUnknown.has(id)) {
        this.reportedUnknown.add(id);
        log.warn({ kind: spec.objectKind, apiVersion: spec.objectAPIVersion, record: recordName }, 'records name a kind the API server does not serve; they are skipped until it does (is its CRD installed?)');
      }
      return 'skipped';
    }
    const namespace = record.metadata?.namespace || undefined;
    if (kind.namespaced !== (namespace !== undefined)) {
      metrics.error('invalid_record');
      log.warn({ node, record: recordName, kind: kind.kind }, `a ${kind.namespaced ? 'namespaced' : 'cluster-scoped'} kind recorded in a ${namespace ? 'ObjectSync' : 'ClusterObjectSync'}; skipping it`);
      return 'skipped';
    }
    const recorded = record.status?.objectResourceVersion;
    if (recorded === undefined && this.beingWritten(record)) return 'skipped';
    let current = await this.deps.objects.cached(kind, namespace, spec.objectName, signal);
    if (current?.metadata?.uid !== parsed.uid) {
      // Confirm with the API server before deleting anything: the cache may not have caught up with a new object.
      current = await this.deps.objects.live(kind, namespace, spec.objectName, signal);
      if (current?.metadata?.uid !== parsed.uid) {
        const gone = { apiVersion: kind.apiVersion, kind: kind.kind, name: spec.objectName, namespace, uid: parsed.uid, resourceVersion: recorded || '0' };
        await this.deps.send(deleteMessage(node, gone));
        metrics.sent('delete');
        log.debug({ node, record: recordName, replaced: current !== undefined }, 'object gone: sent a delete');
        return 'delete';
      }
    }
    const version = parseResourceVersion(current.metadata?.resourceVersion);
    if (version === undefined) {
      metrics.error('invalid_resource_version');
      log.warn({ node, record: recordName, resourceVersion: current.metadata?.resourceVersion }, 'object resourceVersion is not an unsigned integer; cannot tell whether the node is behind');
      return 'skipped';
    }
    if (!isNewerResourceVersion(version, recorded)) return 'in_sync';
    await this.deps.send(updateMessage(node, { ...current, apiVersion: kind.apiVersion, kind: kind.kind }));
    metrics.sent('update');
    log.debug({ node, record: recordName, recorded, current: current.metadata?.resourceVersion }, 'node is behind: sent an update');
    return 'update';
  }

  /**
   * The recorder creates a record and then sets its status (the status subresource ignores status on create): a young
   * record without status is half-written, and judging it would resend what the node just acknowledged. An old one
   * was left so by a crash, and is judged as "nothing known acknowledged".
   */
  private beingWritten(record: ObjectSyncRecord): boolean {
    const created = Date.parse(String(record.metadata?.creationTimestamp ?? ''));
    return !Number.isNaN(created) && this.now() - created < this.statusGraceMs;
  }
}

const nameOf = (record: ObjectSyncRecord): string => record.metadata?.name ?? '';
const firstAfter = (sorted: ObjectSyncRecord[], name: string): number => {
  const i = sorted.findIndex((r) => nameOf(r) > name);
  return i < 0 ? sorted.length : i;
};
const compareNames = (a: ObjectSyncRecord, b: ObjectSyncRecord): number => (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0);
