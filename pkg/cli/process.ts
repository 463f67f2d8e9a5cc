import type { CliMain, TextOutput } from './io';

const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type ShutdownSignal = (typeof SHUTDOWN_SIGNALS)[number];

/** The parts of `process` runAsProcess uses; a test can hand in a small stand-in. */
export interface ProcessHost {
  readonly argv: readonly string[];
  readonly stdout: TextOutput;
  readonly stderr: TextOutput;
  readonly stdin: AsyncIterable<string | Buffer>;
  exitCode?: number | string | undefined;
  on(event: ShutdownSignal, listener: (signal: NodeJS.Signals) => void): unknown;
  off(event: ShutdownSignal, listener: (signal: NodeJS.Signals) => void): unknown;
  exit(code: number): void;
}

/**
 * Runs `main` as this process: the first SIGINT/SIGTERM asks it to stop (aborts io.signal), a second
 * one exits with status 1 at once. The exit status is set, not forced, so output is flushed first.
 */
export async function runAsProcess(main: CliMain, host: ProcessHost = process): Promise<void> {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      controller.abort(`received ${name}`);
      return;
    }
    host.stderr.write(`received ${name} again; exiting now\n`);
    host.exit(1);
  };
  for (const name of SHUTDOWN_SIGNALS) host.on(name, onSignal);
  try {
    const io = { stdout: host.stdout, stderr: host.stderr, readStdin: () => readAll(host.stdin), signal: controller.signal };
    host.exitCode = await main(host.argv.slice(2), io);
  } catch (error) {
    host.stderr.write(`fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    host.exitCode = 1;
  } finally {
    for (const name of SHUTDOWN_SIGNALS) host.off(name, onSignal);
  }
}

async function readAll(stream: AsyncIterable<string | Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
