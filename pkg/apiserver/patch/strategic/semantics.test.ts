/**
 * Merge semantics on a small made-up type, with cases taken from the behaviour apimachinery's strategicpatch tests
 * pin down (current object + three-way patch = result), and the errors the server gives for bad directives.
 */
import { PatchError } from '../errors';
import type { JsonObject } from '../json';
import { SET_LIST, mergeList, object, type FieldStrategy, type PatchSchema } from '../schema/types';
import { applyStrategicMergePatch } from './apply';

// A recursive item type like the upstream MergeItem: merging lists by name at every level.
const ITEM: Record<string, FieldStrategy> = {};
Object.assign(ITEM, {
  mergingList: mergeList('name', ITEM),
  mergeItemPtr: mergeList('name', ITEM),
  mergingIntList: SET_LIST,
  retainKeysMap: object({ mergingList: mergeList('name', ITEM), mergingIntList: SET_LIST }),
});
const SCHEMA: PatchSchema = ITEM;

const apply = (current: JsonObject, patch: JsonObject): JsonObject => applyStrategicMergePatch(current, patch, SCHEMA);

const names = (...ns: number[]): JsonObject[] => ns.map((name) => ({ name }));

describe('strategic merge: lists', () => {
  const cases: [string, JsonObject, JsonObject, JsonObject][] = [
    [
      'merge lists of maps, new items placed by $setElementOrder',
      { mergingList: [{ name: 1, other: 'a' }, { name: 2, value: 2, other: 'b' }] },
      { '$setElementOrder/mergingList': names(4, 1, 2, 3), mergingList: [{ name: 4, value: 4 }, { name: 3, value: 3 }] },
      { mergingList: [{ name: 4, value: 4 }, { name: 1, other: 'a' }, { name: 2, value: 2, other: 'b' }, { name: 3, value: 3 }] },
    ],
    [
      'add map and delete map, keeping a server-only item',
      { mergingList: [{ name: 1 }, { name: 2, other: 'b' }, { name: 4, other: 'c' }] },
      { '$setElementOrder/mergingList': names(2, 3), mergingList: [{ name: 3 }, { name: 1, $patch: 'delete' }] },
      { mergingList: [{ name: 2, other: 'b' }, { name: 4, other: 'c' }, { name: 3 }] },
    ],
    [
      'add and delete, where the appended item takes the freed slot in the server order (Go slice aliasing)',
      { mergingList: [{ name: 1, other: 'a' }, { name: 4, other: 'c' }] },
      { '$setElementOrder/mergingList': names(2, 3), mergingList: [{ name: 2 }, { name: 3 }, { name: 1, $patch: 'delete' }] },
      { mergingList: [{ name: 4, other: 'c' }, { name: 2 }, { name: 3 }] },
    ],
    [
      'delete and reorder in one list, reorder in another',
      { mergingList: [{ name: 'a', value: 'a' }, { name: 'b', value: 'b' }], mergeItemPtr: [{ name: 'c' }, { name: 'd' }] },
      {
        '$setElementOrder/mergingList': [{ name: 'b' }],
        '$setElementOrder/mergeItemPtr': [{ name: 'd' }, { name: 'c' }],
        mergingList: [{ $patch: 'delete', name: 'a' }],
      },
      { mergingList: [{ name: 'b', value: 'b' }], mergeItemPtr: [{ name: 'd' }, { name: 'c' }] },
    ],
    [
      'delete of a missing item is a no-op',
      { mergingList: [{ name: 3, other: 'a' }] },
      { '$setElementOrder/mergingList': names(2), mergingList: [{ name: 2 }, { name: 1, $patch: 'delete' }] },
      { mergingList: [{ name: 2 }, { name: 3, other: 'a' }] },
    ],
    [
      'set element order with server-only items in between',
      { mergingList: [{ name: 1, other: 'a' }, { name: 2, value: 2 }, { name: 7 }, { name: 9 }, { name: 8 }, { name: 3 }, { name: 4 }] },
      { '$setElementOrder/mergingList': names(2, 1, 4, 3) },
      { mergingList: [{ name: 2, value: 2 }, { name: 1, other: 'a' }, { name: 7 }, { name: 9 }, { name: 8 }, { name: 4 }, { name: 3 }] },
    ],
    [
      'duplicates in a merging list keep their relative order',
      { mergingList: [{ name: 1 }, { name: 2, value: 'dup1' }, { name: 3 }, { name: 2, value: 'dup2' }, { name: 4 }] },
      { '$setElementOrder/mergingList': names(2, 1, 4, 3, 2) },
      { mergingList: [{ name: 2, value: 'dup1' }, { name: 2, value: 'dup2' }, { name: 1 }, { name: 4 }, { name: 3 }] },
    ],
    [
      'a nested list ordered by its own $setElementOrder',
      { mergingList: [{ name: 1, other: 'a', mergingList: [{ name: 2, value: 2, other: 'd' }] }, { name: 2, other: 'b' }] },
      {
        '$setElementOrder/mergingList': names(1, 2),
        mergingList: [{ '$setElementOrder/mergingList': names(2, 1), name: 1, mergingList: [{ name: 1, value: 1 }] }],
      },
      {
        mergingList: [
          { name: 1, other: 'a', mergingList: [{ name: 2, value: 2, other: 'd' }, { name: 1, value: 1 }] },
          { name: 2, other: 'b' },
        ],
      },
    ],
    [
      'without $setElementOrder the patch order wins and server-only items go first',
      { mergingList: [{ name: 1 }, { name: 2, value: 'b' }, { name: 3 }] },
      { mergingList: [{ name: 3, value: 'c' }, { name: 1, value: 'a' }] },
      { mergingList: [{ name: 2, value: 'b' }, { name: 3, value: 'c' }, { name: 1, value: 'a' }] },
    ],
    [
      'delete removes every duplicate',
      { mergingList: [{ name: 1 }, { name: 1 }, { name: 2, value: 'a' }, { name: 3 }, { name: 3 }] },
      { mergingList: [{ name: 1, $patch: 'delete' }, { name: 3, $patch: 'delete' }] },
      { mergingList: [{ name: 2, value: 'a' }] },
    ],
    ['$patch: replace alone empties the list', { mergingList: names(1, 2) }, { mergingList: [{ $patch: 'replace' }] }, { mergingList: [] }],
    [
      'a delete item for a list the object lacks is dropped',
      { name: 'hi' },
      { mergingList: [{ name: 'hello' }, { $patch: 'delete', name: 'doesntexist' }] },
      { name: 'hi', mergingList: [{ name: 'hello' }] },
    ],
    [
      'add an int and keep a server-only one in place',
      { mergingIntList: [1, 4, 2] },
      { '$setElementOrder/mergingIntList': [3, 1, 2], mergingIntList: [3] },
      { mergingIntList: [3, 1, 4, 2] },
    ],
    [
      'delete from a primitive list',
      { mergingIntList: [1, 2, 3, 4] },
      { '$setElementOrder/mergingIntList': [1, 2], '$deleteFromPrimitiveList/mergingIntList': [3] },
      { mergingIntList: [1, 2, 4] },
    ],
    [
      'primitive list order: patch items after the server-only ones',
      { mergingIntList: [1, 2, 3] },
      { mergingIntList: [3, 1] },
      { mergingIntList: [2, 3, 1] },
    ],
    [
      'add and delete ints in a nested list under $retainKeys',
      { retainKeysMap: { name: 'foo', mergingIntList: [1, 2, 3, 4] } },
      {
        retainKeysMap: {
          $retainKeys: ['mergingIntList', 'name'],
          mergingIntList: [5],
          '$deleteFromPrimitiveList/mergingIntList': [2],
          '$setElementOrder/mergingIntList': [1, 3, 5],
        },
      },
      { retainKeysMap: { name: 'foo', mergingIntList: [1, 3, 5, 4] } },
    ],
    ['duplicate ints kept under $setElementOrder', { mergingIntList: [1, 2, 3, 2, 4] }, { '$setElementOrder/mergingIntList': [2, 1, 4, 3, 2] }, { mergingIntList: [2, 2, 1, 4, 3] }],
    ['a deletion list works on a list without merge strategy', { nonMergingIntList: [1, 2, 3] }, { '$deleteFromPrimitiveList/nonMergingIntList': [2] }, { nonMergingIntList: [1, 3] }],
    ['a deletion list never creates its list', { foo: ['bar'] }, { '$deleteFromPrimitiveList/mergingIntList': [3] }, { foo: ['bar'] }],
    ['a list without strategy is replaced', { nonMergingList: [{ name: 1 }, { name: 2, value: 2 }] }, { nonMergingList: [{ name: 1, value: 1 }] }, { nonMergingList: [{ name: 1, value: 1 }] }],
  ];

  it.each(cases)('%s', (_name, current, patch, result) => {
    expect(apply(current, patch)).toEqual(result);
  });
});

