/**
 * The DMI socket file: `<dmiSockPath>/dmi.sock`. Before binding, a socket file left by an edgecore that died is
 * removed, but one that something still listens on is refused (two edgecores on one socket would split the mappers
 * between them). After binding, the file is made 0600: only root (edgecore's user) may register mappers or report.
 */
import { chmod, lstat, mkdir, unlink } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { DmiSocketError } from './errors';
import { MAX_SOCKET_PATH_BYTES } from './reports';

export const DMI_SOCKET_NAME = 'dmi.sock';
export const DMI_SOCKET_MODE = 0o600;

/** Creates the folder, clears a stale socket and returns the socket's path. */
export async function prepareSocket(socketDir: string, probeTimeoutMs = 1000): Promise<string> {
  const path = join(socketDir, DMI_SOCKET_NAME);
  const where = `modules.deviceTwin.dmiSockPath ${socketDir}`;
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    throw new DmiSocketError(`${where}: the socket path ${path} is longer than ${MAX_SOCKET_PATH_BYTES} bytes; choose a shorter folder`);
  }
  try {
    await mkdir(socketDir, { recursive: true, mode: 0o755 });
  } catch (error) {
    throw new DmiSocketError(`${where}: cannot create the folder (${(error as Error).message})`, { cause: error });
  }
  const stat = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new DmiSocketError(`${where}: cannot read ${path} (${error.message})`, { cause: error });
  });
  if (stat === undefined) return path;
  if (!stat.isSocket()) {
    throw new DmiSocketError(`${where}: ${path} exists and is not a socket; move it away or choose another folder`);
  }
  if (await someoneListens(path, probeTimeoutMs)) {
    throw new DmiSocketError(
      `${where}: another process (another edgecore?) is listening on ${path}; stop it, or give this edgecore another dmiSockPath`,
    );
  }
  // Nobody answers: the file was left by an edgecore that did not stop cleanly.
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw new DmiSocketError(`${where}: cannot remove the stale socket ${path} (${error.message})`, { cause: error });
  });
  return path;
}

/** Makes the bound socket readable and writable by its owner only. */
export async function restrictSocket(path: string): Promise<void> {
  try {
    await chmod(path, DMI_SOCKET_MODE);
  } catch (error) {
    throw new DmiSocketError(`cannot make the DMI socket ${path} mode 0600 (${(error as Error).message})`, { cause: error });
  }
}

/** True when a connection to the socket is accepted; a refused connection means a stale file. */
function someoneListens(path: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    const timer = setTimeout(() => {
      // A listener so busy that it does not accept within the timeout is still a listener.
      socket.destroy();
      resolve(true);
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(true);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      if (error.code === 'ECONNREFUSED' || error.code === 'ENOENT') resolve(false);
      else reject(new DmiSocketError(`cannot check whether something listens on ${path} (${error.message})`, { cause: error }));
    });
  });
}
