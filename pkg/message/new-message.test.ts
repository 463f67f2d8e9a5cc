import { Message, Operation } from '../../gen/kubeedge/message/v1/message';
import { EnvelopeError } from './errors';
import { jsonContent, readJsonContent } from './json-content';
import { newMessage } from './new-message';
import { newErrorResponse, newResponse, readErrorContent } from './responses';
import { validateMessage } from './validate';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function fixedDeps(): { nowMs: () => number; newId: () => string } {
  let n = 0;
  return { nowMs: () => 1_700_000_000_000, newId: () => `id-${++n}` };
}

describe('newMessage', () => {
  it('fills id, time and route, and accepts the operation as a KubeEdge string', () => {
    const before = Date.now();
    const m = newMessage({
      source: 'edgecontroller',
      group: 'resource',
      operation: 'insert',
      resource: 'default/pod/a',
    });
    expect(m.header!.id).toMatch(UUID_V4);
    expect(m.header!.timestampMs).toBeGreaterThanOrEqual(before);
    expect(m.header!.parentId).toBe('');
    expect(m.header!.sync).toBe(false);
    expect(m.route).toEqual({
      source: 'edgecontroller',
      destination: '',
      group: 'resource',
      operation: Operation.OPERATION_INSERT,
      resource: 'default/pod/a',
    });
    expect(m.content.length).toBe(0);
    expect(m.contentType).toBe('');
    expect(validateMessage(m)).toBe(m);
  });

  it('gives every message a new id', () => {
    const one = () => newMessage({ source: 's', group: 'g', operation: 'query', resource: 'r' });
    const ids = new Set(Array.from({ length: 1000 }, () => one().header!.id));
    expect(ids.size).toBe(1000);
  });

  it('takes the enum, optional fields, JSON content and an injected clock', () => {
    const m = newMessage(
      {
        source: 'metamanager',
        group: 'meta',
        operation: Operation.OPERATION_UPDATE,
        resource: 'default/configmap/c',
        destination: 'edged',
        resourceVersion: '42',
        ...jsonContent({ data: { k: 'v' } }),
      },
      fixedDeps(),
    );
    expect(m.header).toEqual({
      id: 'id-1',
      parentId: '',
      timestampMs: 1_700_000_000_000,
      resourceVersion: '42',
      sync: false,
    });
    expect(m.route!.destination).toBe('edged');
    expect(m.contentType).toBe('application/json');
    expect(readJsonContent(m)).toEqual({ data: { k: 'v' } });
  });

  it('wraps a Uint8Array as a Buffer without copying', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const m = newMessage({ source: 's', group: 'g', operation: 'upload', resource: 'r', content: bytes });
    expect(Buffer.isBuffer(m.content)).toBe(true);
    bytes[0] = 9;
    expect(m.content[0]).toBe(9);
  });

  it('rejects an unknown operation string with a clear error', () => {
    expect(() => newMessage({ source: 's', group: 'g', operation: 'inserted' as 'insert', resource: 'r' })).toThrow(
      /operation "inserted" is not a KubeEdge operation/,
    );
  });

  it('survives an encode/decode round trip unchanged', () => {
    const m = newMessage({ source: 's', group: 'g', operation: 'patch', resource: 'r', ...jsonContent([1, 'two']) });
    expect(Message.decode(Message.encode(m).finish())).toEqual(m);
  });
});

describe('newResponse / newErrorResponse', () => {
  const deps = fixedDeps();
  const request = newMessage(
    { source: 'edged', group: 'meta', operation: 'query', resource: 'default/secret/s' },
    deps,
  );

  it('answers with parent_id = request id and the request route copied', () => {
    const r = newResponse(request, jsonContent({ ok: true }), deps);
    expect(r.header!.parentId).toBe(request.header!.id);
    expect(r.header!.id).not.toBe(request.header!.id);
    expect(r.route).toEqual({ ...request.route, operation: Operation.OPERATION_RESPONSE });
    expect(readJsonContent(r)).toEqual({ ok: true });
    expect(validateMessage(r)).toBe(r);
  });

  it('allows an empty response', () => {
    const r = newResponse(request, undefined);
    expect(r.content.length).toBe(0);
    expect(validateMessage(r)).toBe(r);
  });

  it('carries the reason and a string code in an error response', () => {
    const failure = Object.assign(new Error('secret default/s not found'), { code: 'NOT_FOUND' });
    const e = newErrorResponse(request, failure, deps);
    expect(e.route!.operation).toBe(Operation.OPERATION_ERROR);
    expect(e.header!.parentId).toBe(request.header!.id);
    expect(readErrorContent(e)).toEqual({ message: 'secret default/s not found', code: 'NOT_FOUND' });
    expect(readErrorContent(newErrorResponse(request, 'plain reason'))).toEqual({ message: 'plain reason' });
    expect(readErrorContent(newErrorResponse(request, Object.assign(new Error('x'), { code: 5 })))).toEqual({
      message: 'x',
    });
  });

  it('refuses to answer a request without an id', () => {
    const bad = { ...request, header: { ...request.header!, id: '' } };
    expect(() => newResponse(bad)).toThrow(EnvelopeError);
    expect(() => newResponse(bad)).toThrow(/^header\.id: /);
  });

  it('rejects error content of the wrong shape', () => {
    const r = newResponse(request, jsonContent({ reason: 'x' }));
    expect(() => readErrorContent(r)).toThrow(/an error message must carry JSON/);
  });
});
