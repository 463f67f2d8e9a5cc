import { promises as fs, constants as fsConstants } from 'node:fs';
import { dirname } from 'node:path';

/** The hostPath types the API allows; '' means no check (the default). */
export const HOST_PATH_TYPES = ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'] as const;

/**
 * kubelet's hostPath type checker (pkg/volume/hostpath): checks what is at `path`, creating it for the *OrCreate
 * types (directory 0755 with parents; file 0644, parent must exist, as kubelet's makeFile). Returns an error message
 * in kubelet's words (`hostPath type check failed: /x is not a directory`), undefined when the path fits.
 */
export async function checkHostPath(path: string, type: string | undefined): Promise<string | undefined> {
  const kind = type ?? '';
  if (!(HOST_PATH_TYPES as readonly string[]).includes(kind)) {
    return `unsupported hostPath type "${kind}"; use one of ${HOST_PATH_TYPES.filter((t) => t !== '').join(', ')} (or leave it empty)`;
  }
  if (kind === '') return undefined;
  const stat = await lstatFollow(path);
  const failed = (what: string): string => `hostPath type check failed: ${path} is not ${what}`;
  switch (kind) {
    case 'DirectoryOrCreate':
      if (stat === undefined) {
        await fs.mkdir(path, { recursive: true, mode: 0o755 });
        return undefined;
      }
      return stat.isDirectory() ? undefined : failed('a directory');
    case 'Directory':
      return stat?.isDirectory() ? undefined : failed('a directory');
    case 'FileOrCreate':
      if (stat === undefined) {
        try {
          // O_CREAT without O_TRUNC: a file a racing writer made meanwhile is kept as it is.
          await (await fs.open(path, fsConstants.O_CREAT | fsConstants.O_WRONLY, 0o644)).close();
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
            return `hostPath type check failed: cannot create file ${path}: parent directory ${dirname(path)} does not exist`;
          }
          throw err;
        }
        return undefined;
      }
      return stat.isFile() ? undefined : failed('a file');
    case 'File':
      return stat?.isFile() ? undefined : failed('a file');
    case 'Socket':
      return stat?.isSocket() ? undefined : failed('a socket file');
    case 'CharDevice':
      return stat?.isCharacterDevice() ? undefined : failed('a character device');
    case 'BlockDevice':
      return stat?.isBlockDevice() ? undefined : failed('a block device');
  }
  return undefined;
}

async function lstatFollow(path: string): Promise<import('node:fs').Stats | undefined> {
  try {
    return await fs.stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw err;
  }
}
