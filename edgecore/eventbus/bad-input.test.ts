/** Bad input from apps, modules and the cloud: refused with a warning that names the field and the fix, counted, never fatal. */
import type { MqttClient } from 'mqtt';
import { deviceTopic } from '../../pkg/devices';
import { newMessage, Operation, readErrorContent, type Message } from '../../pkg/message';
import { busRequest, captureLog, connectApp, eventually, sleep, startTestEdge, subscribeApp, tempDir, type CapturedLog, type TestEdge } from './testing/edge';

const MIB = 1024 * 1024;

describe('eventbus bad input', () => {
  const tmp = tempDir();
  let edge: TestEdge;
  let logs: CapturedLog;
  let client: MqttClient;
  let received: { topic: string; payload: Buffer }[];
  beforeEach(async () => {
    logs = captureLog();
    // warningIntervalMs 0: every refusal is logged, so each case can be checked.
    edge = await startTestEdge({ dataSource: tmp.file(), log: logs.log, tuning: { warningIntervalMs: 0 } });
    client = await connectApp(await edge.internalUrl());
    received = await subscribeApp(client, 'ok/#');
  });
  afterEach(async () => {
    await client.endAsync(true);
    await edge.stop();
  });
  afterAll(() => tmp.cleanup());

  /** Sends a sync request and returns the ERROR's text, or 'OK'. */
  async function ask(message: Message): Promise<string> {
    const answer = await edge.sendSync(message);
    return answer.route!.operation === Operation.OPERATION_ERROR ? readErrorContent(answer).message : 'OK';
  }

  /** After bad input the bus still works: a good publish gets through. */
  async function stillWorks(): Promise<void> {
    const before = received.length;
    await edge.send(busRequest('publish', 'ok/after', 'fine', { group: 'bus' }));
    await eventually(() => received.length === before + 1);
    expect(edge.runtime.moduleStates().eventbus).toBe('running');
  }

  it('drops MQTT payloads over 1 MiB with a warning that says the limit', async () => {
    const topic = deviceTopic('default', 'cam', 'twin/update');
    await client.publishAsync(topic, Buffer.alloc(MIB + 1, 0x61), { qos: 1 });
    await client.publishAsync(topic, Buffer.alloc(MIB, 0x61), { qos: 1 }); // exactly the limit is fine
    await eventually(() => edge.devicetwin.length === 1);
    expect(edge.devicetwin[0]!.content.length).toBe(MIB);
    expect(await edge.counter('eventbus_dropped_total', { reason: 'too_large' })).toBe(1);
    const [warning] = logs.warnings('dropped an MQTT message');
    expect(warning!.msg).toContain(`its payload is ${MIB + 1} bytes, over eventbus's limit of ${MIB} bytes (1 MiB); publish smaller messages`);
    await stillWorks();
  });

  it('refuses publish requests with topics MQTT does not allow, and oversized payloads', async () => {
    expect(await ask(busRequest('publish', 'a/+/c', 'x'))).toContain("contains a wildcard ('+' or '#'), which only subscriptions may use; publish to a concrete topic");
    expect(await ask(busRequest('publish', 'a/#', 'x'))).toContain('contains a wildcard');
    expect(await ask(busRequest('publish', '', 'x'))).toContain('route.resource (the topic): the topic is empty');
    expect(await ask(busRequest('publish', 'a'.repeat(65_536), 'x'))).toContain("the topic is 65536 bytes, over MQTT's limit of 65535");
    expect(await ask(busRequest('publish', 'nul\u0000topic', 'x'))).toContain('NUL character');
    expect(await ask(busRequest('publish', 'ok/big', Buffer.alloc(MIB + 1)))).toContain(`the payload is ${MIB + 1} bytes, over eventbus's limit`);
    expect(await edge.counter('eventbus_dropped_total', { reason: 'invalid_topic' })).toBe(5);
    expect(await edge.counter('eventbus_dropped_total', { reason: 'too_large' })).toBe(1);
    expect(logs.warnings('refused a request')).toHaveLength(6);
    await stillWorks();
    expect(received.map((r) => r.topic)).toEqual(['ok/after']);
  });

  it('refuses subscribe requests with bad topic filters, and stores none of them', async () => {
    expect(await ask(busRequest('subscribe', 'a/#/b'))).toContain("'#' must be a whole level and the last one");
    expect(await ask(busRequest('subscribe', 'a/b#'))).toContain("'#' must be a whole level");
    expect(await ask(busRequest('subscribe', 'a/b+/c'))).toContain("'+' must be a whole level");
    expect(await ask(busRequest('subscribe', ''))).toContain('the topic filter is empty');
    expect(await ask(busRequest('unsubscribe', 'x'.repeat(70_000)))).toContain("over MQTT's limit of 65535");
    expect(await ask(busRequest('subscribe', 'fine/+/#'))).toBe('OK');
    expect(await edge.counter('eventbus_dropped_total', { reason: 'invalid_topic' })).toBe(5);
    await stillWorks();
  });

  it('refuses malformed message requests, naming the field', async () => {
    expect(await ask(busRequest('message', '', 'not json'))).toContain('message request: content is not UTF-8 JSON');
    expect(await ask(busRequest('message', '', '{"nope":1}'))).toContain('content.message is missing, not an object; send JSON such as {"message": {"topic": "a/b"');
    expect(await ask(busRequest('message', '', '{"message":[1]}'))).toContain('content.message is an array');
    expect(await ask(busRequest('message', '', '{"message":{"data":1}}'))).toContain('content.message.topic: the topic is missing');
    expect(await ask(busRequest('message', '', '{"message":{"topic":"a/#"}}'))).toContain('content.message.topic: the topic "a/#" contains a wildcard');
    expect(await ask(busRequest('message', '', Buffer.from([0xff, 0xfe])))).toContain('not UTF-8 JSON');
    expect(await edge.counter('eventbus_dropped_total', { reason: 'invalid_content' })).toBe(5);
    expect(await edge.counter('eventbus_dropped_total', { reason: 'invalid_topic' })).toBe(1);
    await stillWorks();
  });

  it('refuses operations it does not handle, and get_result for anything but auth_info', async () => {
    const odd = newMessage({ source: 'edgehub', group: 'user', operation: 'insert', resource: 'default/pod/x' });
    expect(await ask(odd)).toContain('route.operation: eventbus does not handle operation "insert" (from edgehub');
    expect(await ask(busRequest('get_result', 'something_else', '{}'))).toContain('eventbus only publishes get_result for auth_info');
    expect(await edge.counter('eventbus_dropped_total', { reason: 'unknown_operation' })).toBe(2);
    await stillWorks();
  });

  it("counts edgehub's refusals of uploads and keeps quiet about connection notices", async () => {
    const upload = busRequest('upload', '$hw/events/upload/x', 'data', { source: 'eventbus' });
    const refusal = newMessage({
      source: 'eventbus',
      group: 'user',
      operation: 'error',
      resource: '$hw/events/upload/x',
      content: Buffer.from(JSON.stringify({ message: 'message is 99 bytes encoded, over modules.edgeHub.maxMessageSize' })),
      contentType: 'application/json',
    });
    refusal.header!.parentId = upload.header!.id;
    await edge.send(refusal);
    await edge.send(newMessage({ source: 'edgehub', group: 'bus', operation: 'connect', resource: 'node/connection', content: Buffer.from('"cloud_connected"'), contentType: 'application/json' }));
    await eventually(async () => (await edge.counter('eventbus_dropped_total', { reason: 'refused_upstream' })) === 1);
    await sleep(50);
    const warnings = logs.warnings();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toContain('was not sent to the cloud: message is 99 bytes encoded, over modules.edgeHub.maxMessageSize');
    await stillWorks();
  });
});
