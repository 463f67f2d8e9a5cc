/**
 * kill -9 a process applying changes in a loop through the real store, three times over one file. After each kill the
 * file must pass SQLite's integrity check and hold exactly the state of some prefix of the change sequence that
 * includes every acknowledged change: nothing acknowledged lost, no change half-applied.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { openMetaStore } from './sqlite-store';
import { crashNamespace, crashSequence } from './testing/crash-sequence';
import { secondConnection, silentLog, tempDir } from './testing/fixtures';
import { decide, type KnownVersion } from './versions';

const REGISTER_TS = join(__dirname, '..', '..', 'pkg', 'cli', 'testing', 'register-ts.js');
const WRITER = join(__dirname, 'testing', 'crash-writer.ts');

/** Runs the writer until it has acknowledged `acks` changes, then SIGKILLs it. */
async function writeAndKill(file: string, round: number, acks: number): Promise<number> {
  const child = spawn(process.execPath, ['-r', REGISTER_TS, WRITER, file, String(round)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  let acked = 0;
  for await (const line of createInterface({ input: child.stdout })) {
    if (line !== `ack ${acked}`) throw new Error(`unexpected writer output ${JSON.stringify(line)}`);
    acked++;
    if (acked === acks) child.kill('SIGKILL');
  }
  const how = await exited;
  if (how !== 'SIGKILL') throw new Error(`writer ended with ${String(how)} before the kill: ${stderr}`);
  return acked;
}

type State = Map<string, KnownVersion & { json: string }>;

/** What the store must hold after the first `count` changes of a round (the rule itself is tested in versions.test). */
function* modelStates(round: number): Generator<State> {
  const state: State = new Map();
  yield new Map(state);
  for (const change of crashSequence(round)) {
    const key = `${change.resource.namespace}/${change.resource.type}/${change.resource.name}`;
    if (decide(change, state.get(key)) === 'applied') {
      state.set(key, { resourceVersion: change.resourceVersion, deleted: change.kind === 'delete', json: change.kind === 'delete' ? '' : change.json });
    }
    yield new Map(state);
  }
}

/** The round's state as stored: objects and tombstones, read over an independent connection. */
async function storedState(file: string, round: number): Promise<State> {
  const db = secondConnection(file);
  try {
    expect(await db.raw('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    const prefix = `${crashNamespace(round)}/`;
    const objects = await db('meta').where('key', 'like', `${prefix}%`);
    const tombstones = await db('meta_tombstone').where('key', 'like', `${prefix}%`);
    const state: State = new Map();
    for (const row of objects) state.set(row.key, { resourceVersion: BigInt(row.resource_version), deleted: false, json: row.value });
    for (const row of tombstones) {
      expect(state.has(row.key)).toBe(false); // never both an object and a tombstone
      state.set(row.key, { resourceVersion: BigInt(row.resource_version), deleted: true, json: '' });
    }
    return state;
  } finally {
    await db.destroy();
  }
}

const same = (a: State, b: State): boolean =>
  a.size === b.size &&
  [...a].every(([key, v]) => {
    const w = b.get(key);
    return w !== undefined && w.resourceVersion === v.resourceVersion && w.deleted === v.deleted && w.json === v.json;
  });

/** The smallest count >= `acked` whose model state equals `stored`, or -1. */
function matchingPrefix(round: number, stored: State, acked: number, slack: number): number {
  let count = 0;
  for (const state of modelStates(round)) {
    if (count >= acked && same(state, stored)) return count;
    if (count > acked + slack) return -1;
    count++;
  }
  return -1;
}

describe('crash consistency', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('kill -9 while writing loses no acknowledged change and leaves no change half-applied', async () => {
    const file = tmp.file();
    const results: { round: number; acked: number; stored: number }[] = [];
    for (const [round, acks] of [[1, 250], [2, 120], [3, 400]] as const) {
      const acked = await writeAndKill(file, round, acks);
      const stored = matchingPrefix(round, await storedState(file, round), acked, 500);
      results.push({ round, acked, stored });
      // Earlier rounds are untouched by later writers and their kills.
      for (const earlier of results.slice(0, -1)) {
        expect(matchingPrefix(earlier.round, await storedState(file, earlier.round), earlier.stored, 0)).toBe(earlier.stored);
      }
    }
    expect(results.map((r) => r.stored >= r.acked)).toEqual([true, true, true]);
    // And the store itself opens and reads the file.
    const store = await openMetaStore({ dataSource: file, log: silentLog });
    try {
      expect((await store.list({ type: 'configmap', namespace: crashNamespace(1) })).length).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  }, 60_000);
});
