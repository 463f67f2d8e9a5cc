/**
 * mqttMode external and both, against a real mosquitto started by pkg/mosquitto: messages both ways, broker loss
 * (SIGKILL) with QoS 1 publishes queued and all delivered after the restart, and the first-run experience with no
 * broker at all.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { deviceTopic } from '../../pkg/devices';
import { checkMosquittoInstalled, freePort, startMosquitto, type RunningMosquitto } from '../../pkg/mosquitto';
import {
  busRequest,
  captureLog,
  connectApp,
  eventually,
  sleep,
  startTestEdge,
  subscribeApp,
  tempDir,
  untilSubscribed,
  type TestEdge,
} from './testing/edge';

describe('eventbus, external broker (mosquitto)', () => {
  const tmp = tempDir();
  let edge: TestEdge | undefined;
  const brokers: RunningMosquitto[] = [];
  const apps: MqttClient[] = [];
  beforeAll(() => checkMosquittoInstalled()); // fails naming pkg/mosquitto/install.sh when mosquitto is missing
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.endAsync(true)));
    await edge?.stop();
    edge = undefined;
    await Promise.all(brokers.splice(0).map((broker) => broker.stop()));
  });
  afterAll(() => tmp.cleanup());

  async function mosquitto(port = 0, dir = join(tmp.dir, `mosquitto-${brokers.length}-${Date.now()}`)): Promise<RunningMosquitto> {
    const broker = await startMosquitto({ dir, port });
    brokers.push(broker);
    return broker;
  }

  /** mosquitto saved its database (sessions included) after `ms` (start.sh sets autosave_interval 1). */
  function savedSince(broker: RunningMosquitto, ms: number): boolean {
    try {
      return statSync(join(broker.dir, 'mosquitto.db')).mtimeMs > ms;
    } catch {
      return false;
    }
  }

  async function app(url: string, options = {}): Promise<MqttClient> {
    const client = await connectApp(url, options);
    apps.push(client);
    return client;
  }

  it('takes twin and upload topics from mosquitto, publishes on it, with KubeEdge client ids', async () => {
    const broker = await mosquitto();
    edge = await startTestEdge({ dataSource: tmp.file(), nodeName: 'edge-ext', config: { mqttMode: 'external', mqttServerExternal: broker.url } });
    await eventually(async () => (await edge!.counter('eventbus_broker_connected', { broker: 'external' })) === 1);
    const client = await app(broker.url);
    const received = await subscribeApp(client, 'out/#');
    await untilSubscribed(client, edge);

    const twin = deviceTopic('ns1', 'lamp', 'twin/get');
    await client.publishAsync(twin, '{"event_id":"1"}', { qos: 1 });
    await client.publishAsync('$hw/events/upload/meter', 'kWh=3', { qos: 1 });
    await eventually(() => edge!.devicetwin.length === 1 && edge!.edgehub.length === 1);
    expect(edge.devicetwin[0]!.route!.resource).toBe(twin);
    expect(edge.edgehub[0]!.content.toString()).toBe('kWh=3');

    await edge.send(busRequest('publish', 'out/1', 'to the app', { group: 'bus', source: 'devicetwin' }));
    await eventually(() => received.length === 1);
    expect(received[0]!.payload.toString()).toBe('to the app');

    const log = readFileSync(join(broker.dir, 'mosquitto.log'), 'utf8');
    expect(log).toContain('as hub-client-sub-edge-ext (p2, c0');
    expect(log).toContain('as hub-client-pub-edge-ext (p2, c0');
  });

  it('loses no QoS 1 publish when the broker is killed and comes back on the same port', async () => {
    const broker = await mosquitto();
    const logs = captureLog();
    edge = await startTestEdge({
      dataSource: tmp.file(),
      nodeName: 'edge-loss',
      config: { mqttMode: 'external', mqttServerExternal: broker.url, mqttQOS: 1 },
      log: logs.log,
    });
    await eventually(async () => (await edge!.counter('eventbus_broker_connected', { broker: 'external' })) === 1);
    // The app keeps a persistent session, saved by mosquitto before the crash (it saves every 1-2 s).
    const reader = await app(broker.url, { clientId: 'reader', clean: false });
    await reader.subscribeAsync('loss/#', { qos: 1 });
    await reader.endAsync();
    const subscribedAt = Date.now();
    await eventually(() => savedSince(broker, subscribedAt), 5_000, 'mosquitto to save its sessions');

    await broker.kill();
    await eventually(async () => (await edge!.counter('eventbus_broker_connected', { broker: 'external' })) === 0);
    const count = 50;
    for (let i = 0; i < count; i++) await edge.send(busRequest('publish', `loss/${i}`, String(i), { group: 'bus' }));
    await sleep(300); // some reconnect attempts fail meanwhile
    expect(await edge.counter('eventbus_mqtt_published_total', { broker: 'external' })).toBe(0);

    const again = await mosquitto(broker.port, broker.dir);
    const received: string[] = [];
    const back = (await import('mqtt')).default.connect(again.url, { clientId: 'reader', clean: false, reconnectPeriod: 100 });
    apps.push(back);
    back.on('message', (_topic, payload) => received.push(payload.toString()));
    await eventually(() => received.length >= count, 15_000, `all ${count} messages`);
    expect([...new Set(received)].sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: count }, (_, i) => String(i)));
    expect(await edge.counter('eventbus_mqtt_published_total', { broker: 'external' })).toBe(count);
    expect(await edge.counter('eventbus_dropped_total', { reason: 'queue_full' })).toBe(0);

    // The subscriptions came back too: an app's message after the restart reaches devicetwin.
    const device = await app(again.url);
    await untilSubscribed(device, edge);
    await device.publishAsync(deviceTopic('default', 'd1', 'state/update'), '{"state":"online"}', { qos: 1 });
    await eventually(() => edge!.devicetwin.length === 1);
    // One warning for the loss, one info when back; the retries in between said nothing above debug.
    expect(logs.warnings('lost the connection to the external MQTT broker')).toHaveLength(1);
    expect(logs.warnings()).toHaveLength(1);
    expect(logs.lines.filter((line) => String(line.msg).startsWith('connected to the external MQTT broker'))).toHaveLength(2);
  }, 40_000);

  it('with no broker: one clear warning naming mqttServerExternal and both fixes, quiet retries, then works once it starts', async () => {
    const port = await freePort();
    const url = `tcp://127.0.0.1:${port}`;
    const logs = captureLog();
    edge = await startTestEdge({
      dataSource: tmp.file(),
      nodeName: 'edge-first-run',
      config: { mqttMode: 'external', mqttServerExternal: url, mqttQOS: 1 },
      tuning: { reconnectInitialMs: 20, reconnectMaxMs: 100 },
      log: logs.log,
    });
    await eventually(() => logs.warnings().length > 0);
    await edge.send(busRequest('publish', 'early/1', 'sent before the broker existed', { group: 'bus' }));
    await sleep(1_500); // many retries
    const warnings = logs.warnings();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toContain(`modules.eventBus.mqttServerExternal ${url}`);
    expect(warnings[0]!.msg).toContain('ECONNREFUSED');
    expect(warnings[0]!.msg).toContain('start an MQTT broker there');
    expect(warnings[0]!.msg).toContain('modules.eventBus.mqttMode: internal');
    expect(edge.runtime.moduleStates().eventbus).toBe('running');

    const broker = await mosquitto(port);
    const received: string[] = [];
    const reader = await app(broker.url);
    reader.on('message', (_topic, payload) => received.push(payload.toString()));
    await reader.subscribeAsync('early/#', { qos: 1 });
    // The queued publish may go out before the reader subscribed; publish one more once connected.
    await eventually(async () => (await edge!.counter('eventbus_broker_connected', { broker: 'external' })) === 1, 5_000);
    await edge.send(busRequest('publish', 'early/2', 'after', { group: 'bus' }));
    await eventually(() => received.includes('after'));
    expect(await edge.counter('eventbus_mqtt_published_total', { broker: 'external' })).toBe(2);
    expect(logs.warnings()).toHaveLength(1);
  }, 30_000);

  it('bounds what waits for an absent broker: the newest publishes are refused, counted and reported', async () => {
    const logs = captureLog();
    edge = await startTestEdge({
      dataSource: tmp.file(),
      nodeName: 'edge-bound',
      config: { mqttMode: 'external', mqttServerExternal: `tcp://127.0.0.1:${await freePort()}`, mqttQOS: 1 },
      tuning: { maxPendingPublishes: 3, warningIntervalMs: 60_000 },
      log: logs.log,
    });
    for (let i = 0; i < 6; i++) await edge.send(busRequest('publish', `bound/${i}`, String(i), { group: 'bus' }));
    await eventually(async () => (await edge!.counter('eventbus_dropped_total', { reason: 'queue_full' })) === 3);
    expect(await edge.counter('eventbus_pending_publishes', { broker: 'external' })).toBe(3);
    const refused = logs.warnings('dropped a publish on bound/3');
    expect(refused).toHaveLength(1);
    expect(refused[0]!.msg).toContain('3 publishes already wait for the external broker');
    expect(refused[0]!.msg).toContain('(tuning.maxPendingPublishes)');
  });

  it('both: runs the internal broker and uses the external one; publishes reach both, messages come from both', async () => {
    const broker = await mosquitto();
    edge = await startTestEdge({ dataSource: tmp.file(), nodeName: 'edge-both', config: { mqttMode: 'both', mqttServerExternal: broker.url } });
    await eventually(async () => (await edge!.counter('eventbus_broker_connected', { broker: 'external' })) === 1);
    const onInternal = await app(await edge.internalUrl());
    const onExternal = await app(broker.url);
    const fromInternal = await subscribeApp(onInternal, 'both/#');
    const fromExternal = await subscribeApp(onExternal, 'both/#');
    await untilSubscribed(onExternal, edge);

    await edge.send(busRequest('publish', 'both/x', 'to everyone', { group: 'bus' }));
    await eventually(() => fromInternal.length === 1 && fromExternal.length === 1);

    const before = {
      internal: await edge.counter('eventbus_mqtt_received_total', { broker: 'internal' }),
      external: await edge.counter('eventbus_mqtt_received_total', { broker: 'external' }),
    };
    await onInternal.publishAsync(deviceTopic('default', 'a', 'twin/update'), 'from internal', { qos: 1 });
    await onExternal.publishAsync(deviceTopic('default', 'b', 'twin/update'), 'from external', { qos: 1 });
    await eventually(() => edge!.devicetwin.length === 2);
    expect(edge.devicetwin.map((m) => m.content.toString()).sort()).toEqual(['from external', 'from internal']);
    expect(await edge.counter('eventbus_mqtt_received_total', { broker: 'internal' })).toBe(before.internal + 1);
    expect(await edge.counter('eventbus_mqtt_received_total', { broker: 'external' })).toBe(before.external + 1);
  });
});
