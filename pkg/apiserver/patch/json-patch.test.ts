import { PatchError } from './errors';
import { MAX_JSON_PATCH_OPERATIONS, applyJsonPatch } from './json-patch';

/** The PatchError `fn` throws, as a plain record for toEqual. */
function failure(fn: () => unknown): { code: string; status: number; message: string } {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof PatchError)) throw e;
    return { code: e.code, status: e.status, message: e.message };
  }
  throw new Error('expected a PatchError');
}

describe('applyJsonPatch: RFC 6902 appendix A', () => {
  it('A.1 adds an object member', () => {
    expect(applyJsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }])).toEqual({ baz: 'qux', foo: 'bar' });
  });

  it('A.2 adds an array element', () => {
    expect(applyJsonPatch({ foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }])).toEqual({
      foo: ['bar', 'qux', 'baz'],
    });
  });

  it('A.3 removes an object member', () => {
    expect(applyJsonPatch({ baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }])).toEqual({ foo: 'bar' });
  });

  it('A.4 removes an array element', () => {
    expect(applyJsonPatch({ foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }])).toEqual({ foo: ['bar', 'baz'] });
  });

  it('A.5 replaces a value', () => {
    expect(applyJsonPatch({ baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }])).toEqual({
      baz: 'boo',
      foo: 'bar',
    });
  });

  it('A.6 moves a value', () => {
    const doc = { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } };
    expect(applyJsonPatch(doc, [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }])).toEqual({
      foo: { bar: 'baz' },
      qux: { corge: 'grault', thud: 'fred' },
    });
  });

  it('A.7 moves an array element', () => {
    expect(applyJsonPatch({ foo: ['all', 'grass', 'cows', 'eat'] }, [{ op: 'move', from: '/foo/1', path: '/foo/3' }])).toEqual({
      foo: ['all', 'cows', 'eat', 'grass'],
    });
  });

  it('A.8 tests values that match', () => {
    const doc = { baz: 'qux', foo: ['a', 2, 'c'] };
    const ops = [
      { op: 'test', path: '/baz', value: 'qux' },
      { op: 'test', path: '/foo/1', value: 2 },
    ];
    expect(applyJsonPatch(doc, ops)).toEqual(doc);
  });

  it('A.9 fails a test that does not match', () => {
    expect(failure(() => applyJsonPatch({ baz: 'qux' }, [{ op: 'test', path: '/baz', value: 'bar' }]))).toEqual({
      code: 'TEST_FAILED',
      status: 422,
      message: 'testing value /baz failed: test failed',
    });
  });

  it('A.10 adds a nested member object', () => {
    expect(applyJsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/child', value: { grandchild: {} } }])).toEqual({
      foo: 'bar',
      child: { grandchild: {} },
    });
  });

  it('A.11 ignores unrecognized members of an operation', () => {
    expect(applyJsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux', xyz: 123 }])).toEqual({
      foo: 'bar',
      baz: 'qux',
    });
  });

  it('A.12 fails to add to a nonexistent target', () => {
    expect(failure(() => applyJsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/baz/bat', value: 'qux' }]))).toEqual({
      code: 'PATH_NOT_FOUND',
      status: 422,
      message: 'add operation does not apply: doc is missing path: "/baz/bat": missing value',
    });
  });

  it('A.13 a duplicated "op" decodes to its last value and so fails', () => {
    const ops: unknown = JSON.parse('[{ "op": "add", "path": "/baz", "value": "qux", "op": "remove" }]');
    expect(failure(() => applyJsonPatch({ foo: 'bar' }, ops)).message).toBe(
      "error in remove for path: '/baz': Unable to remove nonexistent key: baz: missing value",
    );
  });

  it('A.14 unescapes ~01 to ~1, not to /', () => {
    const doc = { '/': 9, '~1': 10 };
    expect(applyJsonPatch(doc, [{ op: 'test', path: '/~01', value: 10 }])).toEqual(doc);
  });

  it('A.15 does not equate a string and a number', () => {
    const doc = { '/': 9, '~1': 10 };
    expect(failure(() => applyJsonPatch(doc, [{ op: 'test', path: '/~01', value: '10' }])).code).toBe('TEST_FAILED');
  });

  it('A.16 appends an array value with "-"', () => {
    expect(applyJsonPatch({ foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }])).toEqual({
      foo: ['bar', ['abc', 'def']],
    });
  });
});

