import type { CliIO } from '../io';

/** A CliIO that keeps what is written, for in-process tests of a program's main(argv, io). */
export interface MemoryIO extends CliIO {
  readonly out: () => string;
  readonly err: () => string;
  /** Parsed JSON log lines written to stdout so far. */
  readonly logs: () => Record<string, unknown>[];
  /** Resolves with the first log line `match` accepts (polls; the program runs concurrently). */
  readonly waitForLog: (match: (line: Record<string, unknown>) => boolean, timeoutMs?: number) => Promise<Record<string, unknown>>;
}

export function memoryIO(signal: AbortSignal = new AbortController().signal, stdin = ''): MemoryIO {
  const out: string[] = [];
  const err: string[] = [];
  const logs = () =>
    out
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => err.push(text) },
    readStdin: () => Promise.resolve(stdin),
    signal,
    out: () => out.join(''),
    err: () => err.join(''),
    logs,
    waitForLog: async (match, timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = logs().find(match);
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`no matching log line within ${timeoutMs}ms; got:\n${out.join('')}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
  };
}
