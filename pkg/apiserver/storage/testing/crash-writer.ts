/**
 * Child process of crash.test.ts: writes to a store as fast as it can and prints "ack <revision> <type> <key>" after
 * each write resolves, until it is killed. Each ack is in the pipe before the next write begins (the write callback
 * has run): stdout to a full pipe buffers in memory instead of blocking, and a kill would lose what it buffered.
 *   node -r ./swc-register.js crash-writer.ts <file> <seed>
 */
import { openStore } from '../store';
import { pod, recordingLog } from './fixtures';

async function main(): Promise<void> {
  const [file, seedText] = process.argv.slice(2);
  let seed = Number(seedText) || 1;
  const random = (): number => {
    // xorshift32: the same sequence for the same seed, for reproducible failures.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 4294967296;
  };
  const store = await openStore({
    file: file!,
    log: recordingLog(),
    // Small retention and a fast timer so that compaction runs, and gets killed, mid-stream too.
    eventRetention: { maxEvents: 1500, memoryEvents: 64, compactIntervalMs: 15 },
  });
  process.stdout.write(`ready ${store.revision}\n`);
  for (let i = 0; ; i++) {
    const key = `/core/pods/crash/p${Math.floor(random() * 40)}`;
    const name = key.split('/').pop()!;
    const body = { ...pod('crash', name), data: { i: String(i), seed: String(seed) } };
    let type: string;
    let revision: number;
    if (!store.get(key)) {
      revision = (await store.create(key, body)).revision;
      type = 'ADDED';
    } else if (random() < 0.75) {
      revision = (await store.update(key, body)).revision;
      type = 'MODIFIED';
    } else {
      revision = (await store.delete(key)).revision;
      type = 'DELETED';
    }
    await new Promise((resolve) => process.stdout.write(`ack ${revision} ${type} ${key}\n`, resolve));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`crash-writer: ${String(error)}\n`);
  process.exit(2);
});
