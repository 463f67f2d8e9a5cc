/**
 * One edge node's tunnel stream. A session is a small state machine:
 *
 *   open ⇄ blocked      blocked: the last write hit back-pressure; control frames still go out, messages wait
 *   open|blocked → closing   the cloud ended the stream with a status (the hub is told once, then)
 *   any → closed        the stream is gone (the hub is told once, if it was not closing)
 *
 * Sessions have no timers and no closures of their own: one sweep in the hub checks keepalives and write stalls for
 * all of them, and one set of listener functions (SessionListeners) serves every stream.
 */
import type { Ack, TunnelResponse } from '../../gen/kubeedge/tunnel/v1/tunnel';
import { decodeTunnelRequest, EnvelopeError, type Message } from '../../pkg/message';
import type { Logger } from '../../pkg/log';
import { toStatus, TunnelError } from './errors';
import type { NodeQueue } from './node-queue';
import type { TunnelCall } from './server';

export type SessionState = 'open' | 'blocked' | 'closing' | 'closed';

const TRANSITIONS: Readonly<Record<SessionState, readonly SessionState[]>> = {
  open: ['blocked', 'closing', 'closed'],
  blocked: ['open', 'closing', 'closed'],
  closing: ['closed'],
  closed: [],
};

/** What a session needs from the hub. */
export interface SessionHost {
  readonly log: Logger;
  readonly maxFrameBytes: number;
  readonly maxMessageSizeBytes: number;
  /** Handles an upstream message; resolves with the ack to send back (never rejects). */
  upstream(session: NodeSession, message: Message): Promise<Ack>;
  acked(session: NodeSession, ack: Ack): void;
  /** Back-pressure is over: more messages may be written. */
  writable(session: NodeSession): void;
  /** The session is over; called exactly once. `error` is undefined when the peer went away. */
  ended(session: NodeSession, error: TunnelError | undefined): void;
}

/** Whether the Node carries this cloudcore's annotation. */
export type AnnotationState = 'missing' | 'annotating' | 'done';

export class NodeSession {
  state: SessionState = 'open';
  lastHeardMs: number;
  blockedSinceMs = 0;
  /** An upstream message is being handled; reading is paused until it is acked. */
  busy = false;
  /** The node's outbound queue while it has one (the hub links and unlinks it). */
  queue: NodeQueue | undefined;
  annotation: AnnotationState = 'missing';

  constructor(
    readonly node: string,
    readonly call: TunnelCall,
    private readonly host: SessionHost,
    nowMs: number,
  ) {
    this.lastHeardMs = nowMs;
  }

  /** False while blocked or ending: the hub should not hand out more messages. */
  get writable(): boolean {
    return this.state === 'open';
  }

  /** Writes a frame unless the session is ending; returns whether more may be written now. */
  write(frame: TunnelResponse): boolean {
    if (this.state !== 'open' && this.state !== 'blocked') return false;
    if (this.call.write(frame)) return this.state === 'open';
    if (this.state === 'open') {
      this.blockedSinceMs = Date.now();
      this.transition('blocked', 'write buffer full');
    }
    return false;
  }

  /** Ends the stream with the error's status and tells the hub. */
  end(error: TunnelError): void {
    if (!this.transition('closing', error.message)) return;
    // grpc-js ends the stream with the status of an 'error' event (OK included), after what is already written.
    this.call.emit('error', toStatus(error));
    this.host.ended(this, error);
  }

  /** Why the sweep should end this session now, if it should. */
  expired(nowMs: number, keepaliveIntervalMs: number, writeTimeoutMs: number): TunnelError | undefined {
    if (this.state !== 'open' && this.state !== 'blocked') return undefined;
    // While a cloud module is slow to take an upstream message, reading is paused: that silence is not the edge's.
    if (!this.busy && nowMs - this.lastHeardMs > keepaliveIntervalMs) {
      return new TunnelError(
        'KEEPALIVE_TIMEOUT',
        `no keepalive or other frame from node ${this.node} for ${nowMs - this.lastHeardMs} ms, over ` +
          `modules.cloudHub.keepaliveInterval (${keepaliveIntervalMs} ms); the edge must send a keepalive more often`,
      );
    }
    if (this.state === 'blocked' && nowMs - this.blockedSinceMs > writeTimeoutMs) {
      return new TunnelError(
        'WRITE_TIMEOUT',
        `node ${this.node} read nothing for ${nowMs - this.blockedSinceMs} ms, over modules.cloudHub.writeTimeout ` +
          `(${writeTimeoutMs} ms)`,
      );
    }
    return undefined;
  }

