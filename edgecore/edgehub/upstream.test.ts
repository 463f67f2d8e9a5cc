/** Edge-to-cloud delivery: rate limit, sync queries, the offline buffer, refusals. */
import { jsonContent, newResponse, Operation, readErrorContent, readJsonContent, type Message } from '../../pkg/message';
import { FakeCloud, waitUntil } from './testing/fake-cloud';
import { startEdge, upstreamMessage, type EdgeHarness } from './testing/edge-harness';
import { createTlsFixture, type TlsFixture } from './testing/tls-fixture';

let tls: TlsFixture;
const clouds: FakeCloud[] = [];
let edge: EdgeHarness | undefined;

beforeAll(async () => {
  tls = await createTlsFixture('edge-1');
});

afterAll(async () => {
  await tls.cleanup();
});

afterEach(async () => {
  await edge?.stop();
  edge = undefined;
  for (const cloud of clouds.splice(0)) cloud.stop();
});

async function startCloud(port = 0): Promise<FakeCloud> {
  const cloud = await FakeCloud.start(tls, port);
  clouds.push(cloud);
  return cloud;
}

/** A sync query as metamanager sends one (runtime.sendSync sets header.sync). */
const query = (resource = 'default/configmap/cm1'): Message => {
  const message = upstreamMessage(resource);
  message.route!.operation = Operation.OPERATION_QUERY;
  return message;
};

/** A port nothing listens on. */
async function deadAddress(): Promise<string> {
  const cloud = await FakeCloud.start(tls);
  cloud.stop();
  return cloud.address;
}

