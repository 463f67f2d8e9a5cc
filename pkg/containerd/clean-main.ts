/**
 * `node -r pkg/cli/testing/register-ts.js pkg/containerd/clean-main.ts unix:///.../containerd.sock`: removes every
 * CRI sandbox through the CRI, so their CNI IPs are released too. stop.sh --clean runs it before its ctr sweep.
 */
import { connectCri, removeAllSandboxes, waitForCri } from './cri';

async function main(endpoint: string | undefined): Promise<void> {
  if (!endpoint?.startsWith('unix://')) throw new Error('usage: clean-main.ts unix:///path/containerd.sock');
  const conn = connectCri(endpoint);
  try {
    await waitForCri(conn, 5_000);
    const removed = await removeAllSandboxes(conn);
    process.stderr.write(`containerd clean: removed ${removed} CRI sandboxes\n`);
  } finally {
    conn.close();
  }
}

main(process.argv[2]).catch((error: unknown) => {
  process.stderr.write(`containerd clean: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
