/** Topics the cloud subscribes: kept in sub_topics of the edge's SQLite file, alongside metamanager's tables. */
import type { MqttClient } from 'mqtt';
import knexFactory from 'knex';
import { openMetaStore } from '../metamanager';
import { EVENTBUS_TOPICS } from '../../pkg/devices';
import { Operation } from '../../pkg/message';
import { busRequest, connectApp, eventually, silentLog, sleep, startTestEdge, tempDir, type TestEdge } from './testing/edge';

describe('eventbus sub_topics', () => {
  const tmp = tempDir();
  let edge: TestEdge | undefined;
  const apps: MqttClient[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.endAsync(true)));
    await edge?.stop();
    edge = undefined;
  });
  afterAll(() => tmp.cleanup());

  async function app(): Promise<MqttClient> {
    const client = await connectApp(await edge!.internalUrl());
    apps.push(client);
    return client;
  }

  async function storedTopics(file: string): Promise<string[]> {
    const knex = knexFactory({ client: 'sqlite3', connection: { filename: file }, useNullAsDefault: true });
    try {
      return (await knex('sub_topics').select<{ topic: string }[]>('topic').orderBy('topic')).map((row) => row.topic);
    } finally {
      await knex.destroy();
    }
  }

  it('subscribes for the cloud, keeps the topic across a restart, and unsubscribes', async () => {
    const file = tmp.file();
    edge = await startTestEdge({ dataSource: file });
    const answer = await edge.sendSync(busRequest('subscribe', 'router/+/events'));
    expect(answer.route!.operation).toBe(Operation.OPERATION_RESPONSE);
    await edge.send(busRequest('subscribe', 'plain/topic'));
    await edge.sendSync(busRequest('subscribe', 'plain/topic')); // a repeat changes nothing
    expect(await storedTopics(file)).toEqual(['plain/topic', 'router/+/events']);
    await edge.stop();

    // A new module on the same file: the topics are subscribed again at start.
    edge = await startTestEdge({ dataSource: file });
    const client = await app();
    await client.publishAsync('router/r1/events', 'e1', { qos: 1 });
    await client.publishAsync('plain/topic', 'p1', { qos: 1 });
    await eventually(() => edge!.edgehub.length === 2);
    expect(edge.edgehub.map((m) => [m.route!.operation, m.route!.resource, m.content.toString()])).toEqual([
      [Operation.OPERATION_UPLOAD, 'router/r1/events', 'e1'],
      [Operation.OPERATION_UPLOAD, 'plain/topic', 'p1'],
    ]);
    expect(await edge.counter('eventbus_subscriptions')).toBe(EVENTBUS_TOPICS.length + 2);

    await edge.send(busRequest('unsubscribe', 'router/+/events'));
    await eventually(async () => (await storedTopics(file)).length === 1);
    await client.publishAsync('router/r1/events', 'e2', { qos: 1 });
    await client.publishAsync('plain/topic', 'p2', { qos: 1 });
    await eventually(() => edge!.edgehub.length === 3);
    await sleep(100);
    expect(edge.edgehub[2]!.content.toString()).toBe('p2');
  });

  it("never drops KubeEdge's own topics on an unsubscribe", async () => {
    edge = await startTestEdge({ dataSource: tmp.file() });
    await edge.send(busRequest('unsubscribe', '$hw/events/upload/#'));
    const client = await app();
    await client.publishAsync('$hw/events/upload/x', 'still', { qos: 1 });
    await eventually(() => edge!.edgehub.length === 1);
  });

  it("shares the edge's SQLite file with metamanager without touching its tables", async () => {
    const file = tmp.file();
    const meta = await openMetaStore({ dataSource: file, log: silentLog });
    try {
      edge = await startTestEdge({ dataSource: file });
      await edge.sendSync(busRequest('subscribe', 'shared/file'));
      expect(await storedTopics(file)).toEqual(['shared/file']);
      await edge.stop();
    } finally {
      await meta.close();
    }
    // metamanager opens the file again after eventbus added its tables (it checks the file is its own).
    const again = await openMetaStore({ dataSource: file, log: silentLog });
    await again.close();
  });
});
