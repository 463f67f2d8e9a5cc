/**
 * Edge-to-cloud messages (everything sent to group 'hub'): checked, rate-limited, sent as Message frames.
 *
 * - Refused to the sender with an ERROR response, never dropped silently: a message that breaks the envelope's
 *   contract, or whose frame is over maxMessageSize.
 * - Sync requests (header.sync) wait for the cloud's answer (PendingQueries). While disconnected they are answered
 *   at once with "cloud not connected".
 * - Fire-and-forget messages sent while disconnected wait in the OfflineBuffer (drop oldest) and go out, in order,
 *   before anything newer once the connection is back.
 * - One upstream rate limit (messageQPS / messageBurst) covers live and buffered messages; Acks and keepalives are
 *   not limited.
 */
import type { Ack } from '../../gen/kubeedge/tunnel/v1/tunnel';
import type { Logger } from '../../pkg/log';
import { messageProblems, newErrorResponse, type Message } from '../../pkg/message';
import { sleep, TokenBucket } from '../../pkg/timing';
import { EdgeHubError } from './errors';
import type { EdgeHubMetrics, RefusedReason } from './metrics';
import { OfflineBuffer } from './offline-buffer';
import { PendingQueries } from './pending-queries';
import { encodeRequest, type TunnelSession } from './tunnel-session';

export interface UpstreamDeps {
  /** The session to write to while connected; undefined otherwise. */
  link(): TunnelSession | undefined;
  /** ModuleContext.respond: answers a sync request. */
  respond(answer: Message): void;
  /** ModuleContext.send: tells a fire-and-forget sender its message was refused. */
  send(destination: string, message: Message): Promise<void>;
  messageQPS: number;
  messageBurst: number;
  maxMessageSizeBytes: number;
  bufferMaxMessages: number;
  bufferMaxBytes: number;
  queryTimeoutMs: number;
  maxPendingQueries: number;
  metrics: EdgeHubMetrics;
  log: Logger;
  signal: AbortSignal;
}

interface Outgoing {
  message: Message;
  frame: Buffer;
}

export const NOT_CONNECTED_TEXT = 'cloud not connected';

export class Upstream {
  private readonly bucket: TokenBucket;
  private readonly buffer: OfflineBuffer<Outgoing>;
  private readonly queries: PendingQueries;
  /** Sending is one at a time (live messages and the flush of the buffer), which keeps their order. */
  private lock: Promise<void> = Promise.resolve();

  constructor(private readonly deps: UpstreamDeps) {
    this.bucket = new TokenBucket({ ratePerSecond: deps.messageQPS, burst: deps.messageBurst });
    this.buffer = new OfflineBuffer(deps.bufferMaxMessages, deps.bufferMaxBytes, (dropped) => {
      deps.metrics.bufferDropped();
      deps.log.debug({ messageId: dropped.message.header?.id }, 'offline buffer full; dropped the oldest message');
    });
    deps.metrics.observeBuffer(() => this.buffer.length);
    this.queries = new PendingQueries(deps.queryTimeoutMs, deps.respond);
  }

  /** Handles one message from the hub inbox; resolves once it was sent, buffered or refused. */
  async submit(message: Message): Promise<void> {
    const { maxMessageSizeBytes } = this.deps;
    const frame = encodeRequest({ frame: { $case: 'message', value: message } });
    if (frame.length > maxMessageSizeBytes) {
      const text =
        `message is ${frame.length} bytes encoded, over modules.edgeHub.maxMessageSize (${maxMessageSizeBytes}); ` +
        'send large objects in parts, or raise maxMessageSize on the edge and on cloudcore';
      this.refuse(message, new EdgeHubError('REFUSED', text), 'too_large');
      return;
    }
    // The whole frame fits, so the content does too; the size rule was just checked with a clearer message.
    const problems = messageProblems(message, { maxContentBytes: Infinity });
    if (problems.length > 0) {
      const list = problems.map((p) => `${p.path}: ${p.problem}`).join('; ');
      this.refuse(message, new EdgeHubError('REFUSED', `invalid message for the cloud: ${list}`), 'invalid');
      return;
    }
    const sync = message.header!.sync;
    if (sync && !this.deps.link()) {
      this.refuse(message, new EdgeHubError('NOT_CONNECTED', NOT_CONNECTED_TEXT), 'not_connected');
      return;
    }
    if (sync && this.queries.size >= this.deps.maxPendingQueries) {
      const text = `${this.queries.size} requests already wait for cloudcore; try again later`;
      this.refuse(message, new EdgeHubError('QUERY_FAILED', text), 'too_many_queries');
      return;
    }
    await this.exclusive(() => this.sendOne({ message, frame }));
  }

