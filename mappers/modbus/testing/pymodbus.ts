/**
 * Debian's pymodbus Modbus TCP server (pymodbus-server.py) as a child process for tests: known register values in,
 * its own datastore read and written through stdin, paused (SIGSTOP: connections stay up, nothing answers) and
 * stopped by PID.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** Debian's interpreter: a pyenv or venv python3 on PATH does not see Debian's python3-pymodbus. */
const PYTHON = '/usr/bin/python3';
const SCRIPT = join(__dirname, 'pymodbus-server.py');

export type Table = 'co' | 'di' | 'hr' | 'ir';

/** Fails (does not skip) when pymodbus is missing, naming the script that installs it. */
export function requirePymodbus(): void {
  const probe = spawnSync(PYTHON, ['-c', 'import pymodbus.server'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error(
      `the Modbus tests need Debian's pymodbus for ${PYTHON} (${(probe.error?.message ?? probe.stderr).trim()}); run mappers/modbus/testing/install.sh as root`,
    );
  }
}

export class PymodbusServer {
  private readonly replies: ((line: string) => void)[] = [];
  private paused = false;
  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly port: number,
    private readonly exited: Promise<void>,
  ) {}

  static async start(options: { values?: Partial<Record<Table, Record<number, number | number[]>>>; port?: number; unit?: number } = {}): Promise<PymodbusServer> {
    requirePymodbus();
    const args = [SCRIPT, '--port', String(options.port ?? 0), '--unit', String(options.unit ?? 1), '--values', JSON.stringify(options.values ?? {})];
    const child = spawn(PYTHON, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const lines = createInterface({ input: child.stdout });
    const port = await new Promise<number>((resolve, reject) => {
      lines.once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
      child.once('exit', (code) => reject(new Error(`pymodbus exited (${code}) before listening: ${stderr}`)));
    });
    const server = new PymodbusServer(child, port, exited);
    lines.on('line', (line) => server.replies.shift()?.(line));
    return server;
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /** Values in pymodbus's own datastore. */
  async get(table: Table, address: number, count = 1): Promise<number[]> {
    const reply = await this.ask({ op: 'get', table, address, count });
    return reply.values as number[];
  }

  async set(table: Table, address: number, values: number[]): Promise<void> {
    await this.ask({ op: 'set', table, address, values });
  }

  /** SIGSTOP: the TCP connections stay open but nothing answers, as a hung device. */
  pause(): void {
    this.child.kill('SIGSTOP');
    this.paused = true;
  }

  resume(): void {
    this.child.kill('SIGCONT');
    this.paused = false;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      if (this.paused) this.resume();
      this.child.kill('SIGKILL');
    }
    await this.exited;
  }

  private ask(request: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (this.paused) throw new Error('pymodbus is paused; resume it before reading its datastore');
    return new Promise((resolve, reject) => {
      this.replies.push((line) => {
        const reply = JSON.parse(line) as Record<string, unknown>;
        if (reply.error) reject(new Error(`pymodbus: ${String(reply.error)}`));
        else resolve(reply);
      });
      this.child.stdin.write(`${JSON.stringify(request)}\n`);
    });
  }
}
