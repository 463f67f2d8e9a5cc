/**
 * A change from the cloud: check it, apply it in one transaction, acknowledge only after the commit (or on
 * recognising a duplicate or stale version), then pass applied changes on to the module that acts on them: devices and
 * device models to devicetwin (which tells the mappers), everything else to edged.
 */
import { performance } from 'node:perf_hooks';
import { parseEdgeResource, type Message } from '../../pkg/message';
import { ModuleError, type ModuleContext } from '../../pkg/modules';
import { answerError, answerOk } from './answers';
import { decodeChange } from './decode-change';
import type { MetaMetrics } from './metrics';
import type { ApplyOutcome, MetaStore } from './store';

export const METAMANAGER = 'metamanager';
export const EDGED = 'edged';
export const DEVICETWIN = 'devicetwin';

/** Types devicetwin acts on, as KubeEdge's metamanager hands them to its twin module. */
const DEVICE_TYPES: ReadonlySet<string> = new Set(['device', 'devicemodel']);

export interface ChangeDeps {
  readonly store: MetaStore;
  readonly metrics: MetaMetrics;
  /** Told whether the last write reached the database, for the health check. */
  readonly onStorageResult: (error: unknown) => void;
}

/** Returns the outcome, or undefined when the change was refused (and answered with an error). */
export async function handleChange(ctx: ModuleContext, deps: ChangeDeps, message: Message): Promise<ApplyOutcome | undefined> {
  const log = ctx.log.child({ msgId: message.header?.id, resource: message.route?.resource });
  let change;
  try {
    change = decodeChange(message);
  } catch (error) {
    deps.metrics.error('invalid');
    log.warn({ err: error }, 'refused a change from the cloud');
    answerError(ctx, message, error);
    return undefined;
  }
  const startedAt = performance.now();
  let outcome: ApplyOutcome;
  try {
    outcome = await deps.store.apply(change);
    deps.onStorageResult(undefined);
  } catch (error) {
    deps.metrics.error('storage');
    deps.onStorageResult(error);
    log.error({ err: error }, 'could not store a change from the cloud; the cloud will resend it');
    answerError(ctx, message, error);
    return undefined;
  }
  deps.metrics.change(outcome, (performance.now() - startedAt) / 1000);
  log.debug({ outcome, ms: Math.round(performance.now() - startedAt) }, 'trace: change committed');
  answerOk(ctx, message);
  if (outcome !== 'applied') {
    log.debug({ outcome, resourceVersion: String(change.resourceVersion) }, 'change not written');
  }
  return outcome;
}

/**
 * The acting module learns of applied changes from the message itself, re-sent as from metamanager and without the
 * sync flag (nobody waits for its answer). Resolves once the message is in that module's inbox; when it is not running
 * there is nobody to tell, and it reads the store when it starts.
 */
export async function tellActor(ctx: ModuleContext, message: Message): Promise<void> {
  const type = parseEdgeResource(message.route?.resource ?? '')?.type ?? '';
  const actor = DEVICE_TYPES.has(type) ? DEVICETWIN : EDGED;
  const notice: Message = {
    ...message,
    header: { ...message.header!, sync: false },
    route: { ...message.route!, source: METAMANAGER },
  };
  try {
    await ctx.send(actor, notice);
  } catch (error) {
    const absent = ['UNKNOWN_MODULE', 'NOT_RUNNING', 'STOPPED'];
    if (error instanceof ModuleError && absent.includes(error.code)) return;
    ctx.log.warn({ err: error, resource: message.route?.resource }, `could not tell ${actor} about a change`);
  }
}
