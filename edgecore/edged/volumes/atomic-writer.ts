import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { dirname, join, posix } from 'node:path';

/** One file of a volume payload: path relative to the volume, content and mode. */
export interface FileProjection {
  data: Buffer;
  mode: number;
  /** chown to this uid/gid (fsGroup, projected token owner); only applied when running as root. */
  uid?: number;
  gid?: number;
}

export type Payload = Map<string, FileProjection>;

const DATA_DIR = '..data';
const DATA_DIR_TMP = '..data_tmp';

/**
 * kubelet's AtomicWriter layout, so that a container never sees half of an update:
 *
 *   <dir>/..2024_01_02_03_04_05.123456789/<files>   the payload of one version
 *   <dir>/..data -> ..2024_01_02_...                 swapped with one rename(2)
 *   <dir>/<key>  -> ..data/<key>                     what the container opens
 *
 * Writing the same payload again changes nothing (no new version, so inotify watchers are not woken).
 * Returns whether a new version was written.
 */
export async function writeAtomically(dir: string, payload: Payload): Promise<boolean> {
  for (const path of payload.keys()) validatePath(path);
  await fs.mkdir(dir, { recursive: true });

  const oldVersion = await readLinkOrUndefined(join(dir, DATA_DIR));
  if (oldVersion !== undefined && (await sameContent(join(dir, oldVersion), payload))) return false;

  const version = `..${timestamp()}${randomBytes(4).toString('hex')}`;
  const versionDir = join(dir, version);
  await fs.mkdir(versionDir, { mode: 0o755 });
  // mkdir's mode is masked by the umask; the container user must be able to enter it.
  await fs.chmod(versionDir, 0o755);
  for (const [path, file] of payload) {
    const target = join(versionDir, path);
    await fs.mkdir(dirname(target), { recursive: true, mode: 0o755 });
    await fs.writeFile(target, file.data, { mode: file.mode });
    await fs.chmod(target, file.mode);
    if (process.getuid?.() === 0 && (file.uid !== undefined || file.gid !== undefined)) {
      await fs.chown(target, file.uid ?? -1, file.gid ?? -1);
    }
  }

  const tmpLink = join(dir, DATA_DIR_TMP);
  await fs.rm(tmpLink, { force: true });
  await fs.symlink(version, tmpLink);
  await fs.rename(tmpLink, join(dir, DATA_DIR));

  const wanted = topLevelNames(payload);
  for (const name of wanted) {
    const link = join(dir, name);
    const existing = await readLinkOrUndefined(link);
    if (existing === posix.join(DATA_DIR, name)) continue;
    await fs.rm(link, { recursive: true, force: true });
    await fs.symlink(posix.join(DATA_DIR, name), link);
  }
  for (const entry of await fs.readdir(dir)) {
    if (entry.startsWith('..') || wanted.has(entry)) continue;
    await fs.rm(join(dir, entry), { recursive: true, force: true });
  }
  if (oldVersion !== undefined && oldVersion !== version) {
    await fs.rm(join(dir, oldVersion), { recursive: true, force: true });
  }
  return true;
}

/** kubelet's validatePath: relative, no `..` element, not starting with `..`, not empty. */
export function validatePath(path: string): void {
  if (path === '') throw new Error('invalid path: must not be empty');
  if (path.length > 4096) throw new Error(`invalid path: must be less than or equal to 4096 characters`);
  if (posix.isAbsolute(path)) throw new Error(`invalid path "${path}": must be relative path`);
  if (path.split('/').includes('..')) throw new Error(`invalid path "${path}": must not contain '..'`);
  if (path.startsWith('..')) throw new Error(`invalid path "${path}": must not start with '..'`);
}

function topLevelNames(payload: Payload): Set<string> {
  return new Set([...payload.keys()].map((path) => path.split('/').filter((part) => part !== '' && part !== '.')[0] as string));
}

async function readLinkOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await fs.readlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'EINVAL') return undefined;
    throw err;
  }
}

/** True when `versionDir` holds exactly the payload (same files, bytes and modes). */
async function sameContent(versionDir: string, payload: Payload): Promise<boolean> {
  const present = await listFiles(versionDir);
  if (present === undefined || present.size !== payload.size) return false;
  for (const [path, file] of payload) {
    const stat = present.get(posix.normalize(path));
    if (stat === undefined || (stat.mode & 0o7777) !== file.mode || stat.size !== file.data.length) return false;
    const data = await fs.readFile(join(versionDir, path));
    if (!data.equals(file.data)) return false;
    if (file.gid !== undefined && process.getuid?.() === 0 && stat.gid !== file.gid) return false;
  }
  return true;
}

async function listFiles(root: string): Promise<Map<string, { mode: number; size: number; gid: number }> | undefined> {
  const files = new Map<string, { mode: number; size: number; gid: number }>();
  try {
    for (const entry of await fs.readdir(root, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const full = join(entry.parentPath, entry.name);
      const stat = await fs.stat(full);
      files.set(posix.relative(root, full), { mode: stat.mode, size: stat.size, gid: stat.gid });
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return files;
}

/** `2006_01_02_15_04_05.` then randomness, like kubelet's version directory names. */
function timestamp(): string {
  const d = new Date();
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}_${p(d.getUTCMonth() + 1)}_${p(d.getUTCDate())}_${p(d.getUTCHours())}_${p(d.getUTCMinutes())}_${p(d.getUTCSeconds())}.`;
}
