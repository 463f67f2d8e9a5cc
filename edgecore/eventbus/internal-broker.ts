/**
 * The built-in broker (mqttMode internal or both): aedes on a TCP listener at mqttServerInternal, so a fresh install
 * needs no broker of its own. eventbus does not connect to it as a client: like KubeEdge's gomqtt broker, every
 * message a client publishes is matched against eventbus's topic filters inside the broker, and eventbus publishes
 * straight into it. Its own publishes are never taken back (no loops).
 *
 * A client's QoS 1 PUBLISH is acknowledged only after the message was handed to the edge module, so an app sees back
 * pressure when devicetwin or edgehub fall behind, and nothing acknowledged is lost in eventbus.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../../pkg/log';
import { loadAedes, type Aedes, type AedesClient, type AedesPublishPacket } from './aedes';
import { createBoundedPersistence } from './bounded-persistence';
import { EventBusError } from './errors';
import type { BrokerLink, DeliverMessage } from './link';
import { PendingPublishes } from './pending';
import type { EventBusMetrics } from './metrics';
import type { QoS } from './options';
import type { Subscriptions } from './subscriptions';

export interface InternalBrokerOptions {
  host: string;
  /** 0: any free port (tests). */
  port: number;
  qos: QoS;
  retain: boolean;
  /** mqttSessionQueueSize: QoS 1/2 messages kept for each offline client with a persistent session. */
  sessionQueueSize: number;
  maxPendingPublishes: number;
  maxPendingBytes: number;
  subscriptions: Subscriptions;
  deliver: DeliverMessage;
  metrics: EventBusMetrics;
  log: Logger;
}

export class InternalBroker implements BrokerLink {
  readonly name = 'internal' as const;
  private readonly waiting: PendingPublishes;
  private closing: Promise<void> | undefined;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly options: InternalBrokerOptions,
    private readonly broker: Aedes,
    private readonly server: Server,
    /** tcp://host:port as it listens (the real port when 0 was asked for). */
    readonly url: string,
  ) {
    this.waiting = new PendingPublishes(options.maxPendingPublishes, options.maxPendingBytes, 'the internal broker');
  }

  /** Starts the broker and listens; throws EventBusError LISTEN_FAILED naming mqttServerInternal and the fix. */
  static async start(options: InternalBrokerOptions): Promise<InternalBroker> {
    const { log, metrics } = options;
    const persistence = createBoundedPersistence({
      limit: options.sessionQueueSize,
      onDrop: (clientId, first) => {
        metrics.dropped('session_queue_full');
        if (first) {
          log.warn(
            { clientId, limit: options.sessionQueueSize },
            `MQTT client ${clientId} is offline and already has ${options.sessionQueueSize} messages queued ` +
              '(modules.eventBus.mqttSessionQueueSize); newer messages for it are dropped until it reconnects',
          );
        }
      },
    });
    const { Aedes } = loadAedes();
    const broker = new Aedes({ persistence, published: (packet, client, done) => onPublished(packet, client, done) });
    await broker.listen();
    const deliver = (topic: string, payload: Buffer): Promise<void> => options.deliver(topic, payload, 'internal');
    // Clients' publishes only (client null: our own publishes, $SYS heartbeats, wills of gone clients).
    function onPublished(packet: AedesPublishPacket, client: AedesClient | null, done: (error?: Error | null) => void): void {
      if (!client || !options.subscriptions.matches(packet.topic)) return done();
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      // Never pass an error on: aedes would fail the client's publish for a problem that is ours, already logged.
      deliver(packet.topic, payload).then(
        () => done(),
        () => done(),
      );
    }

    const server = createServer((socket) => broker.handle(socket));
    const address = `tcp://${formatHost(options.host)}:${options.port}`;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port, options.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      throw listenError(address, error);
    }
    const bound = server.address();
    const port = typeof bound === 'object' && bound ? bound.port : options.port;
    const internal = new InternalBroker(options, broker, server, `tcp://${formatHost(options.host)}:${port}`);
    server.on('connection', (socket) => {
      internal.sockets.add(socket);
      socket.once('close', () => internal.sockets.delete(socket));
    });
    server.on('error', (error) => log.error({ err: error }, 'internal MQTT broker listener failed'));
    broker.on('clientError', (client, error) => log.debug({ clientId: client.id, err: error }, 'MQTT client error'));
    metrics.connected('internal', true);
    log.info({ url: internal.url }, 'internal MQTT broker listening');
    return internal;
  }

  get pending(): number {
    return this.waiting.size;
  }

  publish(topic: string, payload: Buffer): Promise<void> {
    if (this.closing) return Promise.reject(new EventBusError('QUEUE_FULL', 'the internal broker is stopping'));
    try {
      this.waiting.take(payload.length);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const { qos, retain } = this.options;
    return new Promise<void>((resolve, reject) => {
      this.broker.publish({ cmd: 'publish', topic, payload, qos, retain, dup: false }, (error) => {
        this.waiting.release(payload.length);
        if (error) reject(error);
        else resolve();
      });
    });
  }

  // Matching happens in onPublished against the shared Subscriptions: nothing to tell the broker.
  subscribe(): void {}

  unsubscribe(): void {}

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.options.metrics.connected('internal', false);
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      await new Promise<void>((resolve) => this.broker.close(() => resolve()));
      // aedes closed its clients; a socket that never sent CONNECT is not one of them yet.
      for (const socket of this.sockets) socket.destroy();
      await closed;
    })();
    return this.closing;
  }
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function listenError(address: string, error: unknown): EventBusError {
  const code = (error as NodeJS.ErrnoException)?.code;
  const field = 'modules.eventBus.mqttServerInternal';
  const text =
    code === 'EADDRINUSE'
      ? `${field} ${address}: the port is already in use (another MQTT broker such as mosquitto, or a second edgecore); ` +
        `stop that program, or set ${field} to a free address, or set modules.eventBus.mqttMode: external to use that broker`
      : code === 'EADDRNOTAVAIL'
        ? `${field} ${address}: that address is not on this host; use 127.0.0.1 or an address of this host`
        : code === 'EACCES'
          ? `${field} ${address}: not allowed to listen there (ports below 1024 need root); use a port such as 1884`
          : `${field} ${address}: cannot listen (${(error as Error)?.message ?? String(error)})`;
  return new EventBusError('LISTEN_FAILED', text, { cause: error });
}
