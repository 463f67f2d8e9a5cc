/** Reliable delivery end to end: acks, resends, back-off, coalescing, ObjectSync versions, back-pressure. */
import { readErrorContent, newMessage, jsonContent, Operation, type Message } from '../../pkg/message';
import { Harness } from './testing/harness';
import { down } from './testing/messages';
import { TestPki } from './testing/pki';
import { eventually, eventuallyAsync } from './testing/wait';

const RESEND_MS = 150;
let pki: TestPki;
let harness: Harness;
const delivered: string[] = [];
const recorded = new Map<string, string>();

beforeAll(async () => {
  pki = await TestPki.create();
  harness = await Harness.start(pki, {
    delivery: { resendIntervalMs: RESEND_MS, maxSends: 3, requeueInitialMs: 400, requeueMaxMs: 400 },
    onDelivered: async (node, message) => void delivered.push(`${node}:${message.route!.resource}@${message.header!.resourceVersion}`),
    deliveredVersion: (node, uid) => recorded.get(`${node}/${uid}`),
  });
});
afterAll(() => harness.stop());

const sendsOf = (messages: Message[], id: string) => messages.filter((m) => m.header!.id === id).length;
const label = (m: Message) => `${m.route!.resource}@${m.header!.resourceVersion}${m.route!.operation === Operation.OPERATION_DELETE ? ' (delete)' : ''}`;

describe('delivery with acks', () => {
  it('resends an unacked message every resendIntervalMs up to maxSends, then requeues it with back-off until acked', async () => {
    const edge = await harness.connected('resend');
    const pod = down({ node: 'resend', resource: 'default/pod/p', resourceVersion: '3' });
    const arrivals: number[] = [];
    const id = pod.header!.id;
    await harness.sendDown(pod);
    await eventually(() => sendsOf(edge.messages(), id) === 3, 3000, 'three sends');
    arrivals.push(Date.now());
    // After the third send the message waits out the back-off (400 ms) before a fourth.
    await eventually(() => sendsOf(edge.messages(), id) === 4, 3000, 'a send after the back-off');
    expect(Date.now() - arrivals[0]!).toBeGreaterThanOrEqual(300);
    expect(await harness.metric('cloudhub_requeues_total')).toBeGreaterThanOrEqual(1);
    expect(await harness.metric('cloudhub_resends_total')).toBeGreaterThanOrEqual(2);
    edge.ack(pod);
    await eventually(() => delivered.includes('resend:node/resend/default/pod/p@3'));
    const sends = sendsOf(edge.messages(), id);
    await new Promise((resolve) => setTimeout(resolve, RESEND_MS * 3));
    expect(sendsOf(edge.messages(), id)).toBe(sends);
    edge.close();
  });

  it('requeues after a negative ack and delivers after a later positive one', async () => {
    const edge = await harness.connected('nack');
    const pod = down({ node: 'nack', resource: 'default/pod/p', resourceVersion: '8' });
    await harness.sendDown(pod);
    const first = await edge.message((m) => m.header!.id === pod.header!.id);
    const nackedAt = Date.now();
    edge.ack(first, 'database is locked');
    await eventually(() => sendsOf(edge.messages(), pod.header!.id) === 2, 3000, 'a send after the negative ack');
    expect(Date.now() - nackedAt).toBeGreaterThanOrEqual(250); // 400 ms back-off, up to 20% jitter
    expect(await harness.metric('cloudhub_acks_received_total', { result: 'error' })).toBe(1);
    edge.ack(first);
    await eventually(() => delivered.includes('nack:node/nack/default/pod/p@8'));
    edge.close();
  });

  it('keeps several objects in flight, but never two messages for one object', async () => {
    const edge = await harness.connected('window');
    const a1 = down({ node: 'window', resource: 'default/pod/a', resourceVersion: '1' });
    const b1 = down({ node: 'window', resource: 'default/pod/b', resourceVersion: '1' });
    const a2 = down({ node: 'window', resource: 'default/pod/a', resourceVersion: '2' });
    for (const m of [a1, b1, a2]) await harness.sendDown(m);
    await edge.message((m) => m.header!.id === b1.header!.id);
    expect(edge.messages().map(label)).toEqual(['default/pod/a@1', 'default/pod/b@1']);
    edge.ack(a1);
    await edge.message((m) => m.header!.id === a2.header!.id);
    edge.ack(a2);
    edge.ack(b1);
    await eventually(() => delivered.filter((d) => d.startsWith('window:')).length === 3);
    edge.close();
  });
});

describe('queues of nodes not connected here', () => {
  it('are coalesced while the node is away and flushed, newest versions and deletes, when it connects', async () => {
    const send = (resource: string, resourceVersion: string, operation: 'update' | 'delete' = 'update') =>
      harness.sendDown(down({ node: 'away', resource, resourceVersion, operation }));
    const coalescedBefore = await harness.metric('cloudhub_dropped_messages_total', { reason: 'coalesced' });
    await send('default/pod/a', '1');
    await send('default/pod/a', '2');
    await send('default/pod/a', '3');
    await send('default/pod/b', '1');
    await send('default/configmap/c', '4');
    await send('default/configmap/c', '5', 'delete');
    // Messages without ack are not kept for nodes that are away.
    await harness.sendDown(down({ node: 'away', resource: 'default/pod/x', group: 'user' }));
    const metric = (name: string, labels: Record<string, string>, value: number) =>
      eventuallyAsync(async () => (await harness.metric(name, labels)) === value, 3000, `${name} ${JSON.stringify(labels)} = ${value}`);
    await metric('cloudhub_dropped_messages_total', { reason: 'not_connected' }, 1);
    await metric('cloudhub_dropped_messages_total', { reason: 'coalesced' }, coalescedBefore + 3);
    await metric('cloudhub_queue_length', { state: 'pending' }, 3);

    const edge = await harness.connected('away');
    await eventually(() => edge.messages().length === 3);
    expect(edge.messages().map(label)).toEqual(['default/pod/a@3', 'default/pod/b@1', 'default/configmap/c@5 (delete)']);
    for (const m of edge.messages()) edge.ack(m);
    await eventually(() => delivered.filter((d) => d.startsWith('away:')).length === 3);
    edge.close();
  });

  it('resends what was in flight on the next stream after a reconnect', async () => {
    const first = await harness.connected('flaky');
    const pod = down({ node: 'flaky', resource: 'default/pod/p', resourceVersion: '1' });
    await harness.sendDown(pod);
    await first.message((m) => m.header!.id === pod.header!.id);
    first.close();
    await eventually(() => !harness.cloudhub.connectedNodes().includes('flaky'));
    const second = await harness.connected('flaky');
    const again = await second.message((m) => m.header!.id === pod.header!.id);
    second.ack(again);
    await eventually(() => delivered.includes('flaky:node/flaky/default/pod/p@1'));
    second.close();
  });
});