  /** One request frame from the edge, as raw bytes. */
  received(bytes: Buffer): void {
    if (this.state !== 'open' && this.state !== 'blocked') return;
    const nowMs = Date.now();
    this.lastHeardMs = nowMs;
    let frame;
    try {
      frame = decodeTunnelRequest(bytes, { maxBytes: this.host.maxFrameBytes }).frame!;
    } catch (error) {
      this.end(this.frameError(error));
      return;
    }
    switch (frame.$case) {
      case 'keepalive':
        this.write({ frame: { $case: 'keepalive', value: { sentAtMs: nowMs } } });
        return;
      case 'ack':
        this.host.acked(this, frame.value);
        return;
      case 'message': {
        const size = frame.value.content.length;
        if (size > this.host.maxMessageSizeBytes) {
          this.end(
            new TunnelError(
              'TOO_LARGE',
              `message.content: is ${size} bytes, over the limit of ${this.host.maxMessageSizeBytes} ` +
                '(modules.cloudHub.maxMessageSize); send large objects in parts, or raise the limit on cloud and edge',
            ),
          );
          return;
        }
        this.handleMessage(frame.value);
        return;
      }
      default:
        unreachable(frame);
    }
  }

  /** The edge half-closed its side. */
  peerEnded(): void {
    this.end(new TunnelError('PEER_CLOSED', `node ${this.node} closed its side of the stream`));
  }

  /** The stream is gone, whoever ended it. */
  closed(): void {
    const wasClosing = this.state === 'closing';
    if (!this.transition('closed', 'stream closed')) return;
    if (!wasClosing) this.host.ended(this, undefined);
  }

  drained(): void {
    if (this.state === 'blocked' && this.transition('open', 'write buffer drained')) this.host.writable(this);
  }

  /** Upstream messages are handled one at a time, in order: reading pauses until the cloud module has taken it. */
  private handleMessage(message: Message): void {
    this.busy = true;
    this.call.pause();
    void this.host.upstream(this, message).then((ack) => {
      this.busy = false;
      this.lastHeardMs = Date.now();
      this.write({ frame: { $case: 'ack', value: ack } });
      if (this.state === 'open' || this.state === 'blocked') this.call.resume();
    });
  }

  private frameError(error: unknown): TunnelError {
    if (!(error instanceof EnvelopeError)) {
      return new TunnelError('INVALID_FRAME', `cannot read a frame from node ${this.node}: ${String(error)}`, { cause: error });
    }
    const code = error.code === 'TOO_LARGE' ? 'TOO_LARGE' : 'INVALID_FRAME';
    return new TunnelError(code, `bad frame from node ${this.node}: ${error.message}`, { cause: error });
  }

  private transition(to: SessionState, why: string): boolean {
    const from = this.state;
    if (!TRANSITIONS[from].includes(to)) return false;
    this.state = to;
    this.host.log.debug({ node: this.node, from, to, why }, 'session state');
    return true;
  }
}

/**
 * The stream event listeners, created once per hub and shared by every session: EventEmitter calls a listener with
 * the stream as `this`, and the WeakMap finds its session. This saves five closures per connected node.
 */
export class SessionListeners {
  private readonly sessions = new WeakMap<TunnelCall, NodeSession>();
  private readonly onData: (this: TunnelCall, bytes: Buffer) => void;
  private readonly onEnd: (this: TunnelCall) => void;
  private readonly onDrain: (this: TunnelCall) => void;
  private readonly onClose: (this: TunnelCall) => void;

  constructor() {
    const sessions = this.sessions;
    this.onData = function (this: TunnelCall, bytes: Buffer) {
      sessions.get(this)?.received(bytes);
    };
    this.onEnd = function (this: TunnelCall) {
      sessions.get(this)?.peerEnded();
    };
    this.onDrain = function (this: TunnelCall) {
      sessions.get(this)?.drained();
    };
    this.onClose = function (this: TunnelCall) {
      sessions.get(this)?.closed();
    };
  }

  attach(session: NodeSession): void {
    const call = session.call;
    this.sessions.set(call, session);
    call.on('data', this.onData);
    call.on('end', this.onEnd);
    call.on('drain', this.onDrain);
    call.on('close', this.onClose);
  }
}

function unreachable(value: never): never {
  throw new Error(`unhandled tunnel frame ${JSON.stringify(value)}`);
}
