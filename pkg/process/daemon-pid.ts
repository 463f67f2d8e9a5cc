/**
 * Daemons the project starts detached (containerd, mosquitto: their start scripts exit and leave them running), known
 * only by PID: whether one is alive, how to stop it, and its pid file; and whether its program is installed.
 */
import { accessSync, constants, readFileSync, rmSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Alive and not a zombie: the daemon is not our child, so whoever reaps it may be slow. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * SIGTERM, wait up to graceMs, then SIGKILL and wait for the process to be gone (graceMs 0: SIGKILL at once).
 * Resolves false when it survived SIGKILL for 5 s.
 */
export async function stopDaemon(pid: number, graceMs: number): Promise<boolean> {
  const signal = (name: NodeJS.Signals): void => {
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
  };
  const gone = async (ms: number): Promise<boolean> => {
    const deadline = Date.now() + ms;
    while (isAlive(pid)) {
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return true;
  };
  if (!isAlive(pid)) return true;
  if (graceMs > 0) {
    signal('SIGTERM');
    if (await gone(graceMs)) return true;
  }
  signal('SIGKILL');
  return gone(5_000);
}

/** Removes the pid file, only when it still names `pid` (a later start may have replaced it). */
export function forgetPidFile(pidFile: string, pid: number): void {
  try {
    if (readFileSync(pidFile, 'utf8').trim() === String(pid)) rmSync(pidFile);
  } catch {
    // no pid file: nothing to forget
  }
}

/** True when `program` is an executable file in a folder of PATH (the daemons' install checks). */
export function onPath(program: string): boolean {
  return (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter).some((folder) => {
    try {
      accessSync(join(folder, program), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
