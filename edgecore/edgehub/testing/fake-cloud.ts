/**
 * A stand-in cloudcore for edgehub's tests: a real grpc-js server over mutual TLS on 127.0.0.1 serving
 * CloudHubService.Tunnel, whose behaviour each test steers (answer keepalives or stay silent, ack upstream messages or
 * refuse them, send any frame, even raw bytes). It is not CloudHub: it only records and replies.
 */
import {
  Server,
  ServerCredentials,
  type ServerDuplexStream,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { Message } from '../../../gen/kubeedge/message/v1/message';
import { CloudHubServiceService, TunnelResponse, type TunnelRequest } from '../../../gen/kubeedge/tunnel/v1/tunnel';
import type { TlsFixture } from './tls-fixture';

/** The generated service, except that a test may also send raw bytes (bad frames). */
const SERVICE: ServiceDefinition = {
  tunnel: {
    ...CloudHubServiceService.tunnel,
    responseSerialize: (value: TunnelResponse | Buffer): Buffer =>
      Buffer.isBuffer(value) ? value : Buffer.from(TunnelResponse.encode(value).finish()),
  },
};

export interface ReceivedFrame {
  frame: TunnelRequest['frame'];
  at: number;
}

export class FakeSession {
  readonly received: ReceivedFrame[] = [];
  readonly startedAt = Date.now();
  ended = false;
  /** SHA-256 fingerprint of the client certificate the edge presented. */
  readonly peerFingerprint: string | undefined;
  readonly peerCommonName: string | undefined;

  constructor(private readonly call: ServerDuplexStream<TunnelRequest, TunnelResponse | Buffer>) {
    const peer = call.getAuthContext().sslPeerCertificate;
    this.peerFingerprint = peer?.fingerprint256;
    const cn = peer?.subject?.CN;
    this.peerCommonName = Array.isArray(cn) ? cn[0] : cn;
  }

  send(frame: TunnelResponse | Buffer): void {
    if (!this.ended) this.call.write(frame);
  }

  sendMessage(message: Message): void {
    this.send({ frame: { $case: 'message', value: message } });
  }

  /** Ends the stream as a cloud that is done with this node would. */
  close(): void {
    if (!this.ended) this.call.end();
  }

  messages(): Message[] {
    return this.received.flatMap(({ frame }) => (frame?.$case === 'message' ? [frame.value] : []));
  }

  acks(): { messageId: string; resourceVersion: string; error: string; at: number }[] {
    return this.received.flatMap(({ frame, at }) => (frame?.$case === 'ack' ? [{ ...frame.value, at }] : []));
  }

  keepalives(): number[] {
    return this.received.flatMap(({ frame, at }) => (frame?.$case === 'keepalive' ? [at] : []));
  }
}

export class FakeCloud {
  readonly sessions: FakeSession[] = [];
  /** Answer each keepalive with one (as cloudhub does); false makes the cloud silent. */
  answerKeepalives = true;
  /** The Ack error for an upstream message ('' positive); undefined sends no Ack. */
  ackUpstream: (message: Message) => string | undefined = () => '';
  /** Called for each upstream message after it is recorded. */
  onMessage: ((message: Message, session: FakeSession) => void) | undefined;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Serves on 127.0.0.1:`port` (0: any free port). */
  static async start(tls: TlsFixture, port = 0): Promise<FakeCloud> {
    const server = new Server();
    // Calls only arrive after bind, by which time the instance exists.
    const self: { cloud?: FakeCloud } = {};
    const implementation: UntypedServiceImplementation = {
      tunnel: (call: ServerDuplexStream<TunnelRequest, TunnelResponse | Buffer>) => self.cloud!.serve(call),
    };
    server.addService(SERVICE, implementation);
    const credentials = ServerCredentials.createSsl(
      Buffer.from(tls.ca.certPem),
      [{ private_key: Buffer.from(tls.server.keyPem), cert_chain: Buffer.from(tls.server.certPem) }],
      true,
    );
    const bound = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${port}`, credentials, (error, actual) => (error ? reject(error) : resolve(actual))),
    );
    self.cloud = new FakeCloud(server, bound);
    return self.cloud;
  }

  /** The newest session. */
  get last(): FakeSession | undefined {
    return this.sessions[this.sessions.length - 1];
  }

  /** Waits for session number `index` (0-based, in arrival order). */
  async session(index: number, timeoutMs = 5000): Promise<FakeSession> {
    await waitUntil(() => this.sessions.length > index, timeoutMs, `session #${index + 1} on ${this.address}`);
    return this.sessions[index]!;
  }

  /** Stops at once, cutting every stream (a cloudcore that dies). */
  stop(): void {
    this.server.forceShutdown();
    for (const session of this.sessions) session.ended = true;
  }

  private serve(call: ServerDuplexStream<TunnelRequest, TunnelResponse | Buffer>): void {
    const session = new FakeSession(call);
    this.sessions.push(session);
    call.on('data', (request: TunnelRequest) => {
      session.received.push({ frame: request.frame, at: Date.now() });
      const frame = request.frame;
      if (frame?.$case === 'keepalive' && this.answerKeepalives) {
        session.send({ frame: { $case: 'keepalive', value: { sentAtMs: Date.now() } } });
      } else if (frame?.$case === 'message') {
        const error = this.ackUpstream(frame.value);
        if (error !== undefined) {
          const ack = { messageId: frame.value.header!.id, resourceVersion: frame.value.header!.resourceVersion, error };
          session.send({ frame: { $case: 'ack', value: ack } });
        }
        this.onMessage?.(frame.value, session);
      }
    });
    const finish = (): void => {
      session.ended = true;
    };
    call.on('end', () => {
      finish();
      call.end();
    });
    call.on('error', finish);
    call.on('cancelled', finish);
  }
}

/** Polls `check` every 5 ms until it holds; throws naming `what` after `timeoutMs`. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
