/**
 * What modules and the cloud ask of eventbus (contracts 3 and 4 of the devices plan):
 * - `publish` (group bus from modules, group user from the cloud): resource = topic, content = payload;
 * - `message` (cloud): content JSON `{"message": {"topic": ..., ...}}`, published as that JSON on its topic;
 * - `subscribe` / `unsubscribe` (cloud): resource = topic filter, kept in sub_topics;
 * - `get_result` on resource `auth_info` (cloud): published on `$hw/events/node/<node>/authInfo/get/result`.
 * Also seen and not acted on: edgehub's `connect` notices, and its `error` answers when it refused an upload.
 * Bad input is refused with a warning that names the field and the fix (and an ERROR answer to a sync request);
 * nothing bad stops the loop.
 */
import type { Logger } from '../../pkg/log';
import { jsonContent, newErrorResponse, newResponse, Operation, operationName, readErrorContent, type Message } from '../../pkg/message';
import type { ModuleContext } from '../../pkg/modules';
import { describeBytes } from './dispatch';
import { EventBusError } from './errors';
import type { BrokerLink } from './link';
import type { DropReason, EventBusMetrics } from './metrics';
import type { SubTopicStore } from './sub-topics';
import { isBuiltIn, type Subscriptions } from './subscriptions';
import { topicFilterProblem, topicNameProblem } from './topic-rules';
import type { ThrottledWarnings } from './warnings';

/** Bad input: counted under `reason`, warned about with a text that names the field and the fix. */
export class RefusedInput extends EventBusError {
  constructor(
    readonly reason: DropReason,
    message: string,
  ) {
    super('INVALID_INPUT', message);
  }
}

export interface RequestsDeps {
  nodeName: string;
  maxPayloadBytes: number;
  links: readonly BrokerLink[];
  subscriptions: Subscriptions;
  store: SubTopicStore;
  respond: ModuleContext['respond'];
  metrics: EventBusMetrics;
  warnings: ThrottledWarnings;
  log: Logger;
}

const HANDLED = 'publish, message, subscribe, unsubscribe, get_result (auth_info)';
const utf8 = new TextDecoder('utf-8', { fatal: true });

export class Requests {
  constructor(private readonly deps: RequestsDeps) {}

  /** Handles one inbox message. Never throws: every failure is logged, counted and, for a sync request, answered. */
  async handle(message: Message): Promise<void> {
    const operation = message.route?.operation ?? Operation.OPERATION_UNSPECIFIED;
    switch (operation) {
      case Operation.OPERATION_PUBLISH:
        return this.answer(message, () => this.publish(message));
      case Operation.OPERATION_MESSAGE:
        return this.answer(message, () => this.message(message));
      case Operation.OPERATION_SUBSCRIBE:
        return this.answer(message, () => this.subscribe(message));
      case Operation.OPERATION_UNSUBSCRIBE:
        return this.answer(message, () => this.unsubscribe(message));
      case Operation.OPERATION_GET_RESULT:
        return this.answer(message, () => this.getResult(message));
      case Operation.OPERATION_CONNECT:
        // edgehub's cloud_connected / cloud_disconnected: the MQTT side does not change with the cloud link.
        this.deps.log.debug({ resource: message.route?.resource }, 'cloud connection notice');
        return;
      case Operation.OPERATION_ERROR:
        return this.upstreamRefused(message);
      case Operation.OPERATION_RESPONSE:
        return;
      default:
        return this.answer(message, () => {
          throw new RefusedInput(
            'unknown_operation',
            `route.operation: eventbus does not handle ${describeOperation(operation)} (from ${message.route?.source || 'an unnamed sender'}, ` +
              `resource ${JSON.stringify(message.route?.resource ?? '')}); send one of ${HANDLED}`,
          );
        });
    }
  }

  private async publish(message: Message): Promise<void> {
    const topic = this.topicName(message, 'publish');
    this.publishAll(topic, this.payloadOf(message, 'publish', topic));
  }

