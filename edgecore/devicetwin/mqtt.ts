/**
 * MQTT messages from eventbus (contract 1: resource = topic, content = payload), answered on KubeEdge's result topics
 * (facts §5.3). A refused request is answered `{event_id, timestamp, code, reason}` on its result topic and logged;
 * nothing it sent is applied, and no other device is touched.
 */
import { randomUUID } from 'node:crypto';
import { deviceTopic, membershipTopic, NODE_TOPIC_PREFIX, parseDeviceTopic, type DeviceTopicSuffix } from '../../pkg/devices/topics';
import type { Effects } from './effects';
import { asTwinError, type TwinError } from './errors';
import type { RequestKind } from './metrics';
import { edgeDevice, errorResult, stateResult, twinGetResult } from './state/json';
import {
  decodeOptionalPayload,
  decodePayload,
  eventIdOf,
  parseBase,
  parseStateUpdate,
  parseTwinUpdate,
} from './state/requests';
import type { TwinState } from './state/twin-state';
import type { TwinRequests } from './twin-requests';

const GET_EXAMPLE = '{"event_id":"","timestamp":0}';
const STATE_EXAMPLE = '{"event_id":"","timestamp":0,"state":"online"}';
const UPDATE_EXAMPLE = '{"event_id":"","timestamp":0,"twin":{"temperature":{"actual":{"value":"24"}}}}';

interface Route {
  readonly kind: RequestKind;
  readonly result: DeviceTopicSuffix;
}

const ROUTES: Readonly<Record<string, Route>> = {
  'twin/update': { kind: 'twin_update', result: 'twin/update/result' },
  'twin/get': { kind: 'twin_get', result: 'twin/get/result' },
  'state/update': { kind: 'state_update', result: 'state/update/result' },
  'state/get': { kind: 'state_get', result: 'state/get/result' },
};

export class MqttHandler {
  constructor(
    private readonly state: TwinState,
    private readonly requests: TwinRequests,
    private readonly effects: Effects,
    private readonly maxPayloadBytes: number,
  ) {}

  handle(topic: string, payload: Uint8Array): void {
    if (topic.startsWith(NODE_TOPIC_PREFIX)) return this.nodeTopic(topic, payload);
    const parsed = parseDeviceTopic(topic);
    const route = parsed ? ROUTES[parsed.suffix] : undefined;
    if (!parsed || !route) {
      // Our own result topics, twin/cloud_updated and the like: nothing to do.
      this.effects.metrics.ignored('unknown_topic');
      this.effects.log.debug({ topic }, 'ignored a device topic devicetwin does not serve');
      return;
    }
    const { namespace, name } = parsed;
    let eventId = '';
    try {
      eventId = this.serve(route.kind, namespace, name, payload, (id) => (eventId = id));
      this.effects.metrics.request(route.kind, 'mqtt', 200);
    } catch (error) {
      const refusal = asTwinError(error);
      this.refused(route, namespace, name, eventId, refusal, topic);
    }
  }

  /** Serves one request; returns its event id. `noteEventId` learns it as soon as it is read (for a refusal). */
  private serve(kind: RequestKind, namespace: string, name: string, payload: Uint8Array, noteEventId: (id: string) => void): string {
    const now = this.effects.now();
    const publish = (suffix: DeviceTopicSuffix, body: unknown): void =>
      this.effects.publisher.publish(deviceTopic(namespace, name, suffix), body);
    switch (kind) {
      case 'twin_update': {
        const raw = decodePayload(payload, this.maxPayloadBytes, UPDATE_EXAMPLE);
        noteEventId(eventIdOf(raw));
        const request = parseTwinUpdate(raw);
        const changes = this.requests.updateTwins(namespace, name, request);
        publish('twin/update/result', { event_id: request.eventId, timestamp: now, twin: changes.result });
        return request.eventId;
      }
      case 'twin_get': {
        const raw = decodeOptionalPayload(payload, this.maxPayloadBytes, GET_EXAMPLE);
        noteEventId(eventIdOf(raw));
        const { eventId } = parseBase(raw);
        publish('twin/get/result', twinGetResult(this.requests.device(namespace, name), eventId, now));
        return eventId;
      }
      case 'state_update': {
        const raw = decodePayload(payload, this.maxPayloadBytes, STATE_EXAMPLE);
        noteEventId(eventIdOf(raw));
        const request = parseStateUpdate(raw);
        const outcome = this.requests.updateState(namespace, name, request, 'mqtt');
        const device = outcome === 'ignored' ? this.requests.device(namespace, name) : outcome.device;
        publish('state/update/result', stateResult(device, request.eventId || randomUUID(), now));
        return request.eventId;
      }
      case 'state_get': {
        const raw = decodeOptionalPayload(payload, this.maxPayloadBytes, GET_EXAMPLE);
        noteEventId(eventIdOf(raw));
        const { eventId } = parseBase(raw);
        publish('state/get/result', stateResult(this.requests.device(namespace, name), eventId, now));
        return eventId;
      }
      case 'membership_get':
        throw new Error('membership/get is a node topic');
    }
  }

  private refused(route: Route, namespace: string, name: string, eventId: string, refusal: TwinError, topic: string): void {
    this.effects.metrics.request(route.kind, 'mqtt', refusal.code);
    const fields = { topic, device: `${namespace}/${name}`, code: refusal.code };
    if (refusal.code === 500) this.effects.log.error({ ...fields, err: refusal.cause ?? refusal }, refusal.reason);
    else this.effects.log.warn(fields, `refused ${route.kind.replace('_', ' ')}: ${refusal.reason}`);
    this.effects.publisher.publish(
      deviceTopic(namespace, name, route.result),
      errorResult(eventId, refusal.code, refusal.reason, this.effects.now()),
    );
  }

  /** `$hw/events/node/<node>/membership/get`: this node's devices (without twins, as KubeEdge answers). */
  private nodeTopic(topic: string, payload: Uint8Array): void {
    const parts = topic.slice(NODE_TOPIC_PREFIX.length).split('/');
    const [node, ...rest] = parts;
    if (rest.join('/') !== 'membership/get') {
      this.effects.metrics.ignored('unknown_topic');
      return;
    }
    if (node !== this.effects.nodeName) {
      // Another node's request on a shared broker.
      this.effects.metrics.ignored('other_node');
      return;
    }
    let eventId = '';
    try {
      const raw = decodeOptionalPayload(payload, this.maxPayloadBytes, GET_EXAMPLE);
      eventId = eventIdOf(raw);
      eventId = parseBase(raw).eventId;
    } catch (error) {
      const refusal = asTwinError(error);
      this.effects.metrics.request('membership_get', 'mqtt', refusal.code);
      this.effects.log.warn({ topic }, `refused membership get: ${refusal.reason}`);
      this.effects.publisher.publish(membershipTopic(node, 'get/result'), errorResult(eventId, refusal.code, refusal.reason, this.effects.now()));
      return;
    }
    const devices = [...this.state.devices()].map((device) => edgeDevice(device, false));
    this.effects.publisher.publish(membershipTopic(node, 'get/result'), { event_id: eventId, timestamp: this.effects.now(), devices });
    this.effects.metrics.request('membership_get', 'mqtt', 200);
  }
}