describe('strategic merge: maps and $retainKeys', () => {
  it('clears the members a discriminated union leaves behind', () => {
    const current = { retainKeysMap: { name: 'type1', value: 'foo' } };
    const patch = { retainKeysMap: { $retainKeys: ['name', 'other'], name: 'type2', other: 'bar' } };
    expect(apply(current, patch)).toEqual({ retainKeysMap: { name: 'type2', other: 'bar' } });
  });

  it('replaces or empties a map with $patch', () => {
    expect(apply({ name: 1, value: 1 }, { other: 'a', $patch: 'replace' })).toEqual({ other: 'a' });
    expect(apply({ simpleMap: { key1: 1 } }, { simpleMap: { $patch: 'delete' } })).toEqual({ simpleMap: {} });
  });

  it('treats a null patch as no change', () => {
    expect(applyStrategicMergePatch({ a: 1 }, null, SCHEMA)).toEqual({ a: 1 });
  });
});

function failure(current: unknown, patch: unknown): { code: string; status: number; message: string } {
  try {
    applyStrategicMergePatch(current, patch, SCHEMA);
  } catch (e) {
    if (!(e instanceof PatchError)) throw e;
    return { code: e.code, status: e.status, message: e.message };
  }
  throw new Error('expected a PatchError');
}

