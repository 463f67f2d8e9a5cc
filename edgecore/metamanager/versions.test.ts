import { decide } from './versions';

const upsert = (rv: bigint) => ({ kind: 'upsert' as const, resourceVersion: rv });
const del = (rv: bigint) => ({ kind: 'delete' as const, resourceVersion: rv });
const object = (rv: bigint) => ({ resourceVersion: rv, deleted: false });
const tombstone = (rv: bigint) => ({ resourceVersion: rv, deleted: true });

describe('decide', () => {
  it.each([
    ['an upsert of an unknown key', upsert(5n), undefined, 'applied'],
    ['a delete of an unknown key (leaves a tombstone)', del(5n), undefined, 'applied'],
    ['a newer upsert', upsert(6n), object(5n), 'applied'],
    ['the same version again', upsert(5n), object(5n), 'duplicate'],
    ['an older upsert', upsert(4n), object(5n), 'stale'],
    ['a delete of the stored version', del(5n), object(5n), 'applied'],
    ['a delete of a newer version', del(7n), object(5n), 'applied'],
    ['a delete older than the stored object', del(4n), object(5n), 'stale'],
    ['an upsert after the delete of that version', upsert(5n), tombstone(5n), 'stale'],
    ['an older upsert after a delete', upsert(3n), tombstone(5n), 'stale'],
    ['a re-creation newer than the delete', upsert(9n), tombstone(5n), 'applied'],
    ['the same delete again', del(5n), tombstone(5n), 'duplicate'],
    ['an older delete after a delete', del(4n), tombstone(5n), 'stale'],
    ['a newer delete after a delete', del(6n), tombstone(5n), 'applied'],
  ] as const)('%s: %s', (_, change, known, outcome) => {
    expect(decide(change, known)).toBe(outcome);
  });
});
