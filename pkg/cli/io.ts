/** Somewhere text goes: process.stdout, or a buffer in tests. */
export interface TextOutput {
  write(text: string): unknown;
}

/** What a command-line program gets from its process, so tests can run it in-process. */
export interface CliIO {
  readonly stdout: TextOutput;
  readonly stderr: TextOutput;
  /** All of standard input, for `--config -` (read as a stream: /dev/stdin cannot be opened on a socket). */
  readStdin(): Promise<string>;
  /** Aborts on the first SIGINT or SIGTERM: the request to shut down. */
  readonly signal: AbortSignal;
}

/** A command-line program: arguments (without node and script) in, exit status out. */
export type CliMain = (argv: readonly string[], io: CliIO) => Promise<number>;