describe('strategic merge: the errors the server gives', () => {
  it('a list item without its merge key: 500 with the map printed the Go way', () => {
    expect(failure({ mergingList: [{ name: 1, value: 'a' }] }, { mergingList: [{ value: 'b', other: 2.5 }] })).toEqual({
      code: 'INVALID_PATCH',
      status: 500,
      message: 'map: map[other:2.5 value:b] does not contain declared merge key: name',
    });
  });

  it('unknown or unsupported $patch values', () => {
    expect(failure({ a: { b: 1 } }, { a: { $patch: 'frob', c: true } }).message).toBe(
      'unknown patch type: frob in map: map[$patch:frob c:true]',
    );
    expect(failure({ a: {} }, { a: { $patch: 5 } }).message).toBe('unknown patch type: %!s(int64=5) in map: map[$patch:5]');
    // The server has no `$patch: merge` for maps either; in a list it has its own message.
    expect(failure({ a: {} }, { a: { $patch: 'merge', b: 1 } }).message).toBe('unknown patch type: merge in map: map[$patch:merge b:1]');
    expect(failure({ mergingList: names(1) }, { mergingList: [{ name: 1, $patch: 'merge' }] }).message).toBe(
      'merging lists cannot yet be specified in the patch',
    );
    expect(failure({ mergingList: names(1) }, { mergingList: [{ $patch: 'delete' }] }).message).toBe(
      'map: map[$patch:delete] does not contain declared merge key: name',
    );
  });

  it('malformed directives are 400s', () => {
    const bad = (patch: JsonObject): [string, number, string] => {
      const f = failure({ mergingIntList: [1] }, patch);
      return [f.code, f.status, f.message];
    };
    expect(bad({ $retainKeys: 'name' })).toEqual(['MALFORMED', 400, 'invalid patch format of retainKeys']);
    expect(bad({ $retainKeys: ['name'], value: 1 })).toEqual(['MALFORMED', 400, 'invalid patch format of retainKeys']);
    expect(bad({ $setElementOrder: [1] })).toEqual(['MALFORMED', 400, 'invalid patch format of setElementOrder list']);
    expect(bad({ '$deleteFromPrimitiveListX/a': [1] })).toEqual(['MALFORMED', 400, 'invalid patch format of primitive list']);
    expect(bad({ '$setElementOrder/mergingIntList': 'x' })).toEqual([
      'INVALID_PATCH',
      500,
      'expected a []interface {}, but received a string',
    ]);
  });

  it('an order that contradicts the patch list', () => {
    const current = { mergingList: names(1, 3, 2) };
    const patch = { '$setElementOrder/mergingList': names(1, 2, 3), mergingList: [{ name: 3, value: 3 }, { name: 1, value: 1 }] };
    expect(failure(current, patch).message).toBe(
      'The order in patch list:\n[map[name:3 value:3] map[name:1 value:1]]\n doesn\'t match $setElementOrder list:\n[map[name:1] map[name:2] map[name:3]]\n',
    );
  });

  it('mixed element types, lists of lists and maps in a set', () => {
    expect(failure({ mergingIntList: [1] }, { mergingIntList: ['a'] }).message).toBe(
      'list element types are not identical: [[1] [a]]',
    );
    expect(failure({ mergingIntList: [[1]] }, { mergingIntList: [[2]] })).toMatchObject({ status: 422, message: 'lists of lists are not supported' });
    expect(failure({ mergingIntList: [{ a: 1 }] }, { mergingIntList: [{ a: 2 }] }).message).toBe(
      'cannot merge lists without merge key for type string',
    );
  });

  it('a patch that is not an object is a 400', () => {
    expect(failure({}, [1])).toEqual({
      code: 'MALFORMED',
      status: 400,
      message: 'json: cannot unmarshal array into Go value of type map[string]interface {}',
    });
  });
});
