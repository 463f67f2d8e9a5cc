/**
 * Cloud-to-edge messages: hand each to the edge module for its route.group and, for a message that needs an
 * acknowledgement, turn the module's answer into an Ack frame. The Ack is positive only after the module answered
 * RESPONSE (it stored the object, or recognised a duplicate or stale version); an ERROR answer, no answer in time, or
 * no such module gives a negative Ack, so the cloud keeps the message and sends it again later. Nothing is lost.
 */
import { Operation, readErrorContent, type Message } from '../../pkg/message';
import { ModuleError } from '../../pkg/modules';
import type { Logger } from '../../pkg/log';
import type { EnvelopeError } from '../../pkg/message';
import type { EdgeHubMetrics } from './metrics';
import type { TunnelSession } from './tunnel-session';

/** Which edge module takes a downstream message, by route.group, and the setting that enables it. */
export const DOWNSTREAM_ROUTES: Readonly<Record<string, { module: string; enable: string }>> = {
  resource: { module: 'metamanager', enable: 'modules.metaManager.enable' },
  twin: { module: 'devicetwin', enable: 'modules.deviceTwin.enable' },
  user: { module: 'eventbus', enable: 'modules.eventBus.enable' },
};

/** Groups whose messages carry objects the cloud tracks delivery of (ObjectSync). */
const ACKED_GROUPS: ReadonlySet<string> = new Set(['resource', 'twin']);

/** A message the cloud wants acknowledged: an object version, or a delete, in a tracked group. */
export function needsAck(message: Message): boolean {
  const operation = message.route?.operation;
  if (operation === Operation.OPERATION_RESPONSE || operation === Operation.OPERATION_ERROR) return false;
  if (!ACKED_GROUPS.has(message.route?.group ?? '')) return false;
  return message.header?.resourceVersion !== '' || operation === Operation.OPERATION_DELETE;
}

export interface DownstreamDeps {
  send(destination: string, message: Message): Promise<void>;
  sendSync(destination: string, message: Message, timeoutMs: number): Promise<Message>;
  dispatchTimeoutMs: number;
  /** Dispatches waiting on modules before reading from the stream pauses. */
  maxInFlight: number;
  maxMessageSizeBytes: number;
  metrics: EdgeHubMetrics;
  log: Logger;
}

export class Downstream {
  /** Ids of acked messages a module is working on: a resend of one of them is ignored (its Ack will come). */
  private readonly working = new Set<string>();
  private inFlight = 0;
  private paused: TunnelSession | undefined;
  /** Modules already reported missing, so a cloud that keeps sending is not a log flood. */
  private readonly reportedMissing = new Set<string>();

  constructor(private readonly deps: DownstreamDeps) {}

  handle(message: Message, session: TunnelSession): void {
    const group = message.route?.group ?? '';
    this.deps.metrics.messageDown(group);
    this.deps.log.debug({ resource: message.route?.resource, messageId: message.header?.id }, 'trace: downstream message');
    if (needsAck(message)) this.deliverWithAck(message, group, session);
    else this.deliver(message, group, session);
  }

  /** A message frame over maxMessageSize: refused by a negative Ack when it wants one, logged either way. */
  refuseOversized(message: Message, error: EnvelopeError, session: TunnelSession): void {
    const { log } = this.deps;
    const fields = { messageId: message.header?.id, resource: message.route?.resource, group: message.route?.group };
    log.error(fields, `cloudcore sent a message over modules.edgeHub.maxMessageSize: ${error.message}`);
    if (!needsAck(message)) return;
    this.sendAck(
      session,
      message,
      `message is over the edge's limit of ${this.deps.maxMessageSizeBytes} bytes ` +
        '(modules.edgeHub.maxMessageSize); raise it on the edge to match cloudcore',
    );
  }

  private deliverWithAck(message: Message, group: string, session: TunnelSession): void {
    const id = message.header!.id;
    if (this.working.has(id)) {
      this.deps.log.debug({ messageId: id }, 'cloud resent a message a module is still working on; its Ack will follow');
      return;
    }
    const route = DOWNSTREAM_ROUTES[group]!;
    this.working.add(id);
    this.track(session);
    this.deps
      .sendSync(route.module, message, this.deps.dispatchTimeoutMs)
      .then(
        (answer) => answerError(answer, route.module),
        (error: unknown) => this.failureText(error, group),
      )
      .then((error) => this.sendAck(session, message, error))
      .finally(() => {
        this.working.delete(id);
        this.untrack();
      });
  }

  private deliver(message: Message, group: string, session: TunnelSession): void {
    const route = DOWNSTREAM_ROUTES[group];
    const fields = { messageId: message.header?.id, group, resource: message.route?.resource };
    if (!route) {
      this.deps.log.warn(fields, `dropped a cloud message for group "${group}": no edge module handles it`);
      return;
    }
    this.track(session);
    this.deps
      .send(route.module, message)
      .catch((error: unknown) => {
        if (isMissingModule(error) && this.reportedMissing.has(route.module)) return;
        if (isMissingModule(error)) this.reportedMissing.add(route.module);
        this.deps.log.warn(fields, `dropped a cloud message: ${this.failureText(error, group)}`);
      })
      .finally(() => this.untrack());
  }

  private sendAck(session: TunnelSession, message: Message, error: string): void {
    const ack = { messageId: message.header!.id, resourceVersion: message.header!.resourceVersion, error };
    if (!session.writeNow({ frame: { $case: 'ack', value: ack } })) {
      this.deps.log.debug({ messageId: ack.messageId }, 'stream ended before the Ack went out; the cloud will resend');
      return;
    }
    this.deps.metrics.ackSent(error === '');
    if (error !== '') {
      this.deps.log.warn({ messageId: ack.messageId, resource: message.route?.resource, error }, 'negative Ack sent');
    }
  }

  private failureText(error: unknown, group: string): string {
    const route = DOWNSTREAM_ROUTES[group]!;
    if (isMissingModule(error)) {
      return `no edge module handles group "${group}": ${route.module} is not running (set ${route.enable}: true)`;
    }
    if (error instanceof ModuleError && error.code === 'SYNC_TIMEOUT') {
      return `${route.module} did not answer within ${this.deps.dispatchTimeoutMs} ms`;
    }
    return `${route.module} could not take the message: ${(error as Error)?.message ?? String(error)}`;
  }

  /** Counts a dispatch; stops reading from the stream while too many wait on modules. */
  private track(session: TunnelSession): void {
    this.inFlight++;
    if (this.inFlight >= this.deps.maxInFlight && !this.paused) {
      this.paused = session;
      session.pauseReading();
      this.deps.log.debug({ inFlight: this.inFlight }, 'edge modules are behind; pausing reads from the cloud');
    }
  }

  private untrack(): void {
    this.inFlight--;
    if (this.paused && this.inFlight <= this.deps.maxInFlight / 2) {
      this.paused.resumeReading();
      this.paused = undefined;
    }
  }
}

/** Empty for a RESPONSE; the reason for an ERROR. */
function answerError(answer: Message, module: string): string {
  if (answer.route?.operation !== Operation.OPERATION_ERROR) return '';
  try {
    return readErrorContent(answer).message || `${module} answered with an error`;
  } catch {
    return `${module} answered with an error (its content was not an error message)`;
  }
}

function isMissingModule(error: unknown): boolean {
  return error instanceof ModuleError && (error.code === 'UNKNOWN_MODULE' || error.code === 'NOT_RUNNING');
}
