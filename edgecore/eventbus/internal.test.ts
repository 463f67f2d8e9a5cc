/** mqttMode internal (the default): the built-in broker, real mqtt.js apps, eventbus in a real ModuleRuntime. */
import type { MqttClient } from 'mqtt';
import { createServer } from 'node:net';
import { deviceTopic, membershipTopic } from '../../pkg/devices';
import { jsonContent, Operation } from '../../pkg/message';
import {
  busRequest,
  captureLog,
  connectApp,
  eventually,
  sleep,
  startTestEdge,
  subscribeApp,
  tempDir,
  type TestEdge,
} from './testing/edge';

describe('eventbus, internal broker', () => {
  const tmp = tempDir();
  let edge: TestEdge | undefined;
  const apps: MqttClient[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.endAsync(true)));
    await edge?.stop();
    edge = undefined;
  });
  afterAll(() => tmp.cleanup());

  async function app(options = {}): Promise<MqttClient> {
    const client = await connectApp(await edge!.internalUrl(), options);
    apps.push(client);
    return client;
  }

  it('is the default mode and needs nothing installed: an app publishes a twin update, devicetwin gets it', async () => {
    edge = await startTestEdge({ dataSource: tmp.file() });
    expect(await edge.internalUrl()).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    const device = await app();
    const topic = deviceTopic('default', 'sensor-1', 'twin/update');
    const payload = JSON.stringify({ event_id: '', timestamp: 1, twin: { temperature: { actual: { value: '21' } } } });
    await device.publishAsync(topic, payload, { qos: 1 });
    await device.publishAsync(membershipTopic('edge-test', 'get'), '{}', { qos: 0 });

    await eventually(() => edge!.devicetwin.length === 2);
    const [twin, membership] = edge.devicetwin;
    expect(twin!.route).toMatchObject({ source: 'eventbus', group: 'twin', operation: Operation.OPERATION_MESSAGE, resource: topic });
    expect(twin!.content.toString()).toBe(payload);
    expect(membership!.route!.resource).toBe('$hw/events/node/edge-test/membership/get');
    expect(edge.edgehub).toEqual([]);
    expect(await edge.counter('eventbus_dispatched_total', { module: 'devicetwin' })).toBe(2);
    expect(await edge.counter('eventbus_mqtt_received_total', { broker: 'internal' })).toBe(2);
  });

  it('uploads the other subscribed topics to the cloud through edgehub, and ignores topics nobody subscribed', async () => {
    edge = await startTestEdge({ dataSource: tmp.file() });
    const client = await app();
    await client.publishAsync('$hw/events/upload/app1', 'reading 1', { qos: 1 });
    await client.publishAsync('SYS/dis/upload_records', 'records', { qos: 1 });
    await client.publishAsync('factory/user/line-2', Buffer.from([0, 1, 2, 255]), { qos: 1 });
    await client.publishAsync('not/subscribed', 'nobody', { qos: 1 });
    await client.publishAsync('$hw/events/device/default/d1/twin/update/extra/levels', 'not a subscribed shape', { qos: 1 });

    await eventually(() => edge!.edgehub.length === 3);
    await sleep(100);
    expect(edge.edgehub.map((m) => [m.route!.group, m.route!.operation, m.route!.resource])).toEqual([
      ['user', Operation.OPERATION_UPLOAD, '$hw/events/upload/app1'],
      ['user', Operation.OPERATION_UPLOAD, 'SYS/dis/upload_records'],
      ['user', Operation.OPERATION_UPLOAD, 'factory/user/line-2'],
    ]);
    expect([...edge.edgehub[2]!.content]).toEqual([0, 1, 2, 255]);
    expect(edge.devicetwin).toEqual([]);
  });

  it('publishes for modules and the cloud: publish, message and get_result auth_info reach apps', async () => {
    edge = await startTestEdge({ dataSource: tmp.file(), nodeName: 'node-a' });
    const client = await app();
    // '#' does not match topics starting with '$' (MQTT 3.1.1 §4.7.2).
    const received = await subscribeApp(client, '#');
    await client.subscribeAsync('$hw/#', { qos: 1 });
    const delta = deviceTopic('default', 'sensor-1', 'twin/update/delta');
    // devicetwin's publish (contract 3): group bus, content the payload bytes.
    await edge.send(busRequest('publish', delta, '{"delta":{"t":"1"}}', { group: 'bus', source: 'devicetwin' }));
    // The cloud's publish with a JSON string content: published as the string itself.
    await edge.send(busRequest('publish', 'cloud/notice', jsonContent('hello edge').content, { contentType: 'application/json' }));
    await edge.send(busRequest('message', '', JSON.stringify({ message: { topic: 'rules/out', data: 'x' } })));
    await edge.send(busRequest('get_result', 'auth_info', '{"ak":"k"}'));

    await eventually(() => received.length === 4);
    expect(received.map((r) => [r.topic, r.payload.toString()])).toEqual([
      [delta, '{"delta":{"t":"1"}}'],
      ['cloud/notice', 'hello edge'],
      ['rules/out', '{"topic":"rules/out","data":"x"}'],
      ['$hw/events/node/node-a/authInfo/get/result', '{"ak":"k"}'],
    ]);
    expect(await edge.counter('eventbus_mqtt_published_total', { broker: 'internal' })).toBe(4);
  });

  it("answers a sync publish request with OK, and never takes its own publishes back (no loop to the cloud)", async () => {
    edge = await startTestEdge({ dataSource: tmp.file() });
    const client = await app();
    const received = await subscribeApp(client, '$hw/events/upload/#');
    const answer = await edge.sendSync(busRequest('publish', '$hw/events/upload/loop', 'once'));
    expect(answer.route!.operation).toBe(Operation.OPERATION_RESPONSE);
    await eventually(() => received.length === 1);
    await sleep(200);
    expect(edge.edgehub).toEqual([]);
  });

  it('publishes with mqttQOS and mqttRetain: a retained message reaches a later subscriber', async () => {
    edge = await startTestEdge({ dataSource: tmp.file(), config: { mqttQOS: 1, mqttRetain: true } });
    await edge.send(busRequest('publish', 'state/door', 'open', { group: 'bus', source: 'devicetwin' }));
    await eventually(async () => (await edge!.counter('eventbus_mqtt_published_total', { broker: 'internal' })) === 1);
    const late = await app();
    const received = await subscribeApp(late, 'state/#');
    await eventually(() => received.length === 1);
    expect(received[0]).toMatchObject({ topic: 'state/door', retain: true });
    expect(received[0]!.payload.toString()).toBe('open');
  });

  it('keeps at most mqttSessionQueueSize messages for an offline app with a persistent session, and says so once', async () => {
    const logs = captureLog();
    edge = await startTestEdge({ dataSource: tmp.file(), config: { mqttQOS: 1, mqttSessionQueueSize: 5 }, log: logs.log });
    const url = await edge.internalUrl();
    const first = await connectApp(url, { clientId: 'app-persistent', clean: false });
    await first.subscribeAsync('queue/#', { qos: 1 });
    await first.endAsync();

    for (let i = 0; i < 8; i++) await edge.send(busRequest('publish', `queue/${i}`, String(i), { group: 'bus' }));
    await eventually(async () => (await edge!.counter('eventbus_mqtt_published_total', { broker: 'internal' })) === 8);

    const back = await connectApp(url, { clientId: 'app-persistent', clean: false });
    apps.push(back);
    const received: string[] = [];
    back.on('message', (_topic, payload) => received.push(payload.toString()));
    await eventually(() => received.length === 5);
    await sleep(200);
    expect(received).toEqual(['0', '1', '2', '3', '4']);
    expect(await edge.counter('eventbus_dropped_total', { reason: 'session_queue_full' })).toBe(3);
    const warned = logs.warnings('mqttSessionQueueSize');
    expect(warned).toHaveLength(1);
    expect(warned[0]!.msg).toContain('app-persistent');
  });

  it('logs once, and keeps serving, when devicetwin is not running', async () => {
    const logs = captureLog();
    edge = await startTestEdge({ dataSource: tmp.file(), devicetwin: false, log: logs.log });
    const client = await app();
    for (let i = 0; i < 5; i++) await client.publishAsync(deviceTopic('default', 'd1', 'twin/update'), '{}', { qos: 1 });
    await client.publishAsync('$hw/events/upload/still', 'works', { qos: 1 });

    await eventually(() => edge!.edgehub.length === 1);
    expect(await edge.counter('eventbus_dropped_total', { reason: 'no_receiver' })).toBe(5);
    const warned = logs.warnings('devicetwin is not running');
    expect(warned).toHaveLength(1);
    expect(warned[0]!.msg).toContain('modules.deviceTwin.enable: true');
    expect(edge.runtime.moduleStates().eventbus).toBe('running');
  });

  it('fails to start with a clear error when mqttServerInternal is taken', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const port = (squatter.address() as { port: number }).port;
    try {
      edge = await startTestEdge({ dataSource: tmp.file(), config: { mqttServerInternal: `tcp://127.0.0.1:${port}` } });
      const failure = await edge.runtime.failed.catch((error: Error) => error);
      const cause = (failure as Error & { cause?: Error & { code?: string } }).cause!;
      expect(cause.code).toBe('LISTEN_FAILED');
      expect(cause.message).toContain(`modules.eventBus.mqttServerInternal tcp://127.0.0.1:${port}: the port is already in use`);
      expect(cause.message).toContain('mqttMode: external');
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
