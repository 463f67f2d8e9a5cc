/**
 * The hub: one session per connected node, the node limit, replacing a node's older stream, connection events for
 * the cloud modules, the Node annotation, and the one sweep (timer) that serves every session.
 */
import type { Ack } from '../../gen/kubeedge/tunnel/v1/tunnel';
import type { Logger } from '../../pkg/log';
import { newMessage, newErrorResponse, Operation, type Message } from '../../pkg/message';
import { Downstream } from './downstream';
import { TunnelError, toStatus } from './errors';
import { nodeIdentity } from './identity';
import type { CloudHubMetrics } from './metrics';
import type { NodeAnnotator } from './node-annotator';
import type { CompiledOptions } from './options';
import { CONNECTION_LISTENERS, isModuleAbsent, isRuntimeStopping } from './routes';
import type { TunnelCall } from './server';
import { NodeSession, SessionListeners, type SessionHost } from './session';
import { Upstream, type ModulePort } from './upstream';

export interface HubParts {
  readonly options: CompiledOptions;
  readonly log: Logger;
  readonly metrics: CloudHubMetrics;
  readonly downstream: Downstream;
  readonly upstream: Upstream;
  readonly annotator?: NodeAnnotator;
}

export class Hub implements SessionHost {
  readonly log: Logger;
  readonly maxFrameBytes: number;
  readonly maxMessageSizeBytes: number;
  private readonly sessions = new Map<string, NodeSession>();
  private readonly listeners = new SessionListeners();
  private port: ModulePort | undefined;
  private readonly sessionOf = (node: string): NodeSession | undefined => this.sessions.get(node);

  constructor(private readonly parts: HubParts) {
    this.log = parts.log;
    this.maxFrameBytes = parts.options.maxFrameBytes;
    this.maxMessageSizeBytes = parts.options.maxMessageSizeBytes;
    parts.metrics.connectedNodes(() => ({ connected: this.sessions.size, blocked: this.countBlocked() }));
    parts.metrics.queueLength(() => parts.downstream.totals());
  }

  /** Nodes with an open session, for health checks and tests. */
  connectedNodes(): string[] {
    return [...this.sessions.keys()];
  }

  private countBlocked(): number {
    let blocked = 0;
    for (const session of this.sessions.values()) if (session.state === 'blocked') blocked++;
    return blocked;
  }

  /** Starts taking streams: cloud modules are reachable through `port`. */
  open(port: ModulePort): void {
    this.port = port;
  }

  /** Ends every session (the edge reconnects, to another cloudcore if there is one) and takes no new ones. */
  close(): void {
    this.port = undefined;
    const error = new TunnelError('SHUTTING_DOWN', 'cloudcore is shutting down; reconnect (to another cloudcore if there is one)');
    for (const session of [...this.sessions.values()]) session.end(error);
  }

  /** A new tunnel stream. */
  accept(call: TunnelCall): void {
    let node: string;
    try {
      node = nodeIdentity(call.getAuthContext());
    } catch (error) {
      this.refuse(call, error as TunnelError);
      return;
    }
    if (this.port === undefined) {
      this.refuse(call, new TunnelError('SHUTTING_DOWN', 'cloudcore is not serving edge nodes right now; retry'));
      return;
    }
    const previous = this.sessions.get(node);
    const { nodeLimit } = this.parts.options;
    if (previous === undefined && this.sessions.size >= nodeLimit) {
      this.refuse(
        call,
        new TunnelError(
          'NODE_LIMIT',
          `cloudcore already serves ${this.sessions.size} edge nodes, the most modules.cloudHub.nodeLimit (${nodeLimit}) ` +
            `allows; node ${node} is refused. Raise nodeLimit or connect the node to another cloudcore`,
        ),
      );
      return;
    }
    const session = new NodeSession(node, call, this, Date.now());
    // Registered before the old one ends, so that its end reads as a replacement, not a disconnect.
    this.sessions.set(node, session);
    previous?.end(new TunnelError('REPLACED', `node ${node} opened a newer stream from ${call.getPeer()}; this older one is closed`));
    this.listeners.attach(session);
    this.log.info({ node, peer: call.getPeer(), replaced: previous !== undefined }, 'edge node connected');
    this.announce(node, Operation.OPERATION_CONNECTED);
    this.annotate(session);
    this.parts.downstream.connected(session);
  }

