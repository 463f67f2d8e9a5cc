/**
 * The deterministic stream of changes the crash test's writer applies: mostly newer versions, some deletes, some older
 * versions (stale), over a few keys, with values from 100 B to 8 KB so that a transaction spans several pages.
 */
import { parseObjectResource } from '../resource';
import type { Change } from '../store';

/** A small seeded PRNG (mulberry32), so the writer and the test agree on every change. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const crashNamespace = (round: number): string => `round-${round}`;

/** Yields change 0, 1, 2, ... of `round`'s sequence. */
export function* crashSequence(round: number): Generator<Change> {
  const random = prng(round * 7919);
  for (let i = 0; ; i++) {
    const name = `cm-${Math.floor(random() * 16)}`;
    const roll = random();
    const newest = 1_000 + i * 2;
    const resourceVersion = roll < 0.15 ? newest - 1 - Math.floor(random() * 200) : newest;
    const kind = roll >= 0.15 && roll < 0.35 ? 'delete' : 'upsert';
    const payload = 'p'.repeat(100 + Math.floor(random() * 8_000));
    const namespace = crashNamespace(round);
    const metadata = { name, namespace, resourceVersion: String(resourceVersion) };
    const json = JSON.stringify({ metadata, data: { payload } });
    const resource = parseObjectResource(`${namespace}/configmap/${name}`);
    yield { kind, resource, resourceVersion: BigInt(resourceVersion), json };
  }
}
