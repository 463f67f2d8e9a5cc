import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** How edged mounts tmpfs; injected so a host without mount privileges can be simulated in tests. */
export interface Mounter {
  mountTmpfs(target: string, sizeBytes: number | undefined): Promise<void>;
  unmount(target: string): Promise<void>;
  /** Mount points at or under `root`, deepest first (the order to unmount in). */
  mountsUnder(root: string): Promise<string[]>;
}

/** The host's mount(8)/umount(8); errors carry the command's stderr. */
export const systemMounter: Mounter = {
  async mountTmpfs(target, sizeBytes) {
    const options = sizeBytes === undefined ? [] : ['-o', `size=${sizeBytes}`];
    await runTool('mount', ['-t', 'tmpfs', ...options, 'tmpfs', target]);
  },
  async unmount(target) {
    await runTool('umount', [target]);
  },
  async mountsUnder(root) {
    const text = await fs.readFile('/proc/self/mountinfo', 'utf8');
    const prefix = root.endsWith('/') ? root : `${root}/`;
    return text
      .split('\n')
      .map((line) => line.split(' ')[4])
      .filter((point): point is string => point !== undefined)
      .map(unescapeMountPoint)
      .filter((point) => point === root || point.startsWith(prefix))
      .sort((a, b) => b.length - a.length);
  },
};

async function runTool(tool: string, args: string[]): Promise<void> {
  try {
    await run(tool, args);
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${tool} ${args.join(' ')}: ${(e.stderr ?? '').trim() || e.message}`, { cause: err });
  }
}

/** mountinfo escapes space, tab, newline and backslash as octal (\040). */
function unescapeMountPoint(point: string): string {
  return point.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}
