/** The tunnel over real gRPC and mutual TLS on 127.0.0.1: who may connect, sessions, keepalives, routing. */
import { status } from '@grpc/grpc-js';
import { Operation, type Message } from '../../pkg/message';
import { createCA, type KeyPairPem } from '../../pkg/pki';
import { Harness } from './testing/harness';
import { down, up } from './testing/messages';
import { TestPki } from './testing/pki';
import { tlsVerdict } from './testing/raw-tls';
import { eventually } from './testing/wait';

let pki: TestPki;
let harness: Harness;
const delivered: [string, Message][] = [];

beforeAll(async () => {
  pki = await TestPki.create();
  harness = await Harness.start(pki, {
    settings: { nodeLimit: 3 },
    onDelivered: async (node, message) => void delivered.push([node, message]),
  });
});
afterAll(() => harness.stop());

const isEvent = (operation: Operation, node: string) => (m: Message) =>
  m.route!.operation === operation && m.route!.resource === `node/${node}`;

describe('a connected edge node', () => {
  it('exchanges keepalives, messages and acks, and is announced to the cloud modules', async () => {
    const edge = await harness.connected('exchange-1');
    await harness.module('edgecontroller').next(isEvent(Operation.OPERATION_CONNECTED, 'exchange-1'));
    await harness.module('synccontroller').next(isEvent(Operation.OPERATION_CONNECTED, 'exchange-1'));

    // Down: the prefix is stripped; the ack is recorded with the cloud-side message.
    const pod = down({ node: 'exchange-1', resource: 'default/pod/p1', operation: 'insert', resourceVersion: '5' });
    await harness.sendDown(pod);
    const received = await edge.message((m) => m.header!.id === pod.header!.id);
    expect(received.route!.resource).toBe('default/pod/p1');
    expect(received.header!.resourceVersion).toBe('5');
    expect(received.content).toEqual(pod.content);
    edge.ack(received);
    await eventually(() => delivered.length === 1);
    expect(delivered[0]![0]).toBe('exchange-1');
    expect(delivered[0]![1].route!.resource).toBe('node/exchange-1/default/pod/p1');
    expect(await harness.metric('cloudhub_acks_received_total', { result: 'ok' })).toBe(1);

    // A message without resourceVersion needs no ack and goes straight out.
    const notice = down({ node: 'exchange-1', resource: 'default/configmap/c1', group: 'user' });
    await harness.sendDown(notice);
    await edge.message((m) => m.header!.id === notice.header!.id);

    // Up: the prefix is added, the edge gets an ack once edgecontroller has the message.
    const status1 = up('null/nodestatus/exchange-1', { status: { phase: 'Running' } });
    edge.sendMessage(status1);
    const forwarded = await harness.module('edgecontroller').next((m) => m.header!.id === status1.header!.id);
    expect(forwarded.route!.resource).toBe('node/exchange-1/null/nodestatus/exchange-1');
    expect(await edge.ackFor(status1)).toEqual({ messageId: status1.header!.id, resourceVersion: '', error: '' });
    expect(await harness.metric('cloudhub_connected_nodes')).toBe(1);

    edge.close();
    await harness.module('edgecontroller').next(isEvent(Operation.OPERATION_DISCONNECTED, 'exchange-1'));
    await eventually(() => !harness.cloudhub.connectedNodes().includes('exchange-1'));
  });

  it('answers with an error ack naming the setting when no cloud module takes the group', async () => {
    const edge = await harness.connected('exchange-2');
    const twin = up('device/default/d1/twin/edge_updated', {}, 'update', 'twin');
    // Authorization comes first and needs the cluster for devices; a membership message does not.
    const membership = up('membership/detail', {}, 'get', 'twin');
    edge.sendMessage(membership);
    expect((await edge.ackFor(membership)).error).toBe(
      'no cloud module handles group twin: devicecontroller is not running (enable modules.deviceController)',
    );
    edge.sendMessage(twin);
    expect((await edge.ackFor(twin)).error).toMatch(/^forbidden: cannot check device\/default\/d1\/twin\/edge_updated for node exchange-2: cloudhub runs without a Kubernetes client/);
    const unknown = up('default/pod/x', {}, 'update', 'nonsense');
    edge.sendMessage(unknown);
    expect((await edge.ackFor(unknown)).error).toMatch(/no cloud module handles group "nonsense"/);
    edge.close();
  });
});

