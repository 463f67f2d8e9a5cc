/** Push methods against a real MQTT broker (aedes in its own process) and a real HTTP server. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import mqtt from 'mqtt';
import { startBroker, type Broker } from './testing/broker';
import { startHarness, sleep, type Harness } from './testing/harness';
import { MemoryDevice, memoryDriver } from './testing/memory-driver';
import { deviceProto, modelProto } from './testing/protos';
import type { PushMethod } from '../../gen/kubeedge/dmi/v1beta1/api';

const model = modelProto('thermo-model', [{ name: 'temperature', type: 'FLOAT', accessMode: 'ReadOnly' }]);
const device = (pushMethod: PushMethod) =>
  deviceProto({
    name: 'thermo-1',
    model: 'thermo-model',
    protocol: 'memory',
    protocolConfig: { device: 'd1' },
    properties: [{ name: 'temperature', visitor: { key: 't', scale: 0.1 }, collectCycle: 100, reportToCloud: false, pushMethod }],
  });

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function mapperWith(pushMethod: PushMethod): Promise<{ harness: Harness<unknown, unknown>; memory: MemoryDevice }> {
  const memory = new MemoryDevice();
  memory.values.set('t', 215);
  const harness = (await startHarness({ driver: memoryDriver(new Map([['d1', memory]])), devices: [device(pushMethod)], models: [model] })) as Harness<unknown, unknown>;
  cleanups.push(() => harness.stop());
  return { harness, memory };
}

async function subscribe(broker: Broker, topic: string): Promise<{ messages: { payload: Record<string, unknown>; retain: boolean; qos: number }[] }> {
  const client = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
  cleanups.push(() => client.endAsync(true));
  const messages: { payload: Record<string, unknown>; retain: boolean; qos: number }[] = [];
  client.on('message', (_topic, payload, packet) => messages.push({ payload: JSON.parse(payload.toString()) as Record<string, unknown>, retain: packet.retain, qos: packet.qos }));
  await client.subscribeAsync(topic, { qos: 1 });
  return { messages };
}

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

test('every collected value is published to the MQTT broker as a DataModel, with the QoS asked', async () => {
  const broker = await startBroker();
  cleanups.push(() => broker.stop());
  const subscriber = await subscribe(broker, 'devices/thermo-1/temperature');
  const { harness, memory } = await mapperWith({ mqtt: { address: broker.url, topic: 'devices/thermo-1/temperature', qos: 1, retained: false } });
  await until('3 messages', () => subscriber.messages.length >= 3);
  expect(harness.logged('MQTT broker for push is not reachable')).toEqual([]);
  expect(subscriber.messages[0]?.payload).toEqual({
    namespace: 'default',
    deviceName: 'thermo-1',
    propertyName: 'temperature',
    value: '21.5',
    type: 'float',
    timeStamp: expect.any(Number),
  });
  expect(subscriber.messages[0]?.qos).toBe(1);
  memory.values.set('t', 250);
  await until('the new value', () => subscriber.messages.some((message) => message.payload.value === '25'));
});

test('retained values reach a subscriber that comes later', async () => {
  const broker = await startBroker();
  cleanups.push(() => broker.stop());
  await mapperWith({ mqtt: { address: broker.url, topic: 'devices/retained', qos: 0, retained: true } });
  await sleep(400);
  const late = await subscribe(broker, 'devices/retained');
  await until('the retained value', () => late.messages.some((message) => message.retain));
});

test('a broker that is down is logged once; pushes resume when it is up, collection never stops', async () => {
  const probe = await startBroker();
  const port = probe.port;
  await probe.stop();
  const { harness, memory } = await mapperWith({ mqtt: { address: `mqtt://127.0.0.1:${port}`, topic: 'devices/late', qos: 0, retained: false } });
  await sleep(700);
  expect(harness.logged('MQTT broker for push is not reachable')).toHaveLength(1);
  const reads = memory.reads.length;
  expect(reads).toBeGreaterThan(4);
  const broker = await startBroker(port);
  cleanups.push(() => broker.stop());
  const subscriber = await subscribe(broker, 'devices/late');
  await until('pushes after the broker came up', () => subscriber.messages.length > 0, 8000);
});

test('every collected value is POSTed to the HTTP endpoint; a slow endpoint is timed out and logged once', async () => {
  const bodies: Record<string, unknown>[] = [];
  let slow = false;
  const server: Server = createServer((request: IncomingMessage, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      if (slow) return void setTimeout(() => response.end(), 1000);
      bodies.push({ path: request.url, method: request.method, contentType: request.headers['content-type'], ...(JSON.parse(text) as Record<string, unknown>) });
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }));
  const { port } = server.address() as AddressInfo;
  const { harness, memory } = await mapperWith({ http: { hostname: 'http://127.0.0.1', port, requestpath: '/ingest', timeout: 200 } });
  await until('2 posts', () => bodies.length >= 2);
  expect(bodies[0]).toMatchObject({ path: '/ingest', method: 'POST', contentType: 'application/json', deviceName: 'thermo-1', propertyName: 'temperature', value: '21.5' });

  slow = true;
  await sleep(800);
  expect(harness.logged('HTTP push failed').map((line) => line.reason)).toEqual(['no answer within 200 ms']);
  const reads = memory.reads.length;
  await sleep(300);
  expect(memory.reads.length).toBeGreaterThan(reads);
});

test('a push method that cannot work refuses the device, naming the field', async () => {
  const memory = new MemoryDevice();
  const harness = (await startHarness({ driver: memoryDriver(new Map([['d1', memory]])), models: [model] })) as Harness<unknown, unknown>;
  cleanups.push(() => harness.stop());
  const bad = device({ mqtt: { address: 'localhost:1883', topic: 'a/#', qos: 3, retained: false }, http: { hostname: 'ftp://x', port: 0, requestpath: '', timeout: -1 } });
  await expect(harness.peer.call(harness.peer.mapper().registerDevice, { device: bad })).rejects.toMatchObject({
    details: expect.stringContaining('spec.properties[0].pushMethod.mqtt.address: "localhost:1883" is not a broker URL; write one such as mqtt://127.0.0.1:1883'),
  });
  await expect(harness.peer.call(harness.peer.mapper().registerDevice, { device: bad })).rejects.toMatchObject({
    details: expect.stringMatching(/mqtt\.topic: "a\/#" cannot be published to.*mqtt\.qos: 3 is not a QoS.*http\.hostName: "ftp:\/\/x" is not a host.*http\.port: 0 is not a port.*http\.timeout: -1 is negative/),
  });
});
