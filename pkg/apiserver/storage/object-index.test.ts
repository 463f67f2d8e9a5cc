import { ObjectIndex } from './object-index';
import { StoredObject } from './stored-object';

const stored = (key: string, revision: number): StoredObject => new StoredObject(key, revision, `{"metadata":{"resourceVersion":"${revision}"}}`);

describe('ObjectIndex', () => {
  it('answers ranges, counts and pages like a sorted map through random creates, replaces and deletes', () => {
    const index = new ObjectIndex();
    const reference = new Map<string, number>();
    let seed = 7;
    const random = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    for (let revision = 1; revision <= 3000; revision++) {
      const key = `/core/pods/ns${random(3)}/p-${random(400)}`;
      const op = random(10);
      if (op < 2 && reference.has(key)) {
        index.delete(key);
        reference.delete(key);
      } else {
        index.set(stored(key, revision));
        reference.set(key, revision);
      }
      if (revision % 97 === 0) {
        const prefix = `/core/pods/ns${random(3)}/`;
        const expected = [...reference.keys()].filter((k) => k.startsWith(prefix)).sort();
        expect(index.count(prefix)).toBe(expected.length);
        const first = index.page(prefix, 10, undefined);
        expect(first.items.map((o) => o.key)).toEqual(expected.slice(0, 10));
        expect(first.items.map((o) => o.revision)).toEqual(expected.slice(0, 10).map((k) => reference.get(k)));
        expect(first.remaining).toBe(Math.max(0, expected.length - 10));
        if (expected.length > 10) {
          expect(index.page(prefix, 1000, expected[9]).items.map((o) => o.key)).toEqual(expected.slice(10));
        }
      }
    }
    expect(index.size).toBe(reference.size);
    expect(index.count('/core/pods/')).toBe(reference.size);
    for (const [key, revision] of reference) {
      expect(index.get(key)?.revision).toBe(revision);
      expect(index.count(key)).toBe(1);
    }
  });
});
