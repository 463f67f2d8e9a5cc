/**
 * A private containerd for tests and development: started through start.sh in a folder of its own (config, root,
 * state, socket, CNI config and log under `dir`), stopped by PID. The settings and their reasons: README.md.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { forgetPidFile, onPath, isAlive, stopDaemon } from '../process/daemon-pid';
import { connectCri, removeAllSandboxes, waitForCri } from './cri';
import { ContainerdError } from './errors';

export const SCRIPTS_DIR = __dirname.endsWith(join('dist', 'pkg', 'containerd'))
  ? join(__dirname, '../../../pkg/containerd') // compiled: the scripts stay in the source tree
  : __dirname;

/** Programs and files the helpers need; install.sh provides all of them. */
const REQUIRED = ['containerd', 'ctr', 'runc', 'gcc'] as const;
const REQUIRED_FILES = ['/usr/lib/cni/bridge', '/usr/lib/cni/host-local', '/usr/lib/cni/portmap', '/bin/busybox'];

/**
 * Throws ContainerdError NOT_INSTALLED naming what is missing when containerd, runc, the CNI plugins, gcc or the
 * static busybox are absent, or when not running as root (containerd needs it). Cheap: call it in beforeAll.
 */
export function checkContainerdInstalled(): void {
  const missing = [
    ...REQUIRED.filter((program) => !onPath(program)),
    ...REQUIRED_FILES.filter((file) => {
      try {
        accessSync(file, constants.X_OK);
        return false;
      } catch {
        return true;
      }
    }),
  ];
  if (missing.length > 0) {
    throw new ContainerdError(
      'NOT_INSTALLED',
      `containerd is not installed: run pkg/containerd/install.sh as root (missing: ${missing.join(', ')})`,
    );
  }
  if (process.getuid?.() !== 0) {
    throw new ContainerdError('NOT_INSTALLED', 'containerd needs root (namespaces, mounts, cgroups): run as root');
  }
}

/** The pod subnet of the bridge network start.sh writes, unless StartContainerdOptions.cniSubnet says otherwise. */
export const DEFAULT_CNI_SUBNET = '10.234.0.0/16';

export interface StartContainerdOptions {
  /** Folder for everything of this instance; created if absent. Keep it short: the socket path must fit 100 bytes. */
  dir: string;
  /** Default 20 000. */
  startTimeoutMs?: number;
  /** Pod subnet (CNI host-local range). Default DEFAULT_CNI_SUBNET. */
  cniSubnet?: string;
}

export interface StopContainerdOptions {
  /**
   * Default true: stop and remove every CRI sandbox first, so no containerd-shim or pod network outlives the test.
   * false leaves the pods running (they survive a containerd restart).
   */
  clean?: boolean;
  /** Grace after SIGTERM before SIGKILL. Default 10 000. */
  timeoutMs?: number;
}

export interface RunningContainerd {
  /** `unix://<dir>/containerd.sock`: the CRI endpoint (modules.edged.containerRuntimeEndpoint). */
  readonly endpoint: string;
  readonly pid: number;
  readonly dir: string;
  /** Idempotent; resolves once the process is gone. */
  stop(options?: StopContainerdOptions): Promise<void>;
}

interface ScriptResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one of the scripts beside this file with bash; never throws, the caller judges the result. */
export function runScript(script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<ScriptResult> {
  return new Promise((resolve) => {
    const child = spawn('bash', [join(SCRIPTS_DIR, script), ...args], {
      env: { ...process.env, ...env },
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

/** Starts (or finds already running) the containerd of `dir` and waits until its CRI answers. */
export async function startContainerd(options: StartContainerdOptions): Promise<RunningContainerd> {
  checkContainerdInstalled();
  const startTimeoutMs = options.startTimeoutMs ?? 20_000;
  const result = await runScript('start.sh', [options.dir], {
    START_TIMEOUT_S: String(Math.ceil(startTimeoutMs / 1000)),
    CNI_SUBNET: options.cniSubnet ?? DEFAULT_CNI_SUBNET,
  });
  const endpoint = result.stdout.trim().split('\n').pop() ?? '';
  if (result.code !== 0 || !endpoint.startsWith('unix://')) {
    throw new ContainerdError('START_FAILED', `pkg/containerd/start.sh ${options.dir} failed:\n${result.stderr.trim()}`);
  }
  const dir = endpoint.slice('unix://'.length).replace(/\/containerd\.sock$/, '');
  const pid = Number(readFileSync(join(dir, 'containerd.pid'), 'utf8').trim());

  const conn = connectCri(endpoint);
  try {
    await waitForCri(conn, startTimeoutMs);
  } catch (error) {
    conn.close();
    await stopProcess(pid, 2_000);
    throw error;
  }
  conn.close();

  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    pid,
    dir,
    stop: (stopOptions = {}) => (stopping ??= stopContainerd(endpoint, pid, stopOptions).then(() => forget(dir, pid))),
  };
}

async function stopContainerd(endpoint: string, pid: number, options: StopContainerdOptions): Promise<void> {
  if ((options.clean ?? true) && isAlive(pid)) {
    const conn = connectCri(endpoint);
    try {
      await removeAllSandboxes(conn);
    } finally {
      conn.close();
    }
  }
  await stopProcess(pid, options.timeoutMs ?? 10_000);
}

async function stopProcess(pid: number, graceMs: number): Promise<void> {
  if (!(await stopDaemon(pid, graceMs))) throw new ContainerdError('STOP_FAILED', `containerd pid ${pid} survived SIGKILL`);
}

function forget(dir: string, pid: number): void {
  forgetPidFile(join(dir, 'containerd.pid'), pid);
}
