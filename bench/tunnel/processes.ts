/** Starting the benchmark's child processes: the cloud harness and the load generator shards. */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { CloudOptions, CloudRequest } from './cloud';
import type { ShardRequest } from './edges';
import { ChildChannel, type ChildEvent } from './ipc';

export type CloudProcess = ChildChannel<CloudRequest> & { readonly port: number };
export type ShardProcess = ChildChannel<ShardRequest>;

const CLOUD_START_TIMEOUT_MS = 60_000;

/**
 * Starts the cloud harness and waits until cloudhub listens. Its log lines go to this process's stderr.
 * BENCH_CLOUD_NODE_ARGS adds Node flags (e.g. "--cpu-prof --cpu-prof-dir=.tmp/prof") to profile it.
 */
export async function startCloud(options: CloudOptions): Promise<CloudProcess> {
  const child = fork(join(__dirname, 'cloud.js'), [], {
    execArgv: ['--expose-gc', ...nodeArgs('BENCH_CLOUD_NODE_ARGS')],
    env: { ...process.env, BENCH_CLOUD_OPTIONS: JSON.stringify(options) },
    stdio: ['ignore', process.stderr, 'inherit', 'ipc'],
  });
  let ready!: (port: number) => void;
  const listening = new Promise<number>((resolve) => (ready = resolve));
  const channel = new ChildChannel<CloudRequest>(child, 'cloud process', (event: ChildEvent) => {
    if (event.event === 'ready') ready(event.port as number);
  });
  const port = await Promise.race([
    listening,
    channel.done.then(() => Promise.reject(new Error(`the cloud process exited (status ${child.exitCode}) before it listened; see its output above`))),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the cloud process did not listen within ${CLOUD_START_TIMEOUT_MS / 1000} s`)), CLOUD_START_TIMEOUT_MS).unref()),
  ]).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  return Object.assign(channel, { port });
}

/** Starts a load generator process. BENCH_EDGES_NODE_ARGS adds Node flags to it, as BENCH_CLOUD_NODE_ARGS does. */
export function startShard(index: number): ShardProcess {
  // --no-deprecation: grpc-js sets the TLS server name to the IP address it dials, and Node warns about that once.
  const execArgv = ['--no-deprecation', ...nodeArgs('BENCH_EDGES_NODE_ARGS')];
  const child = fork(join(__dirname, 'edges.js'), [], { execArgv, stdio: ['ignore', process.stderr, 'inherit', 'ipc'] });
  return new ChildChannel<ShardRequest>(child, `load generator ${index}`);
}

/** Asks a child to stop and waits for it (killing it after `graceMs`). */
export async function stopChild(channel: ChildChannel<unknown>, graceMs: number, request?: unknown): Promise<void> {
  if (channel.child.exitCode !== null || channel.child.signalCode !== null) return;
  if (request !== undefined) await channel.call(request).catch(() => undefined);
  else if (channel.child.connected) channel.child.disconnect();
  await channel.stop(graceMs);
}

function nodeArgs(variable: string): string[] {
  return (process.env[variable] ?? '').split(/\s+/).filter((arg) => arg !== '');
}