  /** A message from a cloud module for an edge node. */
  dispatch(message: Message): void {
    const dropped = this.parts.downstream.dispatch(message, this.sessionOf);
    if (dropped === undefined) return;
    this.log.debug({ resource: message.route?.resource, reason: dropped.reason }, `downstream message dropped: ${dropped.detail}`);
    // A sender waiting in sendSync learns why instead of timing out.
    if (message.header?.sync && message.header.id !== '') this.port?.respond(newErrorResponse(message, dropped.detail));
  }

  /** Keepalive and write-stall checks, resends and back-offs for every session; run by one shared timer. */
  sweep(): void {
    const nowMs = Date.now();
    const { keepaliveIntervalMs, writeTimeoutMs } = this.parts.options;
    for (const session of this.sessions.values()) {
      const expired = session.expired(nowMs, keepaliveIntervalMs, writeTimeoutMs);
      if (expired !== undefined) {
        this.log.warn({ node: session.node, reason: expired.code }, expired.message);
        session.end(expired);
        continue;
      }
      this.parts.downstream.sweep(session, nowMs);
    }
  }

  // SessionHost

  upstream(session: NodeSession, message: Message): Promise<Ack> {
    return this.parts.upstream.handle(session.node, message, this.port).then((ack) => {
      if (ack.error === '') this.annotateOnStatus(session, message);
      return ack;
    });
  }

  acked(session: NodeSession, ack: Ack): void {
    this.parts.downstream.acked(session, ack);
  }

  writable(session: NodeSession): void {
    this.parts.downstream.pump(session);
  }

  ended(session: NodeSession, error: TunnelError | undefined): void {
    const replaced = this.sessions.get(session.node) !== session;
    if (!replaced) this.sessions.delete(session.node);
    this.parts.metrics.sessionEnded(error?.label ?? 'peer_gone');
    this.parts.downstream.disconnected(session);
    this.log.info({ node: session.node, reason: error?.message ?? 'the edge went away' }, 'edge node disconnected');
    if (!replaced) this.announce(session.node, Operation.OPERATION_DISCONNECTED);
  }

  private refuse(call: TunnelCall, error: TunnelError): void {
    this.parts.metrics.connectionRefused(error.label);
    this.log.warn({ peer: call.getPeer(), reason: error.code }, `tunnel refused: ${error.message}`);
    call.emit('error', toStatus(error));
  }

  /** CONNECTED / DISCONNECTED to each connection listener that runs; absent ones are skipped. */
  private announce(node: string, operation: Operation.OPERATION_CONNECTED | Operation.OPERATION_DISCONNECTED): void {
    const port = this.port;
    if (port === undefined) return;
    const event = newMessage({ source: 'cloudhub', group: 'resource', operation, resource: `node/${node}` });
    for (const module of CONNECTION_LISTENERS) {
      port.send(module, event).catch((error: unknown) => {
        if (isModuleAbsent(error) || isRuntimeStopping(error)) return;
        this.log.warn({ node, module, err: error }, 'cannot tell a cloud module about a connection change');
      });
    }
  }

  private annotate(session: NodeSession): void {
    const annotator = this.parts.annotator;
    if (annotator === undefined || session.annotation !== 'missing') return;
    session.annotation = 'annotating';
    void annotator.annotate(session.node).then((done) => {
      session.annotation = done ? 'done' : 'missing';
    });
  }

  /** A Node that did not exist at connect time is annotated once the node reports on itself. */
  private annotateOnStatus(session: NodeSession, message: Message): void {
    if (session.annotation !== 'missing' || message.route!.group !== 'resource') return;
    const type = message.route!.resource.split('/', 3)[1];
    if (type === 'nodestatus' || type === 'node') this.annotate(session);
  }
}

