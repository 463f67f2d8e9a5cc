/** A minimal edge for CloudHub tests: one tunnel stream with a given certificate, recording every frame. */
import { credentials, Metadata, status as grpcStatus, type ClientDuplexStream } from '@grpc/grpc-js';
import {
  CloudHubServiceClient,
  TunnelRequest,
  type Ack,
  type TunnelResponse,
} from '../../../gen/kubeedge/tunnel/v1/tunnel';
import { formatHostPort, type HostPort } from '../../../pkg/config';
import type { Message } from '../../../pkg/message';
import type { KeyPairPem } from '../../../pkg/pki';
import { eventually } from './wait';

export interface StreamStatus {
  code: grpcStatus;
  details: string;
}

export class TestEdge {
  readonly frames: TunnelResponse[] = [];
  /** Settles when the stream ends, with the status the server sent (or the client's, when the connection failed). */
  readonly status: Promise<StreamStatus>;
  ended: StreamStatus | undefined;
  private readonly client: CloudHubServiceClient;
  private readonly call: ClientDuplexStream<TunnelRequest, TunnelResponse>;

  constructor(address: HostPort, caPem: string, certificate: KeyPairPem) {
    this.client = new CloudHubServiceClient(
      formatHostPort(address),
      credentials.createSsl(Buffer.from(caPem), Buffer.from(certificate.keyPem), Buffer.from(certificate.certPem)),
      // Each test edge gets its own connection, as separate edge nodes would.
      { 'grpc.use_local_subchannel_pool': 1, 'grpc.ssl_target_name_override': 'localhost', 'grpc.default_authority': 'localhost' },
    );
    this.call = this.client.tunnel(new Metadata());
    this.call.on('data', (frame: TunnelResponse) => this.frames.push(frame));
    this.call.on('error', () => undefined); // the status event below carries the same information
    this.status = new Promise((resolve) => {
      this.call.on('status', (status: StreamStatus) => {
        this.ended = { code: status.code, details: status.details };
        resolve(this.ended);
      });
    });
  }

  send(request: TunnelRequest): void {
    this.call.write(request);
  }

  sendMessage(message: Message): void {
    this.send({ frame: { $case: 'message', value: message } });
  }

  keepalive(): void {
    this.send({ frame: { $case: 'keepalive', value: { sentAtMs: Date.now() } } });
  }

  ack(message: Message, error = ''): void {
    this.send({ frame: { $case: 'ack', value: { messageId: message.header!.id, resourceVersion: message.header!.resourceVersion, error } } });
  }

  messages(): Message[] {
    return this.frames.flatMap((f) => (f.frame?.$case === 'message' ? [f.frame.value] : []));
  }

  acks(): Ack[] {
    return this.frames.flatMap((f) => (f.frame?.$case === 'ack' ? [f.frame.value] : []));
  }

  /** Waits until a received message matches. */
  async message(matches: (message: Message) => boolean, timeoutMs = 3000): Promise<Message> {
    let found: Message | undefined;
    await eventually(() => (found = this.messages().find(matches)) !== undefined, timeoutMs, 'no matching message from cloudhub');
    return found!;
  }

  /** Waits for the ack of an upstream message. */
  async ackFor(message: Message, timeoutMs = 3000): Promise<Ack> {
    let found: Ack | undefined;
    const id = message.header!.id;
    await eventually(() => (found = this.acks().find((a) => a.messageId === id)) !== undefined, timeoutMs, `no ack for ${id}`);
    return found!;
  }

  /** Stops reading, as an edge that cannot keep up: HTTP/2 flow control then pushes back on the cloud. */
  pause(): void {
    this.call.pause();
  }

  resume(): void {
    this.call.resume();
  }

  close(): void {
    this.call.cancel();
    this.client.close();
  }
}
