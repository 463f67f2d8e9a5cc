/**
 * One run of the EdgeHub module (a crash restart makes a new one): the reconnect loop that walks the server list
 * with back-off, and the upstream loop that drains the hub inbox. The connection state machine is the single place
 * where the connection changes; its listener does what each change implies.
 */
import type { Logger } from '../../pkg/log';
import type { ModuleContext } from '../../pkg/modules';
import { formatHostPort, type HostPort } from '../../pkg/config/address';
import { Backoff, sleep } from '../../pkg/timing';
import { announceConnection } from './announce';
import { ConnectionStateMachine, type ConnectionState, type Transition } from './connection-state';
import { loadTlsMaterial, type EnsureCertificates } from './credentials';
import { Downstream } from './downstream';
import { EdgeHubError } from './errors';
import type { EdgeHubMetrics } from './metrics';
import type { CompiledEdgeHubOptions } from './options';
import { TunnelSession, type Frame, type SessionEnd } from './tunnel-session';
import { Upstream } from './upstream';

export interface EdgeHubRunDeps {
  options: CompiledEdgeHubOptions;
  ctx: ModuleContext;
  log: Logger;
  metrics: EdgeHubMetrics;
  ensureCertificates: EnsureCertificates | undefined;
}

export class EdgeHubRun {
  private readonly machine: ConnectionStateMachine;
  private readonly upstream: Upstream;
  private readonly downstream: Downstream;
  private readonly stopRun = new AbortController();
  private readonly signal: AbortSignal;
  private session: TunnelSession | undefined;
  /** Aborting ends the current attempt (dialling or connected) with the abort reason. */
  private attempt: AbortController | undefined;
  /** Aborting cuts the back-off wait short. */
  private wake: AbortController | undefined;
  /** The last configuration-type failure (certificates), for the health check; cleared on connect. */
  private problem: EdgeHubError | undefined;

  constructor(private readonly deps: EdgeHubRunDeps) {
    const { options, ctx, log, metrics } = deps;
    this.signal = AbortSignal.any([ctx.signal, this.stopRun.signal]);
    this.machine = new ConnectionStateMachine(log, (change) => this.changed(change));
    this.upstream = new Upstream({
      link: () => (this.machine.state === 'connected' && this.session?.isOpen ? this.session : undefined),
      respond: (answer) => ctx.respond(answer),
      send: (destination, message) => ctx.send(destination, message),
      messageQPS: options.messageQPS,
      messageBurst: options.messageBurst,
      maxMessageSizeBytes: options.maxMessageSizeBytes,
      bufferMaxMessages: options.bufferMaxMessages,
      bufferMaxBytes: options.bufferMaxBytes,
      queryTimeoutMs: options.queryTimeoutMs,
      maxPendingQueries: options.maxPendingQueries,
      metrics,
      log,
      signal: this.signal,
    });
    this.downstream = new Downstream({
      send: (destination, message) => ctx.send(destination, message),
      sendSync: (destination, message, timeoutMs) => ctx.sendSync(destination, message, timeoutMs),
      dispatchTimeoutMs: options.dispatchTimeoutMs,
      maxInFlight: options.maxInFlightDownstream,
      maxMessageSizeBytes: options.maxMessageSizeBytes,
      metrics,
      log,
    });
  }

  get state(): ConnectionState {
    return this.machine.state;
  }

  get healthProblem(): EdgeHubError | undefined {
    return this.problem;
  }

  /** Runs until the module is stopped. Rejects only on a bug, which the runtime answers with a restart. */
  async run(): Promise<void> {
    try {
      await Promise.all([this.connectionLoop(), this.upstreamLoop()]);
    } finally {
      this.stopRun.abort(new EdgeHubError('STOPPING', 'edgehub is stopping'));
      this.upstream.stop();
      if (this.machine.state !== 'stopped') this.machine.transition('stopped', { reason: 'edgehub is stopping' });
    }
  }

  /** Drops the current connection (or the back-off wait) and connects again at once, re-reading the TLS files. */
  reconnect(reason: string): void {
    if (this.signal.aborted) return;
    this.deps.log.info({ reason }, 'reconnect requested');
    this.attempt?.abort(new EdgeHubError('RECONNECT_REQUESTED', `reconnect requested: ${reason}`));
    this.wake?.abort();
  }

  private async upstreamLoop(): Promise<void> {
    try {
      for await (const message of this.deps.ctx.receive()) {
        await this.upstream.submit(message);
      }
    } catch (error) {
      if (!this.signal.aborted) throw error;
    }
  }

