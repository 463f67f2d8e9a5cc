import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import { runAsProcess, type CliIO, type ProcessHost } from '.';

/** A stand-in for `process`; the real process is exercised by cloudcore/main.test.ts. */
function fakeHost(stdin = '') {
  const emitter = new EventEmitter();
  const stderr: string[] = [];
  const exits: number[] = [];
  const host: ProcessHost = {
    argv: ['node', 'main.js', '--flag'],
    stdout: { write: () => true },
    stderr: { write: (text: string) => stderr.push(text) },
    stdin: Readable.from([Buffer.from(stdin)]),
    on: (event, listener) => emitter.on(event, listener),
    off: (event, listener) => emitter.off(event, listener),
    exit: (code) => void exits.push(code),
  };
  return { host, emitter, stderr, exits };
}

describe('runAsProcess', () => {
  it('passes the arguments, sets the exit status and removes its signal handlers', async () => {
    const { host, emitter } = fakeHost();
    let seen: readonly string[] = [];
    await runAsProcess((argv) => {
      seen = argv;
      return Promise.resolve(3);
    }, host);
    expect(seen).toEqual(['--flag']);
    expect(host.exitCode).toBe(3);
    expect(emitter.listenerCount('SIGTERM') + emitter.listenerCount('SIGINT')).toBe(0);
  });

  it('aborts on the first signal and exits 1 at once on the second', async () => {
    const { host, emitter, stderr, exits } = fakeHost();
    let io: CliIO | undefined;
    let finish: (code: number) => void = () => undefined;
    const done = runAsProcess((_argv, given) => {
      io = given;
      return new Promise<number>((resolve) => (finish = resolve));
    }, host);
    emitter.emit('SIGTERM', 'SIGTERM');
    expect(io?.signal.aborted).toBe(true);
    expect(io?.signal.reason).toBe('received SIGTERM');
    expect(exits).toEqual([]);
    emitter.emit('SIGINT', 'SIGINT');
    expect(exits).toEqual([1]);
    expect(stderr.join('')).toBe('received SIGINT again; exiting now\n');
    finish(0);
    await done;
  });

  it('reads standard input on request', async () => {
    const { host } = fakeHost('kind: CloudCore\n');
    let text = '';
    await runAsProcess(async (_argv, io) => {
      text = await io.readStdin();
      return 0;
    }, host);
    expect(text).toBe('kind: CloudCore\n');
  });

  it('turns an unexpected throw into status 1 with the stack on stderr', async () => {
    const { host, stderr } = fakeHost();
    await runAsProcess(() => Promise.reject(new Error('kaput')), host);
    expect(host.exitCode).toBe(1);
    expect(stderr.join('')).toMatch(/^fatal: Error: kaput\n/);
  });
});
