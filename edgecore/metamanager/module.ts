/**
 * The metamanager module's loop. Changes from the cloud are handled one at a time, in arrival order, so that
 * acknowledgements follow commits in order; queries run beside them (a remote query may wait for the cloud), bounded.
 */
import type { DaemonModule } from '../../pkg/cli';
import { isKnownOperation, Operation, operationName, readJsonContent, type Message } from '../../pkg/message';
import type { HealthCheck } from '../../pkg/metrics';
import type { ModuleContext } from '../../pkg/modules';
import { answerError } from './answers';
import { BoundedTasks } from './bounded-tasks';
import { isChangeOperation } from './decode-change';
import { isQueryOperation } from './decode-query';
import { invalidField } from './errors';
import { handleChange, METAMANAGER, tellActor } from './handle-change';
import { handleQuery, type QueryDeps } from './handle-query';
import type { MetaMetrics } from './metrics';
import type { MetaReader, MetaStore } from './store';

export const METAMANAGER_GROUP = 'meta';

export interface MetaManagerModuleDeps {
  readonly store: MetaStore;
  readonly metrics: MetaMetrics;
  readonly queryTimeoutMs: number;
  readonly remoteQueryTypes: ReadonlySet<string>;
  /** Queries answered at once (a remote one may wait queryTimeoutMs). */
  readonly maxConcurrentQueries: number;
  /** Notices to edged and devicetwin queued ahead of them before changes wait for them to catch up. */
  readonly maxPendingNotices: number;
}

export class MetaManagerModule implements DaemonModule {
  readonly name = METAMANAGER;
  readonly group = METAMANAGER_GROUP;
  readonly healthCheck: HealthCheck;
  private cloudConnected = false;
  private storageFailure: unknown;

  constructor(private readonly deps: MetaManagerModuleDeps) {
    this.healthCheck = {
      name: METAMANAGER,
      check: () => {
        if (this.storageFailure !== undefined) {
          throw new Error(`the last write to the local store failed: ${(this.storageFailure as Error).message}`);
        }
      },
    };
  }

  /** Read access for other edge modules; only this module writes. */
  get store(): MetaReader {
    return this.deps.store;
  }

  async run(ctx: ModuleContext): Promise<void> {
    const logTaskError = (error: unknown): void => ctx.log.error({ err: error }, 'metamanager task failed');
    const queries = new BoundedTasks(this.deps.maxConcurrentQueries, logTaskError);
    const notices = new BoundedTasks(this.deps.maxPendingNotices, logTaskError);
    const queryDeps: QueryDeps = { ...this.deps, isCloudConnected: () => this.cloudConnected };
    const changeDeps = {
      ...this.deps,
      onStorageResult: (error: unknown) => void (this.storageFailure = error),
    };
    for await (const message of ctx.receive()) {
      const operation = message.route?.operation ?? Operation.OPERATION_UNSPECIFIED;
      if (isChangeOperation(operation)) {
        const outcome = await handleChange(ctx, changeDeps, message);
        if (outcome === 'applied') await notices.add(() => tellActor(ctx, message));
      } else if (isQueryOperation(operation)) {
        await queries.add(() => handleQuery(ctx, queryDeps, message));
      } else if (operation === Operation.OPERATION_CONNECT) {
        this.noteConnection(ctx, message);
      } else {
        refuse(ctx, message);
      }
    }
    await Promise.all([queries.settled(), notices.settled()]);
    // The loop ends only when the module is stopped; a crash (a throw above) keeps the store open for the restart.
    if (ctx.signal.aborted) await this.close();
  }

  /** Closes the store; for a caller that built the module but never ran it. Idempotent. */
  close(): Promise<void> {
    return this.deps.store.close();
  }

  /** edgehub's CONNECT: content "cloud_connected" / "cloud_disconnected" (a JSON string, or the bare text). */
  private noteConnection(ctx: ModuleContext, message: Message): void {
    let state: unknown;
    try {
      state = readJsonContent(message);
    } catch {
      state = Buffer.from(message.content).toString('utf8');
    }
    if (state !== 'cloud_connected' && state !== 'cloud_disconnected') {
      const content = String(state).slice(0, 64);
      ctx.log.warn({ content }, 'ignored a connect message that is neither cloud_connected nor cloud_disconnected');
      return;
    }
    const connected = state === 'cloud_connected';
    if (connected !== this.cloudConnected) ctx.log.info({ cloudConnected: connected }, 'cloud connection changed');
    this.cloudConnected = connected;
  }
}

function refuse(ctx: ModuleContext, message: Message): void {
  const operation = message.route?.operation ?? Operation.OPERATION_UNSPECIFIED;
  // Answers to our own sendSync calls never arrive here (the runtime pairs them); anything else is misrouted.
  const error = invalidField(
    'route.operation',
    `${isKnownOperation(operation) ? operationName(operation) : operation} is not handled by metamanager; it takes ` +
      'insert, update, patch, delete, query, get, list and connect',
  );
  ctx.log.warn({ msgId: message.header?.id, operation }, error.message);
  answerError(ctx, message, error);
}