describe('who may connect', () => {
  it('refuses a certificate whose CN does not name a node', async () => {
    const edge = await harness.edge('x', await pki.node('x', { commonName: 'admin' }));
    const result = await edge.status;
    expect(result.code).toBe(status.UNAUTHENTICATED);
    expect(result.details).toMatch(/client certificate CN "admin" does not name an edge node; issue the node a certificate with CN=system:node:<node name>/);
  });

  it('refuses a node certificate without O=system:nodes', async () => {
    const edge = await harness.edge('y', await pki.node('y', { organizations: ['system:masters'] }));
    const result = await edge.status;
    expect(result.code).toBe(status.UNAUTHENTICATED);
    expect(result.details).toMatch(/node y has O="system:masters", not system:nodes/);
    expect(await harness.metric('cloudhub_refused_connections_total', { reason: 'unauthenticated' })).toBe(2);
  });

  it('never starts a session for a certificate from another CA, or an expired one', async () => {
    const foreign = await harness.edge('foreign', await pki.node('foreign', { ca: await createCA('someone-else') }));
    const expired = await harness.edge('expired', await pki.node('expired', { validDays: -0.0001 }));
    for (const edge of [foreign, expired]) {
      edge.keepalive();
      const result = await edge.status;
      expect(result.code).toBe(status.UNAVAILABLE);
    }
    // Seen on a raw connection: TLS drops these before HTTP/2 starts, and answers a good certificate.
    const verdict = (certificate: KeyPairPem) => tlsVerdict(harness.address, pki.ca.certPem, certificate);
    expect(await verdict(await pki.node('foreign', { ca: await createCA('someone-else') }))).toBe('refused');
    expect(await verdict(await pki.node('expired', { validDays: -0.0001 }))).toBe('refused');
    expect(await verdict(await pki.node('fine'))).toBe('accepted');
    expect(harness.cloudhub.connectedNodes()).not.toContain('foreign');
    expect(harness.cloudhub.connectedNodes()).not.toContain('expired');
    const connects = harness.module('edgecontroller').messages.filter((m) => /node\/(foreign|expired)$/.test(m.route!.resource));
    expect(connects).toEqual([]);
  });

  it('refuses nodes over the node limit, naming the setting, but lets a connected node reconnect', async () => {
    const edges = [await harness.connected('limit-1'), await harness.connected('limit-2'), await harness.connected('limit-3')];
    const extra = await harness.edge('limit-4');
    const result = await extra.status;
    expect(result.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(result.details).toMatch(/serves 3 edge nodes, the most modules\.cloudHub\.nodeLimit \(3\) allows; node limit-4 is refused/);

    // At the limit, a node that is connected already may still replace its stream.
    const again = await harness.edge('limit-1');
    again.keepalive();
    const old = await edges[0]!.status;
    expect(old.code).toBe(status.ABORTED);
    expect(old.details).toMatch(/^node limit-1 opened a newer stream from 127\.0\.0\.1:\d+; this older one is closed$/);
    for (const edge of [again, ...edges]) edge.close();
    await eventually(() => harness.cloudhub.connectedNodes().length === 0);
  });
});

describe('the listener', () => {
  it('fails to start with an error naming the setting when the port is taken', async () => {
    const taken = { address: '127.0.0.1', port: harness.address.port };
    await expect(Harness.start(pki, { settings: { tunnel: taken } })).rejects.toThrow(
      new RegExp(`^cannot listen for edge nodes on 127\\.0\\.0\\.1:${taken.port} \\(modules\\.cloudHub\\.tunnel\\): `),
    );
  });
});

describe('a second stream from the same node', () => {
  it('replaces the first: the old one is closed saying why, the new one gets the messages, no DISCONNECTED', async () => {
    const first = await harness.connected('twice');
    const second = await harness.edge('twice');
    second.keepalive();
    const old = await first.status;
    expect(old.code).toBe(status.ABORTED);
    expect(old.details).toMatch(/newer stream/);
    const pod = down({ node: 'twice', resource: 'default/pod/p', resourceVersion: '1' });
    await harness.sendDown(pod);
    await second.message((m) => m.header!.id === pod.header!.id);
    expect(first.messages()).toEqual([]);
    const events = harness.module('edgecontroller').messages.filter((m) => m.route!.resource === 'node/twice');
    expect(events.map((m) => m.route!.operation)).toEqual([Operation.OPERATION_CONNECTED, Operation.OPERATION_CONNECTED]);
    second.close();
    await harness.module('edgecontroller').next(isEvent(Operation.OPERATION_DISCONNECTED, 'twice'));
  });
});

describe('keepalive', () => {
  let quick: Harness;
  beforeAll(async () => {
    quick = await Harness.start(pki, { settings: { keepaliveIntervalMs: 400 } });
  });
  afterAll(() => quick.stop());

  it('ends a silent session with a status naming the setting, and keeps a talking one', async () => {
    const silent = await quick.connected('silent');
    const talking = await quick.connected('talking');
    const timer = setInterval(() => talking.keepalive(), 100);
    try {
      const started = Date.now();
      const result = await silent.status;
      expect(result.code).toBe(status.UNAVAILABLE);
      expect(result.details).toMatch(/^no keepalive or other frame from node silent for \d+ ms, over modules\.cloudHub\.keepaliveInterval \(400 ms\)/);
      expect(Date.now() - started).toBeLessThan(1500);
      await quick.module('edgecontroller').next(isEvent(Operation.OPERATION_DISCONNECTED, 'silent'));
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(quick.cloudhub.connectedNodes()).toEqual(['talking']);
      expect(talking.ended).toBeUndefined();
      expect(await quick.metric('cloudhub_sessions_ended_total', { reason: 'keepalive_timeout' })).toBe(1);
    } finally {
      clearInterval(timer);
    }
  });
});
