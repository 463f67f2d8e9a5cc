/**
 * Garbage on the tunnel, written as raw HTTP/2 and TLS where grpc-js would never produce it: each bad stream ends with
 * a status naming the problem, and a well-behaved node on the same cloudcore keeps being served throughout.
 */
import type { ClientHttp2Session } from 'node:http2';
import { connect as tlsConnect } from 'node:tls';
import { status } from '@grpc/grpc-js';
import { TunnelRequest } from '../../gen/kubeedge/tunnel/v1/tunnel';
import type { KeyPairPem } from '../../pkg/pki';
import { Harness } from './testing/harness';
import { down, up } from './testing/messages';
import { TestPki } from './testing/pki';
import { grpcFrame, http2Session, rawTunnelCall } from './testing/raw-tls';
import type { TestEdge } from './testing/edge';

let harness: Harness;
let steady: TestEdge;
let certificate: KeyPairPem;
let session: ClientHttp2Session;
let version = 0;

beforeAll(async () => {
  const pki = await TestPki.create();
  harness = await Harness.start(pki);
  steady = await harness.connected('steady');
  certificate = await pki.node('garbage');
  session = http2Session(harness.address, pki.ca.certPem, certificate);
});
afterAll(async () => {
  session.close();
  await harness.stop();
});

/** After each bad stream, the steady node still gets messages and keepalive answers. */
afterEach(async () => {
  const pod = down({ node: 'steady', resource: 'default/pod/p', resourceVersion: String(++version) });
  await harness.sendDown(pod);
  const received = await steady.message((m) => m.header!.id === pod.header!.id);
  steady.ack(received);
  const before = steady.frames.length;
  steady.keepalive();
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(steady.frames.slice(before).some((f) => f.frame?.$case === 'keepalive')).toBe(true);
  expect(steady.ended).toBeUndefined();
});

const encode = (request: TunnelRequest): Buffer => Buffer.from(TunnelRequest.encode(request).finish());

describe('bad frames end only their own stream', () => {
  it('bytes that are not protobuf', async () => {
    const result = await rawTunnelCall(session, grpcFrame(Buffer.from('this is not protobuf at all')));
    expect(result.grpcStatus).toBe(status.INVALID_ARGUMENT);
    expect(result.grpcMessage).toMatch(/^bad frame from node garbage: kubeedge\.tunnel\.v1\.TunnelRequest: cannot decode 27 bytes \(.+\); the peer sent truncated or non-protobuf data/);
  });

  it('a protobuf frame cut short', async () => {
    const whole = encode({ frame: { $case: 'message', value: up('null/nodestatus/garbage') } });
    const result = await rawTunnelCall(session, grpcFrame(whole.subarray(0, whole.length - 7)));
    expect(result.grpcStatus).toBe(status.INVALID_ARGUMENT);
    expect(result.grpcMessage).toMatch(/cannot decode \d+ bytes/);
  });

  it('a frame with no frame kind, and one with a kind from a newer peer', async () => {
    for (const payload of [Buffer.alloc(0), Buffer.from([0x4a, 0x00])]) {
      const result = await rawTunnelCall(session, grpcFrame(payload));
      expect(result.grpcStatus).toBe(status.INVALID_ARGUMENT);
      expect(result.grpcMessage).toMatch(/^bad frame from node garbage: invalid tunnel request: frame: no frame kind is set/);
    }
  });

  it('an envelope with missing fields, naming each', async () => {
    const message = up('null/nodestatus/garbage');
    const payload = encode({ frame: { $case: 'message', value: { ...message, header: undefined, route: { ...message.route!, operation: 0 } } } });
    const result = await rawTunnelCall(session, grpcFrame(payload));
    expect(result.grpcStatus).toBe(status.INVALID_ARGUMENT);
    expect(result.grpcMessage).toMatch(/message\.header: is missing; .*message\.route\.operation: is OPERATION_UNSPECIFIED/);
  });

  it('an ack that names no message', async () => {
    const result = await rawTunnelCall(session, grpcFrame(encode({ frame: { $case: 'ack', value: { messageId: '', resourceVersion: '', error: '' } } })));
    expect(result.grpcStatus).toBe(status.INVALID_ARGUMENT);
    expect(result.grpcMessage).toMatch(/ack\.message_id: is empty/);
  });

  it('a message over maxMessageSize, naming the field and the limit', async () => {
    const big = up('null/nodestatus/garbage', { data: 'x'.repeat(70_000) });
    const result = await rawTunnelCall(session, grpcFrame(encode({ frame: { $case: 'message', value: big } })));
    expect(result.grpcStatus).toBe(status.RESOURCE_EXHAUSTED);
    expect(result.grpcMessage).toMatch(/^message\.content: is \d+ bytes, over the limit of 65536 \(modules\.cloudHub\.maxMessageSize\)/);
    expect(await harness.metric('cloudhub_sessions_ended_total', { reason: 'too_large' })).toBe(1);
  });

  it('a gRPC frame declaring more than the frame limit, refused before it is read', async () => {
    const result = await rawTunnelCall(session, grpcFrame(Buffer.alloc(16), 0x7fffffff));
    expect(result.grpcStatus).toBe(status.RESOURCE_EXHAUSTED);
    expect(result.grpcMessage).toMatch(/larger than max \(2147483647 vs \d+\)/);
  });

  it('a gRPC frame cut short by the end of the stream', async () => {
    const whole = grpcFrame(encode({ frame: { $case: 'keepalive', value: { sentAtMs: Date.now() } } }));
    const result = await rawTunnelCall(session, whole.subarray(0, 4), true);
    // grpc-js drops the partial frame; the edge half-closed, so the cloud closes its side too.
    expect(result.grpcStatus).toBe(status.OK);
    expect(result.grpcMessage).toBe('node garbage closed its side of the stream');
  });

  it('TLS with junk instead of HTTP/2', async () => {
    const pki = harness.pki;
    const closed = await new Promise<boolean>((resolve) => {
      const socket = tlsConnect({
        host: '127.0.0.1',
        port: harness.address.port,
        ca: pki.ca.certPem,
        cert: certificate.certPem,
        key: certificate.keyPem,
        servername: 'localhost',
        ALPNProtocols: ['h2'],
      });
      socket.on('secureConnect', () => socket.write(Buffer.alloc(4096, 0xab)));
      socket.on('data', () => undefined);
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(true));
      setTimeout(() => resolve(false), 3000).unref();
    });
    expect(closed).toBe(true);
  });
});
