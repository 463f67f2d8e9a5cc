import { PatchError } from './errors';
import { applyMergePatch } from './merge-patch';

describe('applyMergePatch: RFC 7386 appendix A', () => {
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];

  it.each(cases)('%j patched with %j is %j', (target, patch, result) => {
    expect(applyMergePatch(target, patch)).toEqual(result);
  });

  // The RFC's last two rows replace the whole document; the API server refuses those bodies instead.
  it.each([null, 'bar', 3, true])('rejects a whole-document %j patch with 400 Invalid JSON Patch, as the server does', (patch) => {
    let thrown: unknown;
    try {
      applyMergePatch({ a: 'foo' }, patch);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(PatchError);
    expect(thrown).toMatchObject({ code: 'MALFORMED', status: 400, message: 'Invalid JSON Patch' });
  });
});

describe('applyMergePatch: server details', () => {
  it('prunes nulls from values that land on nothing, including objects inside arrays', () => {
    expect(applyMergePatch({}, { a: [{ b: null, c: 1 }, null] })).toEqual({ a: [{ c: 1 }, null] });
    expect(applyMergePatch({ a: null }, { a: { b: null } })).toEqual({ a: {} });
  });

  it('takes an array replacing an object as sent', () => {
    expect(applyMergePatch({ a: { x: 1 } }, { a: [{ b: null }] })).toEqual({ a: [{ b: null }] });
  });

  it('merges a kubectl label change into metadata', () => {
    const pod = { metadata: { name: 'p', labels: { app: 'web', tier: 'fe' } }, spec: { nodeName: 'n1' } };
    expect(applyMergePatch(pod, { metadata: { labels: { tier: null, env: 'prod' } } })).toEqual({
      metadata: { name: 'p', labels: { app: 'web', env: 'prod' } },
      spec: { nodeName: 'n1' },
    });
  });

  it('never modifies its inputs', () => {
    const doc = Object.freeze({ a: Object.freeze({ b: 1 }) });
    const patch = Object.freeze({ a: Object.freeze({ c: 2 }) });
    expect(applyMergePatch(doc, patch)).toEqual({ a: { b: 1, c: 2 } });
    expect(doc).toEqual({ a: { b: 1 } });
  });
});
