/**
 * A private mosquitto for tests and development: started through start.sh in a folder of its own (config,
 * persistence, log and pid file under `dir`), listening on 127.0.0.1 only, stopped by PID.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { forgetPidFile, onPath, stopDaemon } from '../process/daemon-pid';
import { MosquittoError } from './errors';

export const SCRIPTS_DIR = __dirname.endsWith(join('dist', 'pkg', 'mosquitto'))
  ? join(__dirname, '../../../pkg/mosquitto') // compiled: the scripts stay in the source tree
  : __dirname;

/** Programs the helpers and the tests need; install.sh provides all of them. */
const REQUIRED = ['mosquitto', 'mosquitto_pub', 'mosquitto_sub'] as const;

/** Throws MosquittoError NOT_INSTALLED naming what is missing and the script that installs it. Cheap: call it in beforeAll. */
export function checkMosquittoInstalled(): void {
  // Debian puts the broker in /usr/sbin, which a non-root PATH may lack.
  const missing = REQUIRED.filter((program) => !onPath(program) && !isExecutable(`/usr/sbin/${program}`));
  if (missing.length > 0) {
    throw new MosquittoError(
      'NOT_INSTALLED',
      `mosquitto is not installed: run pkg/mosquitto/install.sh as root (missing: ${missing.join(', ')})`,
    );
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface StartMosquittoOptions {
  /** Folder for everything of this instance; created if absent. Start again on the same folder to keep its sessions. */
  dir: string;
  /** Port on 127.0.0.1. 0 or absent: a free port is picked. */
  port?: number;
  /** Default 10 000. */
  startTimeoutMs?: number;
}

export interface RunningMosquitto {
  /** `tcp://127.0.0.1:<port>`: what modules.eventBus.mqttServerExternal takes. */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly dir: string;
  /** SIGTERM, then SIGKILL after `timeoutMs` (default 10 000). Idempotent; resolves once the process is gone. */
  stop(timeoutMs?: number): Promise<void>;
  /** SIGKILL at once (a crash, for tests); resolves once the process is gone. Start again with the same dir and port. */
  kill(): Promise<void>;
}

interface ScriptResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one of the scripts beside this file with bash; never throws, the caller judges the result. */
function runScript(script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<ScriptResult> {
  return new Promise((resolve) => {
    const child = spawn('bash', [join(SCRIPTS_DIR, script), ...args], {
      // /usr/sbin holds the broker on Debian.
      env: { ...process.env, PATH: `${process.env.PATH ?? ''}${delimiter}/usr/sbin`, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) => resolve({ code: null, stdout, stderr: `${stderr}${error.message}` }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A port nothing listens on right now (the kernel's pick). Another program may take it before mosquitto does. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts (or finds already running) the mosquitto of `dir` and waits until it accepts connections. */
export async function startMosquitto(options: StartMosquittoOptions): Promise<RunningMosquitto> {
  checkMosquittoInstalled();
  const requested = options.port ?? 0;
  if (!Number.isInteger(requested) || requested < 0 || requested > 65535) {
    throw new MosquittoError('START_FAILED', `port: ${requested} is not a port; pass 1..65535, or 0 for a free one`);
  }
  const env = { START_TIMEOUT_S: String(Math.ceil((options.startTimeoutMs ?? 10_000) / 1000)) };
  // A picked port can be taken between the pick and the start: pick again a few times.
  let result: ScriptResult | undefined;
  let port = requested;
  for (let attempt = 0; attempt < (requested === 0 ? 3 : 1); attempt++) {
    port = requested === 0 ? await freePort() : requested;
    result = await runScript('start.sh', [options.dir, String(port)], env);
    if (result.code === 0 || !/already in use/.test(result.stderr)) break;
  }
  const url = result!.stdout.trim().split('\n').pop() ?? '';
  if (result!.code !== 0 || url !== `tcp://127.0.0.1:${port}`) {
    throw new MosquittoError('START_FAILED', `pkg/mosquitto/start.sh ${options.dir} ${port} failed:\n${result!.stderr.trim()}`);
  }
  const pid = Number(readFileSync(join(options.dir, 'mosquitto.pid'), 'utf8').trim());
  const dir = options.dir;
  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    pid,
    dir,
    stop: (timeoutMs = 10_000) => (stopping ??= stopProcess(pid, timeoutMs).then(() => forget(dir, pid))),
    kill: () => (stopping ??= stopProcess(pid, 0).then(() => forget(dir, pid))),
  };
}

async function stopProcess(pid: number, graceMs: number): Promise<void> {
  if (!(await stopDaemon(pid, graceMs))) throw new MosquittoError('STOP_FAILED', `mosquitto pid ${pid} survived SIGKILL`);
}

function forget(dir: string, pid: number): void {
  forgetPidFile(join(dir, 'mosquitto.pid'), pid);
}
