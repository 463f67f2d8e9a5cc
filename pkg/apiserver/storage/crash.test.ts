/**
 * kill -9 a process in the middle of writing, several times over one file; after each kill the file must open with
 * every acknowledged write, revisions without holes, and a watch history that replays to exactly the stored state.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import knexFactory from 'knex';
import type { WatchEvent } from './types';
import { openTestStore, take, tempDir } from './testing/fixtures';

interface Ack {
  revision: number;
  type: string;
  key: string;
}

const TESTING = join(__dirname, 'testing');

/** Runs the writer until it has acknowledged `acks` writes, then SIGKILLs it. */
async function writeAndKill(file: string, seed: number, acks: number): Promise<{ start: number; acked: Ack[] }> {
  const child = spawn(process.execPath, ['-r', join(TESTING, 'swc-register.js'), join(TESTING, 'crash-writer.ts'), file, String(seed)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  const acked: Ack[] = [];
  let start = -1;
  for await (const line of createInterface({ input: child.stdout })) {
    const [word, revision, type, key] = line.split(' ');
    if (word === 'ready') start = Number(revision);
    else acked.push({ revision: Number(revision), type: type!, key: key! });
    if (acked.length === acks) child.kill('SIGKILL');
  }
  const how = await exited;
  if (how !== 'SIGKILL') throw new Error(`writer ended with ${String(how)} before the kill: ${stderr}`);
  return { start, acked };
}

describe('crash consistency', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('survives kill -9 mid-stream with no lost acknowledged write and no hole in the history', async () => {
    const file = tmp.file();
    // Watching from revision 0 means "from now", so give the first round a revision to replay from.
    const first = await openTestStore(file);
    await first.create('/core/configmaps/crash/marker', { metadata: { name: 'marker' } });
    await first.close();
    let previousHead = 1;
    for (const [round, acks] of [[1, 700], [2, 450], [3, 900]] as const) {
      const { start, acked } = await writeAndKill(file, round * 7919, acks);
      expect(start).toBe(previousHead);
      const last = acked[acked.length - 1]!;
      expect(acked.map((a) => a.revision)).toEqual(acked.map((_, i) => start + i + 1));

      const store = await openTestStore(file);
      try {
        // The last acknowledged write is there; at most the one write in flight at the kill got in after it.
        expect([last.revision, last.revision + 1]).toContain(store.revision);
        for (const object of store.list('/').items) {
          expect(object.object.metadata.resourceVersion).toBe(String(object.revision));
          expect(object.revision).toBeLessThanOrEqual(store.revision);
        }
        // Replay this round's history: contiguous, equal to the acks, and folding it gives the stored state.
        const from = Math.max(start, store.compactRevision);
        const events: WatchEvent[] = await take(store.watch('/', { fromRevision: from, bufferSize: 256 }), store.revision - from, 10_000);
        expect(events.map((e) => e.revision)).toEqual(Array.from({ length: store.revision - from }, (_, i) => from + i + 1));
        const byRevision = new Map(events.map((e) => [e.revision, e]));
        for (const ack of acked.filter((a) => a.revision > from)) {
          expect(`${byRevision.get(ack.revision)?.type} ${byRevision.get(ack.revision)?.object.key}`).toBe(`${ack.type} ${ack.key}`);
        }
        const lastEvent = new Map<string, WatchEvent>();
        for (const event of events) lastEvent.set(event.object.key, event);
        for (const [key, event] of lastEvent) {
          if (event.type === 'DELETED') expect(store.get(key)).toBeUndefined();
          else expect(store.get(key)?.json).toBe(event.object.json);
        }
        previousHead = store.revision;
      } finally {
        await store.close();
      }
    }
    const db = knexFactory({ client: 'sqlite3', connection: { filename: file }, useNullAsDefault: true });
    try {
      expect(await db.raw('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    } finally {
      await db.destroy();
    }
  }, 60_000);
});
