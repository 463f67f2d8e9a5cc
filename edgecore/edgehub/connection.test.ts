/**
 * The connection lifecycle against a real grpc-js server over mutual TLS on loopback: connect, keepalive, the
 * announcements, reconnect with back-off, failover, the silence watchdog, bad frames, and certificate rotation.
 */
import { readJsonContent, type Message } from '../../pkg/message';
import { FakeCloud, waitUntil } from './testing/fake-cloud';
import { startEdge, type EdgeHarness, type LogLine } from './testing/edge-harness';
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

function connectionEvents(messages: { message: Message }[]): unknown[] {
  return messages
    .filter(({ message }) => message.route?.resource === 'node/connection')
    .map(({ message }) => readJsonContent(message));
}

/** Log lines for moves of the connection state, in order. */
function transitions(logs: LogLine[]): LogLine[] {
  return logs.filter((line) => typeof line['to'] === 'string' && typeof line['from'] === 'string');
}

describe('edgehub connection', () => {
  it('connects over mutual TLS, sends keepalives every heartbeat and records their round trip', async () => {
    const cloud = await startCloud();
    edge = await startEdge({ tls, servers: [cloud.address], heartbeatMs: 200 });
    await edge.waitForState('connected');
    const session = await cloud.session(0);
    expect(session.peerCommonName).toBe('system:node:edge-1');

    await waitUntil(() => session.keepalives().length >= 4, 3000, 'four keepalives');
    const times = session.keepalives();
    const gaps = times.slice(1).map((at, i) => at - times[i]!);
    // One at connect, then one per heartbeat.
    for (const gap of gaps.slice(1)) expect(gap).toBeGreaterThanOrEqual(150);
    for (const gap of gaps.slice(1)) expect(gap).toBeLessThan(600);
    expect(await edge.metric('edgehub_keepalive_rtt_seconds')).toBeGreaterThanOrEqual(3);
    expect(await edge.metric('edgehub_connection_state', { state: 'connected' })).toBe(1);
  });

  it('announces connected and disconnected to the edge modules that exist, and quietly skips the rest', async () => {
    const cloud = await startCloud();
    edge = await startEdge({ tls, servers: [cloud.address] });
    await edge.waitForState('connected');
    await waitUntil(() => connectionEvents(edge!.meta.received).length === 1, 2000, 'cloud_connected');
    const connected = edge.meta.received.find(({ message }) => message.route?.resource === 'node/connection')!.message;
    expect(connected.route).toMatchObject({ source: 'edgehub', destination: 'metamanager', operation: 11 /* connect */ });

    cloud.stop();
    await edge.waitForState('disconnected');
    await waitUntil(() => connectionEvents(edge!.meta.received).length === 2, 2000, 'cloud_disconnected');
    expect(connectionEvents(edge.meta.received)).toEqual(['cloud_connected', 'cloud_disconnected']);
    // devicetwin, eventbus and edged are not registered here: no complaint about them.
    const noisy = edge.logs.filter((line) => line.level !== 'debug' && /devicetwin|eventbus|edged/.test(line.msg));
    expect(noisy).toEqual([]);
  });

  it('reconnects with back-off after the cloud dies, the first retry within a second, and again once it is back', async () => {
    const cloud = await startCloud();
    const port = cloud.port;
    edge = await startEdge({ tls, servers: [cloud.address] });
    await edge.waitForState('connected');

    const diedAt = Date.now();
    cloud.stop();
    clouds.splice(clouds.indexOf(cloud), 1);
    // Let at least two failed attempts go by, so the back-off can be seen growing.
    await waitUntil(
      () => transitions(edge!.logs).filter((l) => l.to === 'connecting' && l.at > diedAt).length >= 3,
      5000,
      'three attempts after the cloud died',
    );
    const attempts = transitions(edge.logs)
      .filter((l) => l.to === 'connecting' && l.at > diedAt)
      .map((l) => l.at);
    expect(attempts[0]! - diedAt).toBeLessThan(1000);
    expect(attempts[2]! - attempts[1]!).toBeGreaterThan(attempts[1]! - attempts[0]!);

    const revived = await startCloud(port);
    await edge.waitForState('connected', 6000);
    await revived.session(0);
    expect(await edge.metric('edgehub_reconnects_total')).toBeGreaterThanOrEqual(3);
  });

  it('fails over to the next cloudcore in the list when the first is down or dies', async () => {
    const first = await startCloud();
    const second = await startCloud();
    edge = await startEdge({ tls, servers: [first.address, second.address] });
    await edge.waitForState('connected');
    expect(first.sessions).toHaveLength(1);

    first.stop();
    const session = await second.session(0, 3000);
    await edge.waitForState('connected');
    expect(session.peerCommonName).toBe('system:node:edge-1');
  });

  it('starts on the second cloudcore when the first refuses connections', async () => {
    const gone = await startCloud();
    const deadAddress = gone.address;
    gone.stop();
    const live = await startCloud();
    edge = await startEdge({ tls, servers: [deadAddress, live.address] });
    await live.session(0, 3000);
    await edge.waitForState('connected');
  });

  it('treats a cloud silent for two heartbeats as dead and reconnects', async () => {
    const cloud = await startCloud();
    edge = await startEdge({ tls, servers: [cloud.address], heartbeatMs: 200 });
    await edge.waitForState('connected');
    cloud.answerKeepalives = false;
    const silentFrom = Date.now();
    await waitUntil(() => edge!.hub.state !== 'connected', 2000, 'edgehub to give up on the silent cloud');
    expect(Date.now() - silentFrom).toBeGreaterThanOrEqual(300);
    const lost = transitions(edge.logs).find((l) => l.from === 'connected' && l.to === 'disconnected')!;
    expect(lost.msg).toMatch(/sent nothing for 400 ms/);

    cloud.answerKeepalives = true;
    await cloud.session(1, 3000);
    await edge.waitForState('connected');
  });

  it('logs a bad frame clearly, resets the stream and reconnects without crashing', async () => {
    const cloud = await startCloud();
    edge = await startEdge({ tls, servers: [cloud.address] });
    await edge.waitForState('connected');

    (await cloud.session(0)).send(Buffer.from([0x0a, 0xff, 0xff, 0xff])); // a truncated message field
    await cloud.session(1, 3000);
    await edge.waitForState('connected');
    const badFrameLines = (): LogLine[] => edge!.logs.filter((l) => l.level === 'error' && l['frameProblem']);
    expect(badFrameLines()[0]!.msg).toMatch(/sent a bad frame; resetting the stream/);
    expect(badFrameLines()[0]!['frameProblem']).toBe('UNDECODABLE');

    // A frame that decodes but breaks the contract: a message without an id.
    (await cloud.session(1)).send({
      frame: {
        $case: 'message',
        value: {
          header: { id: '', parentId: '', timestampMs: Date.now(), resourceVersion: '1', sync: false },
          route: { source: 'x', destination: '', group: 'resource', operation: 2, resource: 'default/pod/p' },
          content: Buffer.alloc(0),
          contentType: '',
        },
      },
    });
    await cloud.session(2, 3000);
    await edge.waitForState('connected');
    const invalid = badFrameLines()[1]!;
    expect(invalid['frameProblem']).toBe('INVALID');
    expect(JSON.stringify(invalid)).toContain('message.header.id');

    expect(edge.runtime.moduleStates()['edgehub']).toBe('running');
    expect(await edge.metric('edgehub_bad_frames_total')).toBe(2);
  });

  it('reconnect() drops the stream and connects again at once with the rotated certificate files', async () => {
    const cloud = await startCloud();
    edge = await startEdge({ tls, servers: [cloud.address] });
    await edge.waitForState('connected');
    const before = (await cloud.session(0)).peerFingerprint;

    const { fingerprint } = await tls.writeNodeCertificate('edge-1');
    expect(fingerprint).not.toBe(before);
    const asked = Date.now();
    edge.hub.reconnect('certificate rotated');
    const session = await cloud.session(1, 2000);
    expect(session.startedAt - asked).toBeLessThan(300); // no back-off (its first step is 400-500 ms)
    expect(session.peerFingerprint).toBe(fingerprint);
    await edge.waitForState('connected');
  });
});
