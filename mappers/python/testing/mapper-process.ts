/** The Python mapper as a real child process: its JSON log lines, its exit, SIGTERM. */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { MAPPER_SCRIPT, PYTHON } from './python-env';

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface MapperConfig {
  common?: Record<string, unknown>;
  grpc_server?: Record<string, unknown>;
  [section: string]: unknown;
}

export async function writeConfig(path: string, config: MapperConfig): Promise<string> {
  await writeFile(path, JSON.stringify(config, null, 2));
  return path;
}

export class MapperProcess {
  readonly logs: LogLine[] = [];
  stderr = '';
  readonly exited: Promise<Exit>;
  private exit: Exit | undefined;

  private constructor(private readonly child: ChildProcess) {
    let partial = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) this.logs.push(parseLine(line));
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      }),
    );
  }

  static start(configPath: string, extraArgs: string[] = []): MapperProcess {
    const child = spawn(PYTHON, [MAPPER_SCRIPT, '--config', configPath, ...extraArgs], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new MapperProcess(child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** Resolves with the first log line that matches, or rejects (with the logs so far) when the mapper exits first. */
  async waitForLog(match: (line: LogLine) => boolean, what: string, timeoutMs = 5000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.logs.find(match);
      if (found) return found;
      if (!this.running || Date.now() > deadline) {
        throw new Error(
          `no log line "${what}" (${this.running ? 'timed out' : `mapper exited ${JSON.stringify(this.exit)}`}); ` +
            `logs:\n${this.logs.map((l) => JSON.stringify(l)).join('\n')}\nstderr: ${this.stderr}`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Sends `signal` and waits for the exit; SIGKILL if it does not come within timeoutMs. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 8000): Promise<Exit> {
    if (!this.running) return this.exited;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** For afterAll: ends the process by its PID if a failed test left it running. */
  async kill(): Promise<void> {
    if (this.running) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }
}

function parseLine(line: string): LogLine {
  try {
    return JSON.parse(line) as LogLine;
  } catch {
    // A line that is not JSON is a bug in the mapper's logging; keep it visible to the assertions.
    return { level: 'unparsed', msg: line };
  }
}