describe('edgehub upstream', () => {
  it('sends what modules address to group hub, no faster than messageQPS after the burst', async () => {
    const cloud = await startCloud();
    edge = await startEdge({ tls, servers: [cloud.address], messageQPS: 20, messageBurst: 5 });
    await edge.waitForState('connected');
    const session = await cloud.session(0);

    const sent = Array.from({ length: 25 }, (_, i) => upstreamMessage(`default/pod/p${i}`));
    const started = Date.now();
    for (const message of sent) await edge.sendUp(message);
    await waitUntil(() => session.messages().length === 25, 5000, 'all 25 messages');
    const elapsedMs = Date.now() - started;
    // 5 at once, then 20 at 20 per second: one second, give or take scheduling.
    expect(elapsedMs).toBeGreaterThanOrEqual(900);
    expect(elapsedMs).toBeLessThan(2000);
    expect(session.messages().map((m) => m.header!.id)).toEqual(sent.map((m) => m.header!.id));
    // Most of the 20 beyond the burst wait; a late timer can leave enough credit for one to go at once.
    expect(await edge.metric('edgehub_rate_limit_waits_total')).toBeGreaterThanOrEqual(5);
    expect(await edge.metric('edgehub_messages_up_total')).toBe(25);
    await waitUntil(
      async () => (await edge!.metric('edgehub_acks_received_total', { result: 'ok' })) === 25,
      2000,
      'the Acks of all 25',
    );
  });

  it("answers a sync query with the cloud's response, matched by parent id", async () => {
    const cloud = await startCloud();
    cloud.onMessage = (message, session) => {
      if (message.route?.operation !== Operation.OPERATION_QUERY) return;
      session.sendMessage(newResponse(message, jsonContent({ kind: 'ConfigMap', data: { a: '1' } })));
    };
    edge = await startEdge({ tls, servers: [cloud.address] });
    await edge.waitForState('connected');

    const request = query();
    const answer = await edge.query(request);
    expect(answer.route!.operation).toBe(Operation.OPERATION_RESPONSE);
    expect(answer.header!.parentId).toBe(request.header!.id);
    expect(readJsonContent(answer)).toEqual({ kind: 'ConfigMap', data: { a: '1' } });
    // The answer went to the asker, not to metamanager by group.
    expect(edge.meta.received.filter(({ message }) => message.header?.parentId === request.header!.id)).toEqual([]);
  });

  it('fails a sync query at once when the cloud refuses it with a negative Ack', async () => {
    const cloud = await startCloud();
    cloud.ackUpstream = () => 'no cloud module handles group resource (enable modules.edgeController)';
    edge = await startEdge({ tls, servers: [cloud.address] });
    await edge.waitForState('connected');

    const answer = await edge.query(query());
    expect(answer.route!.operation).toBe(Operation.OPERATION_ERROR);
    expect(readErrorContent(answer)).toEqual({
      message: 'cloudcore refused the request: no cloud module handles group resource (enable modules.edgeController)',
      code: 'CLOUD_REFUSED',
    });
    expect(await edge.metric('edgehub_acks_received_total', { result: 'error' })).toBe(1);
    expect(edge.logs.some((l) => l.level === 'warn' && /cloudcore refused an upstream message/.test(l.msg))).toBe(true);
  });

  it('fails a sync query when the cloud does not answer within queryTimeoutMs', async () => {
    const cloud = await startCloud();
    edge = await startEdge({ tls, servers: [cloud.address], tuning: { queryTimeoutMs: 300 } });
    await edge.waitForState('connected');
    const answer = await edge.query(query());
    expect(readErrorContent(answer)).toEqual({ message: 'cloudcore did not answer within 300 ms', code: 'QUERY_FAILED' });
  });

  it('answers a sync request with "cloud not connected" at once while offline', async () => {
    edge = await startEdge({ tls, servers: [await deadAddress()] });
    const started = Date.now();
    const answer = await edge.query(query());
    expect(Date.now() - started).toBeLessThan(200);
    expect(readErrorContent(answer)).toEqual({ message: 'cloud not connected', code: 'NOT_CONNECTED' });
    expect(await edge.metric('edgehub_refused_messages_total', { reason: 'not_connected' })).toBe(1);
  });

  it('buffers fire-and-forget messages while offline and sends them in order on reconnect', async () => {
    const cloud = await startCloud();
    const port = cloud.port;
    edge = await startEdge({ tls, servers: [cloud.address] });
    await edge.waitForState('connected');
    cloud.stop();
    await edge.waitForState('disconnected');

    const sent = [1, 2, 3].map((i) => upstreamMessage(`default/pod/p${i}`));
    for (const message of sent) await edge.sendUp(message);
    await waitUntil(async () => (await edge!.metric('edgehub_buffer_messages')) === 3, 1000, 'three buffered');

    const revived = await startCloud(port);
    const session = await revived.session(0, 5000);
    await waitUntil(() => session.messages().length === 3, 3000, 'the buffered messages');
    expect(session.messages().map((m) => m.header!.id)).toEqual(sent.map((m) => m.header!.id));
  });

  it('drops the oldest buffered message when the buffer is full, and counts it', async () => {
    const dead = await deadAddress();
    edge = await startEdge({ tls, servers: [dead], tuning: { bufferMaxMessages: 2 } });
    const sent = [1, 2, 3].map((i) => upstreamMessage(`default/pod/p${i}`));
    for (const message of sent) await edge.sendUp(message);
    await waitUntil(async () => (await edge!.metric('edgehub_buffer_dropped_total')) === 1, 1000, 'one dropped');

    const cloud = await startCloud(Number(dead.split(':')[1]));
    const session = await cloud.session(0, 5000);
    await waitUntil(() => session.messages().length === 2, 3000, 'the two kept messages');
    expect(session.messages().map((m) => m.route!.resource)).toEqual(['default/pod/p2', 'default/pod/p3']);
  });

  it('refuses a message over maxMessageSize to its sender, sync or not, and sends nothing', async () => {
    const cloud = await startCloud();
    edge = await startEdge({ tls, servers: [cloud.address], maxMessageSizeBytes: 4096 });
    await edge.waitForState('connected');
    const session = await cloud.session(0);

    const big = query();
    big.content = Buffer.alloc(5000, 'x');
    const answer = await edge.query(big);
    expect(readErrorContent(answer).message).toMatch(/over modules.edgeHub.maxMessageSize \(4096\)/);

    const bigAsync = upstreamMessage('default/pod/big', { blob: 'y'.repeat(5000) });
    await edge.sendUp(bigAsync);
    await waitUntil(() => edge!.probe.received.length === 1, 2000, 'the error response to the probe');
    const refusal = edge.probe.received[0]!.message;
    expect(refusal.route!.operation).toBe(Operation.OPERATION_ERROR);
    expect(refusal.header!.parentId).toBe(bigAsync.header!.id);
    expect(readErrorContent(refusal).code).toBe('REFUSED');

    expect(session.messages()).toHaveLength(0);
    expect(await edge.metric('edgehub_refused_messages_total', { reason: 'too_large' })).toBe(2);
  });

  it('refuses a message that breaks the envelope contract, naming the field', async () => {
    const cloud = await startCloud();
    edge = await startEdge({ tls, servers: [cloud.address] });
    await edge.waitForState('connected');
    const bad = query('');
    const answer = await edge.query(bad);
    expect(readErrorContent(answer).message).toMatch(/^invalid message for the cloud: route.resource: is empty/);
  });

  it('fails a waiting sync query when the connection drops', async () => {
    const cloud = await startCloud();
    edge = await startEdge({ tls, servers: [cloud.address] });
    await edge.waitForState('connected');
    cloud.onMessage = () => cloud.stop();
    const answer = await edge.query(query());
    expect(readErrorContent(answer).code).toBe('CONNECTION_LOST');
  });
});
