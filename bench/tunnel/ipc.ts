/**
 * Request/reply over Node's IPC channel between the orchestrator and its child processes (the cloud harness and the
 * load generator shards). The channel is a pipe driven with sendmsg/recvmsg, so it does not show in the
 * read()/write() byte counts of /proc/<pid>/io that the bandwidth figure reads.
 */
import type { ChildProcess } from 'node:child_process';

interface Envelope {
  id: number;
  request: unknown;
}

interface Reply {
  id: number;
  value?: unknown;
  error?: string;
}

/** An event a child sends without being asked (`{ event: ... }`). */
export interface ChildEvent {
  event: string;
  [key: string]: unknown;
}

/** The orchestrator's end: `call` sends a request and resolves with the child's reply. */
export class ChildChannel<Request> {
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private readonly exited: Promise<void>;

  constructor(
    readonly child: ChildProcess,
    readonly name: string,
    onEvent: (event: ChildEvent) => void = () => undefined,
  ) {
    child.on('message', (raw: Reply | ChildEvent) => {
      if ('event' in raw) return onEvent(raw);
      const waiter = this.waiting.get(raw.id);
      if (!waiter) return;
      this.waiting.delete(raw.id);
      if (raw.error !== undefined) waiter.reject(new Error(`${name}: ${raw.error}`));
      else waiter.resolve(raw.value);
    });
    this.exited = new Promise((done) => child.once('exit', () => done()));
    child.once('exit', (code, signal) => {
      for (const waiter of this.waiting.values()) waiter.reject(new Error(`${name} exited (status ${code}, signal ${signal}) before answering`));
      this.waiting.clear();
    });
  }

  call<T>(request: Request): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ id, request } satisfies Envelope, (error) => {
        if (error && this.waiting.delete(id)) reject(new Error(`${this.name}: cannot send request: ${error.message}`));
      });
    });
  }

  /** Waits for the child to exit, killing it if it has not within `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  get done(): Promise<void> {
    return this.exited;
  }
}

/** The child's end: answers each request with `handle`'s result (or its error's message). */
export function serveRequests<Request>(handle: (request: Request) => Promise<unknown> | unknown): void {
  if (!process.send) throw new Error('this program is started by bench/tunnel/main.js, with an IPC channel');
  process.on('message', (raw: Envelope) => {
    Promise.resolve()
      .then(() => handle(raw.request as Request))
      .then(
        (value) => process.send!({ id: raw.id, value } satisfies Reply),
        (error: unknown) => process.send!({ id: raw.id, error: error instanceof Error ? error.message : String(error) } satisfies Reply),
      );
  });
  // The orchestrator went away: nothing is left to serve.
  process.on('disconnect', () => process.exit(0));
}

export function sendEvent(event: ChildEvent): void {
  process.send?.(event);
}
