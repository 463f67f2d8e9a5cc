/**
 * A TCP proxy on loopback that plays a bad network link between an edge and the cloud, for tests that must prove
 * nothing is lost when the link misbehaves. It works below TLS, so both ends see exactly what a broken cable, a NAT
 * that forgets a flow or a stalled mobile link would show them.
 *
 *   pass     bytes flow both ways
 *   stall    bytes are held (not forwarded, not lost) until the mode changes: a link that hangs
 *   drop     bytes are read and thrown away: a black hole, neither end learns the link is dead from TCP. A connection
 *            that lived through it has lost bytes mid-stream, so TLS on it fails once the link passes again.
 *   refuse   new connections are closed at once (existing ones keep their current behaviour)
 *
 * `reset()` destroys every open connection, as a cloud restart or a link flap does.
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

export type LinkMode = 'pass' | 'stall' | 'drop' | 'refuse';

interface Pipe {
  client: Socket;
  upstream: Socket;
}

export class LinkProxy {
  private server: Server | undefined;
  private readonly pipes = new Set<Pipe>();
  private mode: LinkMode = 'pass';
  /** Bytes forwarded client -> upstream and upstream -> client. */
  readonly bytes = { up: 0, down: 0 };
  /** Connections accepted so far (refused ones included). */
  connections = 0;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** Starts a proxy on 127.0.0.1 with a free port that forwards to host:port. */
  static async start(targetHost: string, targetPort: number): Promise<LinkProxy> {
    const proxy = new LinkProxy(targetHost, targetPort);
    const server = createServer((client) => proxy.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    proxy.server = server;
    return proxy;
  }

  get port(): number {
    return (this.server?.address() as AddressInfo).port;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get openConnections(): number {
    return this.pipes.size;
  }

  setMode(mode: LinkMode): void {
    this.mode = mode;
    // Held bytes flow again (or are thrown away) as soon as the link leaves 'stall'.
    for (const pipe of this.pipes) this.applyFlow(pipe);
  }

  /** Destroys every open connection without a FIN: both ends see a reset. */
  reset(): void {
    for (const pipe of this.pipes) {
      pipe.client.resetAndDestroy();
      pipe.upstream.resetAndDestroy();
    }
    this.pipes.clear();
  }

  async close(): Promise<void> {
    this.reset();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(client: Socket): void {
    this.connections++;
    if (this.mode === 'refuse') {
      client.destroy();
      return;
    }
    const upstream = connect(this.targetPort, this.targetHost);
    const pipe: Pipe = { client, upstream };
    this.pipes.add(pipe);
    const forget = (): void => {
      if (!this.pipes.delete(pipe)) return;
      client.destroy();
      upstream.destroy();
    };
    client.on('error', forget).on('close', forget);
    upstream.on('error', forget).on('close', forget);
    client.on('data', (chunk: Buffer) => this.forward(chunk, upstream, 'up'));
    upstream.on('data', (chunk: Buffer) => this.forward(chunk, client, 'down'));
    this.applyFlow(pipe);
  }

  private forward(chunk: Buffer, to: Socket, direction: 'up' | 'down'): void {
    if (this.mode === 'drop') return;
    this.bytes[direction] += chunk.length;
    to.write(chunk);
  }

  /** 'stall' pauses reading, so TCP holds the bytes in the kernel buffers and nothing is lost. */
  private applyFlow(pipe: Pipe): void {
    if (this.mode === 'stall') {
      pipe.client.pause();
      pipe.upstream.pause();
    } else {
      pipe.client.resume();
      pipe.upstream.resume();
    }
  }
}
