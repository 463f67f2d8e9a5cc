/**
 * A lean HTTP/1.1 client for load generation: one kept-alive TLS connection, requests written as one buffer, responses
 * parsed by Content-Length or chunked encoding. Node's https client costs more CPU per request than the server work
 * being measured; like wrk, a load generator should stay out of the way.
 */
import * as tls from 'node:tls';

export interface LeanReply {
  status: number;
  body: string;
}

export interface TlsIdentity {
  host: string;
  port: number;
  ca: string;
  cert: string;
  key: string;
}

export class LeanClient {
  private socket: tls.TLSSocket | undefined;
  /** Received bytes not yet consumed, kept as chunks: a 10 MB list arrives in hundreds of them. */
  private chunks: Buffer[] = [];
  private received = 0;
  private waiting: ((reply: LeanReply) => void) | undefined;
  private failed: ((error: Error) => void) | undefined;

  constructor(private readonly id: TlsIdentity) {}

  async connect(): Promise<void> {
    this.socket = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const socket = tls.connect({ host: this.id.host, port: this.id.port, ca: this.id.ca, cert: this.id.cert, key: this.id.key }, () =>
        resolve(socket),
      );
      socket.once('error', reject);
    });
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.received += chunk.length;
      if (this.complete(chunk)) this.parse();
    });
    this.socket.on('error', (error) => this.failed?.(error));
  }

  request(method: string, path: string, body?: string, contentType = 'application/json'): Promise<LeanReply> {
    const socket = this.socket;
    if (!socket) throw new Error('connect() first');
    const payload = body === undefined ? '' : body;
    const head =
      `${method} ${path} HTTP/1.1\r\nHost: ${this.id.host}\r\nAccept: application/json\r\n` +
      (body === undefined ? '' : `Content-Type: ${contentType}\r\nContent-Length: ${Buffer.byteLength(payload)}\r\n`) +
      '\r\n';
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failed = reject;
      socket.write(head + payload);
    });
  }

  close(): void {
    this.socket?.end();
  }

  /** Cheap check before the full parse: the headers are in, and the body's end has arrived. */
  private complete(last: Buffer): boolean {
    if (!this.waiting) return false;
    const first = this.chunks[0]!;
    const headEnd = first.indexOf('\r\n\r\n');
    if (headEnd < 0) {
      this.flatten();
      return this.chunks[0]!.indexOf('\r\n\r\n') >= 0 && this.complete(last);
    }
    const head = first.subarray(0, headEnd).toString('latin1');
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (length) return this.received >= headEnd + 4 + Number(length[1]);
    // Chunked: the body ends with the zero-size chunk.
    const tail = last.length >= 5 ? last.subarray(last.length - 5) : (this.flatten(), this.chunks[0]!.subarray(-5));
    return tail.toString('latin1') === '0\r\n\r\n';
  }

  private flatten(): void {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
  }

  private parse(): void {
    this.flatten();
    const buffer = this.chunks[0]!;
    const end = buffer.indexOf('\r\n\r\n');
    const head = buffer.subarray(0, end).toString('latin1');
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    let body: Buffer;
    let consumed: number;
    if (length) {
      consumed = end + 4 + Number(length[1]);
      body = buffer.subarray(end + 4, consumed);
    } else {
      const parts: Buffer[] = [];
      let at = end + 4;
      for (;;) {
        const lineEnd = buffer.indexOf('\r\n', at);
        const size = parseInt(buffer.subarray(at, lineEnd).toString('latin1'), 16);
        if (size === 0) {
          consumed = lineEnd + 4;
          break;
        }
        parts.push(buffer.subarray(lineEnd + 2, lineEnd + 2 + size));
        at = lineEnd + 2 + size + 2;
      }
      body = Buffer.concat(parts);
    }
    const rest = buffer.subarray(consumed);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.received = rest.length;
    const resolve = this.waiting!;
    this.waiting = undefined;
    resolve({ status, body: body.toString('utf8') });
  }
}