describe('what is never sent', () => {
  it('drops a message not newer than what ObjectSync says the node has', async () => {
    const edge = await harness.connected('synced');
    recorded.set('synced/uid-1', '10');
    const old = down({ node: 'synced', resource: 'default/pod/p', resourceVersion: '10', uid: 'uid-1' });
    const fresh = down({ node: 'synced', resource: 'default/pod/p', resourceVersion: '11', uid: 'uid-1' });
    const staleBefore = await harness.metric('cloudhub_dropped_messages_total', { reason: 'stale' });
    await harness.sendDown(old);
    await harness.sendDown(fresh);
    await edge.message((m) => m.header!.id === fresh.header!.id);
    expect(edge.messages().map(label)).toEqual(['default/pod/p@11']);
    // Messages are handled in order, so the first was dropped by the time the second arrived.
    expect(await harness.metric('cloudhub_dropped_messages_total', { reason: 'stale' })).toBe(staleBefore + 1);
    edge.ack(fresh);
    await eventually(() => delivered.includes('synced:node/synced/default/pod/p@11'));
    edge.close();
  });

  it('answers a waiting sender with an error naming the problem for a resource without a node', async () => {
    const sender = harness.module('edgecontroller').ctx!;
    const bad = newMessage({ source: 'edgecontroller', group: 'resource', operation: 'update', resource: 'default/pod/p', resourceVersion: '1' });
    const answer = await sender.sendSync('cloudhub', bad, 2000);
    expect(answer.route!.operation).toBe(Operation.OPERATION_ERROR);
    expect(readErrorContent(answer).message).toBe('route.resource "default/pod/p" does not start with node/<node name>/');
    const huge = down({ node: 'n', resource: 'default/configmap/big', resourceVersion: '1', content: { data: 'x'.repeat(70_000) } });
    const tooLarge = await sender.sendSync('cloudhub', huge, 2000);
    expect(readErrorContent(tooLarge).message).toMatch(/^content of node\/n\/default\/configmap\/big is \d+ bytes, over modules\.cloudHub\.maxMessageSize \(65536\)$/);
  });
});

describe('answers to edge queries', () => {
  it('go to the node named in the resource, prefix stripped, without waiting for an ack', async () => {
    const edge = await harness.connected('asker');
    const answer = newMessage({
      source: 'edgecontroller',
      group: 'resource',
      operation: 'response',
      resource: 'node/asker/default/configmap/c',
      resourceVersion: '7',
      ...jsonContent({ data: { k: 'v' } }),
    });
    answer.header!.parentId = 'query-1';
    await harness.sendDown(answer);
    const received = await edge.message((m) => m.header!.id === answer.header!.id);
    expect(received.route!.resource).toBe('default/configmap/c');
    expect(received.header!.parentId).toBe('query-1');
    await new Promise((resolve) => setTimeout(resolve, RESEND_MS * 2));
    expect(sendsOf(edge.messages(), answer.header!.id)).toBe(1);
    edge.close();
  });
});

describe('back-pressure', () => {
  const bulk = (node: string, i: number) =>
    down({ node, resource: `default/configmap/c${i}`, group: 'user', content: { i, data: 'x'.repeat(30_000) } });

  it('stops writing while the edge does not read, and carries on in order when it does', async () => {
    const edge = await harness.connected('slow');
    edge.pause();
    for (let i = 0; i < 100; i++) await harness.sendDown(bulk('slow', i));
    await eventuallyAsync(async () => (await harness.metric('cloudhub_blocked_sessions')) === 1, 3000, 'a blocked session');
    expect(edge.messages().length).toBeLessThan(100);
    edge.resume();
    await eventually(() => edge.messages().length === 100, 5000, 'all 100 messages');
    expect(edge.messages().map((m) => m.route!.resource)).toEqual(Array.from({ length: 100 }, (_, i) => `default/configmap/c${i}`));
    expect(await harness.metric('cloudhub_blocked_sessions')).toBe(0);
    edge.close();
  });

  it('ends a session whose edge reads nothing for writeTimeout', async () => {
    const strict = await Harness.start(pki, { settings: { writeTimeoutMs: 400 } });
    try {
      const edge = await strict.connected('stuck');
      edge.pause();
      for (let i = 0; i < 100; i++) await strict.sendDown(bulk('stuck', i));
      await eventually(() => !strict.cloudhub.connectedNodes().includes('stuck'), 3000, 'the stuck session to end');
      expect(await strict.metric('cloudhub_sessions_ended_total', { reason: 'write_timeout' })).toBe(1);
    } finally {
      await strict.stop();
    }
  });
});