describe('applyJsonPatch: what kube-apiserver (evanphx/json-patch v4) does beyond the RFC', () => {
  it('replace of a missing object member adds it, and copy from one copies null', () => {
    expect(applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '/b', value: 2 }])).toEqual({ a: 1, b: 2 });
    expect(applyJsonPatch({ a: 1 }, [{ op: 'copy', from: '/x', path: '/c' }])).toEqual({ a: 1, c: null });
  });

  it('counts negative indices from the end', () => {
    expect(applyJsonPatch({ a: [1, 2, 3] }, [{ op: 'remove', path: '/a/-1' }])).toEqual({ a: [1, 2] });
    expect(applyJsonPatch({ a: [1, 2] }, [{ op: 'replace', path: '/a/-2', value: 9 }])).toEqual({ a: [9, 2] });
  });

  it('replaces the whole document at "" but cannot add or remove there', () => {
    expect(applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }])).toEqual({ b: 2 });
    expect(applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '', value: 3 }])).toEqual({ a: 1 });
    expect(failure(() => applyJsonPatch({ a: 1 }, [{ op: 'remove', path: '' }])).message).toBe(
      'remove operation does not apply: doc is missing path: "": missing value',
    );
  });

  it('treats an absent value as null and tests a missing member against null', () => {
    expect(applyJsonPatch({}, [{ op: 'add', path: '/a' }])).toEqual({ a: null });
    expect(applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/missing', value: null }])).toEqual({ a: 1 });
  });

  it('reports bad indices, unknown ops and undecodable paths in the library words', () => {
    const doc = { a: [1, 2] };
    expect(failure(() => applyJsonPatch(doc, [{ op: 'add', path: '/a/5', value: 0 }]))).toEqual({
      code: 'PATH_NOT_FOUND',
      status: 422,
      message: "error in add for path: '/a/5': Unable to access invalid index: 5: invalid index referenced",
    });
    expect(failure(() => applyJsonPatch(doc, [{ op: 'add', path: '/a/x', value: 0 }])).message).toBe(
      `error in add for path: '/a/x': value was not a proper array index: 'x': strconv.Atoi: parsing "x": invalid syntax`,
    );
    expect(failure(() => applyJsonPatch(doc, [{ op: 'replace', path: '/a/2', value: 0 }])).message).toBe(
      'replace operation does not apply: doc is missing key: /a/2: missing value',
    );
    expect(failure(() => applyJsonPatch(doc, [{ op: 'frobnicate', path: '/a' }]))).toEqual({
      code: 'INVALID_PATCH',
      status: 422,
      message: 'Unexpected kind: frobnicate',
    });
    expect(failure(() => applyJsonPatch(doc, [{ path: '/a' }])).message).toBe('Unexpected kind: unknown');
    expect(failure(() => applyJsonPatch(doc, [{ op: 'replace', value: 1 }])).message).toBe(
      'replace operation failed to decode path: operation missing path field: missing value',
    );
    expect(failure(() => applyJsonPatch(doc, [{ op: 'move', path: '/b' }])).message).toBe(
      'move operation failed to decode from: operation, missing from field: missing value',
    );
  });

  it('rejects documents that are not a list of operations with 400', () => {
    expect(failure(() => applyJsonPatch({}, { op: 'add' }))).toEqual({
      code: 'MALFORMED',
      status: 400,
      message: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
    });
    expect(failure(() => applyJsonPatch({}, ['add'])).message).toBe(
      'json: cannot unmarshal string into Go value of type jsonpatch.Operation',
    );
    expect(applyJsonPatch({ a: 1 }, null)).toEqual({ a: 1 });
  });

  it('refuses more than 10000 operations with 413', () => {
    const ops = Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({ op: 'test', path: '/a', value: 1 }));
    expect(failure(() => applyJsonPatch({ a: 1 }, ops))).toEqual({
      code: 'TOO_LARGE',
      status: 413,
      message: 'The allowed maximum operations in a JSON patch is 10000, got 10001',
    });
  });

  it('stops copies that would grow the document past the request size limit', () => {
    const ops = Array.from({ length: 30 }, (_, i) => ({ op: 'copy', from: '/a', path: `/a/${i % 2}` }));
    expect(failure(() => applyJsonPatch({ a: ['x'.repeat(1000)] }, ops)).message).toMatch(
      /^Unable to complete the copy, the accumulated size increase of copy is \d+, exceeding the limit 3145728$/,
    );
  });

  it('never modifies its inputs, even when an operation fails halfway', () => {
    const doc = Object.freeze({ a: Object.freeze([1, 2]), b: Object.freeze({ c: 1 }) });
    const ops = Object.freeze([
      Object.freeze({ op: 'add', path: '/a/-', value: 3 }),
      Object.freeze({ op: 'remove', path: '/b/c' }),
      Object.freeze({ op: 'test', path: '/a/0', value: 9 }),
    ]);
    expect(failure(() => applyJsonPatch(doc, ops)).code).toBe('TEST_FAILED');
    expect(applyJsonPatch(doc, ops.slice(0, 2))).toEqual({ a: [1, 2, 3], b: {} });
    expect(doc).toEqual({ a: [1, 2], b: { c: 1 } });
  });

  it('handles member names that are special to JavaScript objects', () => {
    const out = applyJsonPatch({}, [
      { op: 'add', path: '/__proto__', value: { polluted: true } },
      { op: 'add', path: '/constructor', value: 1 },
    ]) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(failure(() => applyJsonPatch({}, [{ op: 'remove', path: '/toString' }])).code).toBe('PATH_NOT_FOUND');
  });
});
