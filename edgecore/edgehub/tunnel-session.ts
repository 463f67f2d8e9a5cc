/**
 * One gRPC stream to one cloudcore: dial over mutual TLS, keepalives and the silence watchdog, frame decoding and
 * validation, writes with back-pressure. A session is used once; the reconnect loop makes a new one per attempt.
 *
 * Frames are encoded and decoded here rather than by grpc-js, so that a bad frame from the cloud becomes an
 * EnvelopeError naming the broken field (logged, stream reset) instead of an opaque "failed to parse" status.
 */
import { Client, Metadata, status, type ChannelCredentials, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import { CloudHubServiceService, TunnelRequest, TunnelResponse } from '../../gen/kubeedge/tunnel/v1/tunnel';
import { formatHostPort, type HostPort } from '../../pkg/config/address';
import type { Logger } from '../../pkg/log';
import { decodeTunnelResponse, EnvelopeError, type Message } from '../../pkg/message';
import { EdgeHubError } from './errors';
import type { EdgeHubMetrics } from './metrics';

/** A frame that decoded and passed validation. */
export type Frame = NonNullable<TunnelResponse['frame']>;

/**
 * maxMessageSize limits an encoded frame. gRPC lets a little more through, so that a frame somewhat over the limit is
 * still read and refused with a negative Ack (the cloud then backs off) rather than resetting the stream each time.
 */
const GRPC_SLACK_BYTES = 64 * 1024;

export interface SessionOptions {
  server: HostPort;
  credentials: ChannelCredentials;
  heartbeatMs: number;
  maxMessageSizeBytes: number;
  http2KeepaliveTimeMs: number;
  http2KeepaliveTimeoutMs: number;
  log: Logger;
  metrics: EdgeHubMetrics;
  /** Aborting ends the session; the abort reason (an EdgeHubError) becomes the session's end reason. */
  signal: AbortSignal;
  /**
   * The cloud answered (its first frame arrived; it answers the keepalive sent at once): the stream is up. Not on
   * response headers, which a cloud that refuses the node may send just before its error status. Called at most
   * once, before any frame.
   */
  onOpen(): void;
  onFrame(frame: Frame): void;
  /** A message frame over maxMessageSize that still decoded: it cannot be handled, but it can be refused. */
  onOversized(message: Message, error: EnvelopeError): void;
}

export interface SessionEnd {
  error: EdgeHubError;
  /** Whether the cloud ever answered. */
  opened: boolean;
  /** How long the session was open, in ms (0 if never). */
  openMs: number;
}

export class TunnelSession {
  readonly ended: Promise<SessionEnd>;
  readonly address: string;
  private readonly client: Client;
  private readonly call: ClientDuplexStream<Buffer, Buffer>;
  private finishWith!: (end: SessionEnd) => void;
  private done = false;
  private openedAt: number | undefined;
  private paused = false;
  private readonly keepaliveTimer: NodeJS.Timeout;
  private readonly watchdog: NodeJS.Timeout;
  /** When the keepalive now waiting for an answer was sent (performance.now()). */
  private keepaliveSentAt: number | undefined;

  constructor(private readonly options: SessionOptions) {
    this.ended = new Promise((resolve) => (this.finishWith = resolve));
    this.address = formatHostPort(options.server);
    const maxGrpcBytes = options.maxMessageSizeBytes + GRPC_SLACK_BYTES;
    this.client = new Client(this.address, options.credentials, {
      'grpc.keepalive_time_ms': options.http2KeepaliveTimeMs,
      'grpc.keepalive_timeout_ms': options.http2KeepaliveTimeoutMs,
      'grpc.keepalive_permit_without_calls': 1,
      'grpc.max_receive_message_length': maxGrpcBytes,
      'grpc.max_send_message_length': maxGrpcBytes,
      // Each session owns its connection, so closing the client really closes it (and a new one re-reads the certs).
      'grpc.use_local_subchannel_pool': 1,
      'grpc.enable_retries': 0,
    });
    const identity = (bytes: Buffer): Buffer => bytes;
    this.call = this.client.makeBidiStreamRequest<Buffer, Buffer>(
      CloudHubServiceService.tunnel.path,
      identity,
      identity,
      new Metadata(),
    );
    this.call.on('data', (bytes: Buffer) => this.receive(bytes));
    this.call.on('error', (error: ServiceError) => this.finish(streamFailed(this.address, error)));
    this.call.on('end', () =>
      this.finish(new EdgeHubError('STREAM_CLOSED', `cloudcore ${this.address} closed the stream`)),
    );

    // The cloud must say something within twice the heartbeat: it answers every keepalive.
    const silenceMs = 2 * options.heartbeatMs;
    this.watchdog = setTimeout(() => this.silent(silenceMs), silenceMs).unref();
    this.keepaliveTimer = setInterval(() => this.sendKeepalive(), options.heartbeatMs).unref();
    this.sendKeepalive();

    if (options.signal.aborted) this.end(options.signal.reason);
    else options.signal.addEventListener('abort', this.onAbort, { once: true });
  }

  get isOpen(): boolean {
    return this.openedAt !== undefined && !this.done;
  }

  /**
   * Writes an encoded frame; resolves true once the stream took it (waiting for 'drain' when its buffer is full),
   * false if the session is over.
   */
  write(bytes: Buffer): Promise<boolean> {
    if (this.done) return Promise.resolve(false);
    if (this.call.write(bytes)) return Promise.resolve(true);
    return new Promise((resolve) => {
      let settled = false;
      const settle = (ok: boolean): void => {
        if (settled) return;
        settled = true;
        this.call.off('drain', onDrain);
        resolve(ok);
      };
      const onDrain = (): void => settle(true);
      this.call.once('drain', onDrain);
      void this.ended.then(() => settle(false));
    });
  }

  /** Writes a small frame (an Ack) without waiting for buffer space; false if the session is over. */
  writeNow(request: TunnelRequest): boolean {
    if (this.done) return false;
    this.call.write(encodeRequest(request));
    return true;
  }

  /** Stops reading frames (the edge modules are behind); HTTP/2 flow control then slows the cloud down. */
  pauseReading(): void {
    if (this.done || this.paused) return;
    this.paused = true;
    this.call.pause();
  }

  resumeReading(): void {
    if (!this.paused) return;
    this.paused = false;
    if (!this.done) this.call.resume();
  }

  end(reason: unknown): void {
    this.finish(
      reason instanceof EdgeHubError
        ? reason
        : new EdgeHubError('STOPPING', 'the session was ended', reason === undefined ? undefined : { cause: reason }),
    );
  }

  private readonly onAbort = (): void => this.end(this.options.signal.reason);

  private opened(): void {
    if (this.done || this.openedAt !== undefined) return;
    this.openedAt = performance.now();
    this.options.onOpen();
  }

  private receive(bytes: Buffer): void {
    if (this.done) return;
    this.watchdog.refresh();
    let frame: Frame;
    try {
      frame = decodeTunnelResponse(bytes, { maxBytes: this.options.maxMessageSizeBytes }).frame!;
    } catch (error) {
      this.refuseFrame(bytes, error);
      return;
    }
    this.opened();
    if (frame.$case === 'keepalive') this.keepaliveAnswered();
    this.options.onFrame(frame);
  }

  /** An oversized message that still has an id is refused by Ack; anything else resets the stream. */
  private refuseFrame(bytes: Buffer, error: unknown): void {
    const envelopeError = error instanceof EnvelopeError ? error : undefined;
    const code = envelopeError?.code ?? 'UNDECODABLE';
    this.options.metrics.badFrame(code);
    if (envelopeError?.code === 'TOO_LARGE') {
      const message = messageOf(bytes);
      if (message) {
        this.opened();
        this.options.onOversized(message, envelopeError);
        return;
      }
    }
    const reason = (error as Error)?.message ?? String(error);
    this.options.log.error(
      { server: this.address, frameProblem: code, bytes: bytes.length, err: error },
      `cloudcore ${this.address} sent a bad frame; resetting the stream`,
    );
    this.finish(new EdgeHubError('BAD_FRAME', `cloudcore ${this.address} sent a bad frame: ${reason}`, { cause: error }));
  }

  private sendKeepalive(): void {
    if (this.done) return;
    // Measure from the oldest unanswered keepalive: a late answer shows as a long round trip, not a short one.
    this.keepaliveSentAt ??= performance.now();
    this.call.write(encodeRequest({ frame: { $case: 'keepalive', value: { sentAtMs: Date.now() } } }));
  }

  private keepaliveAnswered(): void {
    if (this.keepaliveSentAt === undefined) return;
    this.options.metrics.keepaliveRtt((performance.now() - this.keepaliveSentAt) / 1000);
    this.keepaliveSentAt = undefined;
  }

  private silent(silenceMs: number): void {
    // While reading is paused the cloud may well be talking; we are just not listening.
    if (this.paused) {
      this.watchdog.refresh();
      return;
    }
    const what = this.openedAt === undefined ? 'did not answer' : 'sent nothing';
    this.finish(
      new EdgeHubError('CLOUD_SILENT', `cloudcore ${this.address} ${what} for ${silenceMs} ms (2 x heartbeat)`),
    );
  }

  private finish(error: EdgeHubError): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.watchdog);
    clearInterval(this.keepaliveTimer);
    this.options.signal.removeEventListener('abort', this.onAbort);
    this.call.cancel();
    this.client.close();
    const openMs = this.openedAt === undefined ? 0 : performance.now() - this.openedAt;
    this.finishWith({ error, opened: this.openedAt !== undefined, openMs });
  }
}

export function encodeRequest(request: TunnelRequest): Buffer {
  const bytes = TunnelRequest.encode(request).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The message in an over-limit frame, if it decodes at all and has an id to refuse. */
function messageOf(bytes: Buffer): Message | undefined {
  try {
    const frame = TunnelResponse.decode(bytes).frame;
    return frame?.$case === 'message' && frame.value.header?.id ? frame.value : undefined;
  } catch {
    return undefined;
  }
}

function streamFailed(address: string, error: ServiceError): EdgeHubError {
  const name = status[error.code] ?? String(error.code);
  return new EdgeHubError('STREAM_CLOSED', `stream to cloudcore ${address} failed: ${name}: ${error.details}`, {
    cause: error,
  });
}
