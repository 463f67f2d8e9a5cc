/**
 * The real programs as child processes: `node -r register-ts.js <entry>.ts ...`, so a system test runs the current
 * sources (swc compiles them on the fly) and not a possibly stale dist/. Each process's JSON log lines are kept in
 * memory for assertions and for the failure messages of waits.
 *
 * Every process started here is remembered until it exits; `stopAll()` (afterEach/afterAll) ends them by PID, and a
 * last-resort 'exit' hook SIGKILLs whatever is left if the test runner goes away first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/**
 * Compiled (dist/, as benchmarks run it): the programs run compiled too, without the swc hook, so that what is
 * measured (memory, start time) is the shipped program. From the sources (jest): the sources.
 */
const COMPILED = __filename.endsWith('.js');
const REPO = join(__dirname, COMPILED ? '../../../..' : '../../..');
const REGISTER_TS = join(REPO, 'pkg/cli/testing/register-ts.js');
const entry = (path: string): string => (COMPILED ? join(REPO, 'dist', `${path}.js`) : join(REPO, `${path}.ts`));
/** The node flags that make `entry` runnable. */
const LOADER = COMPILED ? [] : ['-r', REGISTER_TS];

export const ENTRY = {
  cloudcore: entry('cloudcore/main'),
  edgecore: entry('edgecore/main'),
  keadm: entry('pkg/keadm/main'),
  modbusMapper: entry('mappers/modbus/main'),
  virtualMapper: entry('mappers/virtual/main'),
} as const;

/** One pino line as the programs write it. */
export interface LogLine {
  level: string;
  /** ISO 8601. */
  time: string;
  msg: string;
  [field: string]: unknown;
}

const running = new Set<ManagedProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Synchronous, so it also works when jest tears the worker down: nothing may outlive the test run.
  process.once('exit', () => {
    for (const child of running) child.killNow('SIGKILL');
  });
}

export class ManagedProcess {
  readonly lines: LogLine[] = [];
  /** Output that is not a JSON log line (stderr, warnings, a crash's stack). */
  readonly other: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private stdoutRest = '';
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly name: string,
    entry: string,
    args: readonly string[],
  ) {
    installExitHook();
    // --no-deprecation: grpc-js sets the TLS server name to the IP it dials, and Node warns about that on stderr.
    this.child = spawn(process.execPath, ['--no-deprecation', ...LOADER, entry, ...args], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_ENV: 'test' },
    });
    running.add(this);
    this.child.stdout!.on('data', (chunk: Buffer) => this.stdout(chunk.toString('utf8')));
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.other.push(chunk.toString('utf8'));
      this.notify();
    });
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        running.delete(this);
        resolve({ code, signal });
        this.notify();
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends a signal to this PID (never to a process group or by name). */
  killNow(signal: NodeJS.Signals): void {
    if (this.alive) this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(graceMs = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.alive) {
      this.killNow('SIGTERM');
      const timer = setTimeout(() => this.killNow('SIGKILL'), graceMs);
      try {
        return await this.exited;
      } finally {
        clearTimeout(timer);
      }
    }
    return this.exited;
  }

  /** kill -9, as a power cut or the OOM killer would; resolves once the process is gone. */
  async crash(): Promise<void> {
    this.killNow('SIGKILL');
    await this.exited;
  }

  /** The first line (from `from` on) matching `match`, waiting up to `timeoutMs` for it. */
  async waitForLine(match: (line: LogLine) => boolean, timeoutMs: number, what: string, from = 0): Promise<LogLine> {
    let found: LogLine | undefined;
    await this.until(() => (found = this.lines.slice(from).find(match)) !== undefined, timeoutMs, what);
    return found!;
  }

  /** Lines whose msg contains `text`. */
  find(text: string | RegExp, from = 0): LogLine[] {
    return this.lines.slice(from).filter((line) => (typeof text === 'string' ? line.msg.includes(text) : text.test(line.msg)));
  }

  /** Waits until `check` holds, re-checking on every line and every 100 ms; fails early if the process exits. */
  async until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (!this.alive) throw new Error(`${this.name} exited (${this.child.exitCode ?? this.child.signalCode}) while waiting for ${what}\n${this.tail()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.name}: ${what} not seen within ${timeoutMs} ms\n${this.tail()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(left, 100));
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.add(done);
      });
    }
  }

  /** The last log lines and other output, for failure messages. */
  tail(lines = 40): string {
    const logs = this.lines.slice(-lines).map((line) => `  ${JSON.stringify(line).slice(0, 600)}`);
    const other = this.other.join('').trim();
    return [`--- last ${logs.length} log lines of ${this.name} (pid ${this.child.pid}):`, ...logs, ...(other ? ['--- other output:', other.slice(-3000)] : [])].join('\n');
  }

  private stdout(text: string): void {
    const parts = (this.stdoutRest + text).split('\n');
    this.stdoutRest = parts.pop()!;
    for (const part of parts) {
      if (part.trim() === '') continue;
      try {
        this.lines.push(JSON.parse(part) as LogLine);
      } catch {
        this.other.push(`${part}\n`);
      }
    }
    this.notify();
  }

  private notify(): void {
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiting) wake();
  }
}

/** Ends every process started by this module that is still running: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopAll(graceMs = 5000): Promise<void> {
  await Promise.all([...running].map((child) => child.stop(graceMs)));
}

/** Runs a short-lived program to its end; resolves with its status and output. */
export function runToEnd(entry: string, args: readonly string[], timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--no-deprecation', ...LOADER, entry, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${entry} ${args.join(' ')} did not finish within ${timeoutMs} ms\n${stdout}${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