  private async connectionLoop(): Promise<void> {
    const { options, metrics, log } = this.deps;
    const backoff = new Backoff({ initialMs: options.reconnectInitialMs, maxMs: options.reconnectMaxMs });
    let index = 0;
    for (let attempt = 0; !this.signal.aborted; attempt++) {
      if (attempt > 0) metrics.reconnect();
      const server = options.servers[index]!;
      const end = await this.connectOnce(server);
      if (this.signal.aborted) break;
      const serious = end.error.code === 'CERTIFICATES' || end.error.code === 'BAD_FRAME';
      this.machine.transition('disconnected', {
        reason: end.error.message,
        server: formatHostPort(server),
        error: end.error,
        ...(serious ? { level: 'error' as const } : {}),
      });
      if (end.error.code === 'RECONNECT_REQUESTED') {
        backoff.reset();
        continue; // same server, no wait
      }
      // A session that stayed up a while was a success: the next failure starts the back-off afresh.
      if (end.openMs >= options.heartbeatMs) backoff.reset();
      // On any failure try the next cloudcore: the one that failed may be the one that is down.
      index = (index + 1) % options.servers.length;
      const delayMs = backoff.next();
      log.debug({ retryInMs: delayMs, server: formatHostPort(options.servers[index]!) }, 'will reconnect after back-off');
      await this.waitBeforeRetry(delayMs);
    }
  }

  /** One attempt: TLS material, dial, run the session until it ends. Never throws. */
  private async connectOnce(server: HostPort): Promise<SessionEnd> {
    const { options, log, metrics } = this.deps;
    const address = formatHostPort(server);
    this.machine.transition('connecting', { reason: `dialling ${address}`, server: address });
    const attempt = new AbortController();
    this.attempt = attempt;
    const signal = AbortSignal.any([this.signal, attempt.signal]);
    try {
      const tls = await loadTlsMaterial(options.tlsFiles, options.nodeName, this.deps.ensureCertificates, signal);
      if (signal.aborted) return endedBy(signal.reason);
      const session = new TunnelSession({
        server,
        credentials: tls.credentials,
        heartbeatMs: options.heartbeatMs,
        maxMessageSizeBytes: options.maxMessageSizeBytes,
        http2KeepaliveTimeMs: options.http2KeepaliveTimeMs,
        http2KeepaliveTimeoutMs: options.http2KeepaliveTimeoutMs,
        log,
        metrics,
        signal,
        onOpen: () => {
          this.problem = undefined;
          this.machine.transition('connected', {
            reason: `stream to ${address} is up (certificate ${tls.certFingerprint.slice(0, 23)}...)`,
            server: address,
          });
        },
        onFrame: (frame) => this.received(frame, session),
        onOversized: (message, error) => this.downstream.refuseOversized(message, error, session),
      });
      this.session = session;
      return await session.ended;
    } catch (error) {
      if (signal.aborted) return endedBy(signal.reason);
      const problem =
        error instanceof EdgeHubError ? error : new EdgeHubError('STREAM_CLOSED', String(error), { cause: error });
      if (problem.code === 'CERTIFICATES') this.problem = problem;
      return { error: problem, opened: false, openMs: 0 };
    } finally {
      this.session = undefined;
      this.attempt = undefined;
    }
  }

  private received(frame: Frame, session: TunnelSession): void {
    switch (frame.$case) {
      case 'keepalive':
        return; // the session measured the round trip and fed the watchdog
      case 'ack':
        return this.upstream.ackReceived(frame.value);
      case 'message':
        if (this.upstream.answer(frame.value)) return;
        return this.downstream.handle(frame.value, session);
      default:
        return unreachable(frame);
    }
  }

  /** What each move of the connection implies. */
  private changed({ from, to }: Transition): void {
    const { ctx, log, metrics } = this.deps;
    metrics.state(to);
    if (to === 'connected') {
      announceConnection('cloud_connected', (destination, message) => ctx.send(destination, message), log);
      this.upstream.connected();
    } else if (from === 'connected') {
      this.upstream.disconnected();
      if (to === 'disconnected') {
        announceConnection('cloud_disconnected', (destination, message) => ctx.send(destination, message), log);
      }
    }
  }

  private async waitBeforeRetry(delayMs: number): Promise<void> {
    const wake = new AbortController();
    this.wake = wake;
    try {
      await sleep(delayMs, AbortSignal.any([this.signal, wake.signal]));
    } catch {
      // stopped, or reconnect() asked to go now
    } finally {
      this.wake = undefined;
    }
  }
}

function endedBy(reason: unknown): SessionEnd {
  const error =
    reason instanceof EdgeHubError ? reason : new EdgeHubError('STOPPING', 'edgehub is stopping', { cause: reason });
  return { error, opened: false, openMs: 0 };
}

function unreachable(frame: never): never {
  throw new Error(`unhandled tunnel frame ${JSON.stringify(frame)}`);
}