  /** The connection is up: send what was buffered. */
  connected(): void {
    if (this.buffer.length === 0) return;
    this.deps.log.info({ messages: this.buffer.length }, 'sending messages buffered while disconnected');
    this.exclusive(() => this.flush()).catch((error: unknown) => {
      if (!this.deps.signal.aborted) this.deps.log.error({ err: error }, 'sending buffered messages failed');
    });
  }

  /** The connection is gone: requests waiting for answers on it will not get them. */
  disconnected(): void {
    const lost = new EdgeHubError('CONNECTION_LOST', 'the connection to cloudcore dropped before it answered; retry');
    this.queries.failAll(lost);
  }

  ackReceived(ack: Ack): void {
    const ok = ack.error === '';
    this.deps.metrics.ackReceived(ok);
    if (ok) return; // a sync request keeps waiting for its answer
    this.deps.log.warn({ messageId: ack.messageId, error: ack.error }, `cloudcore refused an upstream message: ${ack.error}`);
    this.queries.fail(ack.messageId, new EdgeHubError('CLOUD_REFUSED', `cloudcore refused the request: ${ack.error}`));
  }

  /** If `message` answers a waiting sync request, delivers it and returns true. */
  answer(message: Message): boolean {
    return this.queries.complete(message);
  }

  /** Shutdown: waiting requests get an error; buffered messages are given up (and counted in the log). */
  stop(): void {
    this.queries.failAll(new EdgeHubError('STOPPING', 'edgehub is stopping'));
    const dropped = this.buffer.clear();
    if (dropped.length > 0) this.deps.log.warn({ messages: dropped.length }, 'buffered messages not sent before shutdown');
  }

  private async sendOne(outgoing: Outgoing): Promise<void> {
    if (!this.deps.link()) return this.keepForLater(outgoing);
    const waitMs = await this.takeToken();
    this.deps.log.debug({ resource: outgoing.message.route?.resource, waitMs }, 'trace: upstream message');
    const session = this.deps.link();
    if (!session) return this.keepForLater(outgoing);
    const sync = outgoing.message.header!.sync;
    // Registered before the write, so an answer that comes back at once finds it.
    if (sync) this.queries.add(outgoing.message);
    if (!(await session.write(outgoing.frame))) {
      // The stream ended before it took the frame. The stream's end fails sync requests; keep the rest.
      if (!sync) this.keepForLater(outgoing);
      return;
    }
    this.deps.metrics.messageUp();
  }

  private async flush(): Promise<void> {
    while (this.buffer.length > 0) {
      if (!this.deps.link()) return;
      await this.takeToken();
      const session = this.deps.link();
      if (!session) return;
      // Removed only once the stream took it, so a drop mid-flush keeps it for the next connection.
      if (!(await session.write(this.buffer.peek()!.value.frame))) return;
      this.buffer.shift();
      this.deps.metrics.messageUp();
    }
  }

  private keepForLater(outgoing: Outgoing): void {
    if (outgoing.message.header!.sync) {
      this.refuse(outgoing.message, new EdgeHubError('NOT_CONNECTED', NOT_CONNECTED_TEXT), 'not_connected');
      return;
    }
    this.buffer.push(outgoing, outgoing.frame.length);
  }

  /** Waits for the rate limit; returns how long. */
  private async takeToken(): Promise<number> {
    const waitMs = this.bucket.reserve();
    if (waitMs === 0) return 0;
    this.deps.metrics.rateLimited();
    await sleep(waitMs, this.deps.signal);
    return waitMs;
  }

  /** Runs `task` after every task queued before it; a failed task does not block the next. */
  private exclusive(task: () => Promise<void>): Promise<void> {
    const run = this.lock.then(task);
    this.lock = run.catch(() => undefined);
    return run;
  }

  private refuse(message: Message, error: EdgeHubError, reason: RefusedReason): void {
    this.deps.metrics.refused(reason);
    const fields = {
      messageId: message.header?.id,
      source: message.route?.source,
      resource: message.route?.resource,
      code: error.code,
    };
    // Offline refusals are expected while the cloud is away; the rest point at a bug or a misconfiguration.
    if (reason === 'not_connected') this.deps.log.debug(fields, `refused an upstream request: ${error.message}`);
    else this.deps.log.warn(fields, `refused an upstream message: ${error.message}`);
    if (!message.header?.id) return; // nothing to answer to
    const response = newErrorResponse(message, error);
    if (message.header.sync) {
      this.deps.respond(response);
      return;
    }
    const sender = message.route?.source;
    // The sender may be gone or not a module at all; the log line above already tells the story.
    if (sender) this.deps.send(sender, response).catch(() => undefined);
  }
}
