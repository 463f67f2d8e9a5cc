/** Cloud-to-edge delivery: dispatch by group, and Acks that follow the receiving module's answer. */
import { Operation } from '../../pkg/message';
import { FakeCloud, waitUntil, type FakeSession } from './testing/fake-cloud';
import { downstreamMessage, startEdge, type EdgeHarness } from './testing/edge-harness';
import { createTlsFixture, type TlsFixture } from './testing/tls-fixture';

let tls: TlsFixture;
let cloud: FakeCloud;
let edge: EdgeHarness;
let session: FakeSession;

beforeAll(async () => {
  tls = await createTlsFixture('edge-1');
});

afterAll(async () => {
  await tls.cleanup();
});

beforeEach(async () => {
  cloud = await FakeCloud.start(tls);
  edge = await startEdge({ tls, servers: [cloud.address], tuning: { dispatchTimeoutMs: 400 } });
  await edge.waitForState('connected');
  session = await cloud.session(0);
});

afterEach(async () => {
  await edge.stop();
  cloud.stop();
});

const ackFor = async (id: string): Promise<{ messageId: string; resourceVersion: string; error: string; at: number }> => {
  await waitUntil(() => session.acks().some((ack) => ack.messageId === id), 3000, `the Ack of ${id}`);
  return session.acks().find((ack) => ack.messageId === id)!;
};

describe('edgehub downstream', () => {
  it('delivers a versioned object to metamanager and Acks only after it answered', async () => {
    edge.meta.delayMs = 200;
    const message = downstreamMessage({ resourceVersion: '42' });
    session.sendMessage(message);

    const ack = await ackFor(message.header!.id);
    expect(ack).toMatchObject({ resourceVersion: '42', error: '' });
    const delivered = edge.meta.received.find(({ message: m }) => m.header?.id === message.header!.id)!;
    expect(delivered.message.header!.sync).toBe(true);
    expect(delivered.message.content).toEqual(message.content);
    expect(ack.at).toBeGreaterThanOrEqual(edge.meta.answeredAt.get(message.header!.id)!);
    expect(ack.at - delivered.at).toBeGreaterThanOrEqual(190);
    expect(await edge.metric('edgehub_acks_sent_total', { result: 'ok' })).toBe(1);
    expect(await edge.metric('edgehub_messages_down_total', { group: 'resource' })).toBe(1);
  });

  it('Acks a delete even without a resourceVersion', async () => {
    const message = downstreamMessage({ operation: 'delete' });
    session.sendMessage(message);
    expect(await ackFor(message.header!.id)).toMatchObject({ resourceVersion: '', error: '' });
  });

  it('sends an error Ack when metamanager answers with an error', async () => {
    edge.meta.answer = () => 'error';
    const message = downstreamMessage({ resourceVersion: '7' });
    session.sendMessage(message);
    const ack = await ackFor(message.header!.id);
    expect(ack.error).toBe('disk full: cannot store the object');
    expect(ack.resourceVersion).toBe('7');
    expect(await edge.metric('edgehub_acks_sent_total', { result: 'error' })).toBe(1);
  });

  it('sends an error Ack when metamanager does not answer in time, and ignores resends while it works', async () => {
    edge.meta.answer = () => 'ignore';
    const message = downstreamMessage({ resourceVersion: '8' });
    session.sendMessage(message);
    session.sendMessage(message); // the cloud's resend of the same message
    const ack = await ackFor(message.header!.id);
    expect(ack.error).toBe('metamanager did not answer within 400 ms');
    expect(edge.meta.received.filter(({ message: m }) => m.header?.id === message.header!.id)).toHaveLength(1);
    expect(session.acks()).toHaveLength(1);
  });

  it('sends an error Ack naming the setting when no module handles the group', async () => {
    const message = downstreamMessage({ group: 'twin', resource: 'device/d1/twin', resourceVersion: '3' });
    session.sendMessage(message);
    const ack = await ackFor(message.header!.id);
    expect(ack.error).toBe(
      'no edge module handles group "twin": devicetwin is not running (set modules.deviceTwin.enable: true)',
    );
  });

  it('hands messages that need no Ack to the module with a plain send, and sends no Ack', async () => {
    const query = downstreamMessage({ operation: 'query' });
    session.sendMessage(query);
    await waitUntil(
      () => edge.meta.received.some(({ message }) => message.header?.id === query.header!.id),
      2000,
      'the query to reach metamanager',
    );
    const delivered = edge.meta.received.find(({ message }) => message.header?.id === query.header!.id)!.message;
    expect(delivered.header!.sync).toBe(false);
    expect(delivered.route!.operation).toBe(Operation.OPERATION_QUERY);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(session.acks()).toHaveLength(0);
  });

  it('drops a message for a group without a module once with a warning, then quietly', async () => {
    session.sendMessage(downstreamMessage({ group: 'user', resource: 'router/topic' }));
    session.sendMessage(downstreamMessage({ group: 'user', resource: 'router/topic' }));
    session.sendMessage(downstreamMessage({ group: 'nonsense', resource: 'x/y' }));
    await waitUntil(() => edge.logs.some((l) => /group "nonsense"/.test(l.msg)), 2000, 'the unknown group warning');
    const warnings = edge.logs.filter((l) => l.level === 'warn' && /dropped a cloud message/.test(l.msg));
    expect(warnings.filter((l) => /eventbus/.test(l.msg))).toHaveLength(1);
    expect(edge.hub.state).toBe('connected');
  });

  it('refuses a message over maxMessageSize with an error Ack and keeps the stream', async () => {
    await edge.stop();
    cloud.stop();
    cloud = await FakeCloud.start(tls);
    edge = await startEdge({ tls, servers: [cloud.address], maxMessageSizeBytes: 4096 });
    await edge.waitForState('connected');
    session = await cloud.session(0);

    const big = downstreamMessage({ resourceVersion: '9' });
    big.content = Buffer.alloc(8192, 'x');
    session.sendMessage(big);
    const ack = await ackFor(big.header!.id);
    expect(ack.error).toMatch(/over the edge's limit of 4096 bytes \(modules.edgeHub.maxMessageSize\)/);
    expect(edge.meta.received.some(({ message }) => message.header?.id === big.header!.id)).toBe(false);
    expect(edge.hub.state).toBe('connected');
    expect(cloud.sessions).toHaveLength(1);
  });
});