  private async message(message: Message): Promise<void> {
    const what = 'message request';
    const fix = 'send JSON such as {"message": {"topic": "a/b", "data": "..."}}';
    let body: unknown;
    try {
      body = JSON.parse(utf8.decode(message.content));
    } catch (error) {
      throw new RefusedInput('invalid_content', `${what}: content is not UTF-8 JSON (${(error as Error).message}); ${fix}`);
    }
    const inner = (body as { message?: unknown } | null)?.message;
    if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) {
      throw new RefusedInput('invalid_content', `${what}: content.message is ${describe(inner)}, not an object; ${fix}`);
    }
    const topic = (inner as { topic?: unknown }).topic;
    const problem = topicNameProblem(topic);
    if (problem) throw new RefusedInput(topic === undefined || typeof topic !== 'string' ? 'invalid_content' : 'invalid_topic', `${what}: content.message.topic: ${problem}`);
    // KubeEdge publishes the whole inner object, topic included.
    const payload = Buffer.from(JSON.stringify(inner), 'utf8');
    this.checkSize(payload, what, topic as string);
    this.publishAll(topic as string, payload);
  }

  private async subscribe(message: Message): Promise<void> {
    const filter = this.topicFilter(message, 'subscribe');
    const { store, subscriptions, links, log } = this.deps;
    // Stored first: a subscription that would not survive a restart is refused rather than half made.
    await store.add(filter);
    if (!subscriptions.add(filter)) {
      log.debug({ topic: filter }, 'already subscribed');
      return;
    }
    for (const link of links) link.subscribe(filter);
    log.info({ topic: filter }, 'subscribed to a topic for the cloud');
  }

  private async unsubscribe(message: Message): Promise<void> {
    const filter = this.topicFilter(message, 'unsubscribe');
    const { store, subscriptions, links, log } = this.deps;
    const stored = await store.remove(filter);
    if (isBuiltIn(filter)) {
      log.info({ topic: filter }, "not unsubscribing: the topic is one of KubeEdge's that eventbus always takes");
      return;
    }
    if (!subscriptions.remove(filter)) {
      log.debug({ topic: filter, stored }, 'was not subscribed');
      return;
    }
    for (const link of links) link.unsubscribe(filter);
    log.info({ topic: filter }, 'unsubscribed from a topic for the cloud');
  }

  private async getResult(message: Message): Promise<void> {
    const resource = message.route?.resource ?? '';
    if (resource !== 'auth_info') {
      throw new RefusedInput(
        'unknown_operation',
        `get_result: resource ${JSON.stringify(resource)} is not handled; eventbus only publishes get_result for auth_info`,
      );
    }
    const topic = `$hw/events/node/${this.deps.nodeName}/authInfo/get/result`;
    const payload = Buffer.from(message.content);
    this.checkSize(payload, 'get_result auth_info', topic);
    this.publishAll(topic, payload);
  }

  /** edgehub answers ERROR to the sender when it refuses an upload (too large, invalid): the MQTT message is lost. */
  private upstreamRefused(message: Message): void {
    this.deps.metrics.dropped('refused_upstream');
    let reason: string;
    try {
      reason = readErrorContent(message).message;
    } catch {
      reason = 'no reason given';
    }
    this.deps.warnings.warn(
      'refused_upstream',
      { resource: message.route?.resource, reason },
      `an MQTT message on ${message.route?.resource} was not sent to the cloud: ${reason}`,
    );
  }

  /** Publishes on every broker of the mode; the outcome is counted and logged when it comes, never awaited here. */
  private publishAll(topic: string, payload: Buffer): void {
    const { metrics, warnings } = this.deps;
    for (const link of this.deps.links) {
      link.publish(topic, payload).then(
        () => metrics.published(link.name),
        (error: unknown) => {
          const full = error instanceof EventBusError && error.code === 'QUEUE_FULL';
          metrics.dropped(full ? 'queue_full' : 'publish_failed');
          warnings.warn(
            full ? `queue_full_${link.name}` : `publish_failed_${link.name}`,
            { topic, broker: link.name, err: error },
            full
              ? `dropped a publish on ${topic}: ${(error as Error).message}; the broker is away or too slow`
              : `the ${link.name} MQTT broker did not take a publish on ${topic}: ${(error as Error)?.message ?? String(error)}`,
          );
        },
      );
    }
  }

  /** Runs a request; answers a sync one with RESPONSE "OK" or ERROR; logs and counts a failure. */
  private async answer(message: Message, work: () => Promise<void> | void): Promise<void> {
    const sync = message.header?.sync === true && message.header.id !== '';
    try {
      await work();
      if (sync) this.deps.respond(newResponse(message, jsonContent('OK')));
    } catch (error) {
      const fields = { source: message.route?.source, resource: message.route?.resource, messageId: message.header?.id };
      if (error instanceof RefusedInput) {
        this.deps.metrics.dropped(error.reason);
        this.deps.warnings.warn(`refused_${error.reason}`, fields, `refused a request: ${error.message}`);
      } else {
        this.deps.log.error({ ...fields, err: error }, `could not carry out a ${describeOperation(message.route?.operation)} request`);
      }
      if (sync) this.deps.respond(newErrorResponse(message, error));
    }
  }

  private topicName(message: Message, what: string): string {
    const topic = message.route?.resource;
    const problem = topicNameProblem(topic);
    if (problem) throw new RefusedInput('invalid_topic', `${what} request: route.resource (the topic): ${problem}`);
    return topic!;
  }

  private topicFilter(message: Message, what: string): string {
    const filter = message.route?.resource;
    const problem = topicFilterProblem(filter);
    if (problem) throw new RefusedInput('invalid_topic', `${what} request: route.resource (the topic filter): ${problem}`);
    return filter!;
  }

  /**
   * The bytes to publish: the content as sent, except that JSON content holding a string is published as that
   * string (KubeEdge takes publish content as bytes or as a string).
   */
  private payloadOf(message: Message, what: string, topic: string): Buffer {
    let payload = Buffer.from(message.content);
    if (message.contentType.split(';', 1)[0]!.trim().toLowerCase() === 'application/json') {
      try {
        const value: unknown = JSON.parse(utf8.decode(message.content));
        if (typeof value === 'string') payload = Buffer.from(value, 'utf8');
      } catch {
        // not JSON after all: publish the bytes as they are
      }
    }
    this.checkSize(payload, `${what} request`, topic);
    return payload;
  }

  private checkSize(payload: Buffer, what: string, topic: string): void {
    const limit = this.deps.maxPayloadBytes;
    if (payload.length > limit) {
      throw new RefusedInput(
        'too_large',
        `${what} on ${topic}: the payload is ${payload.length} bytes, over eventbus's limit of ${limit} bytes ` +
          `(${describeBytes(limit)}); send smaller messages (split the data, or send a reference to it)`,
      );
    }
  }
}

function describeOperation(operation: Operation | undefined): string {
  try {
    return `operation ${JSON.stringify(operationName(operation ?? Operation.OPERATION_UNSPECIFIED))}`;
  } catch {
    return `operation ${operation ?? 'none'}`;
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
