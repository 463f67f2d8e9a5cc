/**
 * The real `kubectl` (on PATH) against a cluster's kubeconfig, as a user would run it: system tests apply manifests
 * and read objects with it, so what they check is what `kubectl` shows.
 */
import { execFile } from 'node:child_process';

export interface KubectlOptions {
  /** Written to kubectl's stdin (for `apply -f -`). YAML or JSON text, or an object (sent as JSON). */
  input?: string | object;
  /** Default 30 000. */
  timeoutMs?: number;
}

/** Thrown when kubectl exits non-zero; `stderr` holds its message (e.g. `Error from server (NotFound): ...`). */
export class KubectlError extends Error {
  override readonly name = 'KubectlError';

  constructor(
    readonly args: readonly string[],
    readonly code: number | string | null,
    readonly stderr: string,
  ) {
    super(`kubectl ${args.join(' ')} failed (${code}): ${stderr.trim()}`);
  }

  get notFound(): boolean {
    return /\(NotFound\)|not found/i.test(this.stderr);
  }
}

/** Runs `kubectl --kubeconfig <kubeconfig> <args>`; resolves with stdout. */
export function kubectl(kubeconfig: string, args: readonly string[], options: KubectlOptions = {}): Promise<string> {
  const all = ['--kubeconfig', kubeconfig, ...args];
  return new Promise((resolve, reject) => {
    const child = execFile('kubectl', all, { timeout: options.timeoutMs ?? 30_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new KubectlError(args, (error as NodeJS.ErrnoException & { code?: number | string }).code ?? error.signal ?? null, `${stderr}${stdout ? `\n${stdout}` : ''}`));
      else resolve(stdout);
    });
    if (options.input !== undefined) child.stdin!.end(typeof options.input === 'string' ? options.input : JSON.stringify(options.input));
    else child.stdin!.end();
  });
}

/** `kubectl <args> -o json`, parsed. */
export async function kubectlJson<T>(kubeconfig: string, args: readonly string[], options: KubectlOptions = {}): Promise<T> {
  return JSON.parse(await kubectl(kubeconfig, [...args, '-o', 'json'], options)) as T;
}
