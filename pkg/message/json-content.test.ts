import { EnvelopeError } from './errors';
import { jsonContent, readJsonContent } from './json-content';
import { newMessage } from './new-message';

const withContent = (content: Uint8Array, contentType: string) =>
  newMessage({ source: 's', group: 'g', operation: 'update', resource: 'r', content, contentType });

describe('JSON content', () => {
  it('round-trips values', () => {
    for (const value of [{ a: [1, 2, { b: null }] }, 'OK', 0, true, null, [], { unicode: 'ü → 🚀' }]) {
      expect(readJsonContent(withContent(jsonContent(value).content, 'application/json'))).toEqual(value);
    }
  });

  it('accepts media type parameters and any case', () => {
    expect(readJsonContent(withContent(Buffer.from('{"x":1}'), 'Application/JSON; charset=utf-8'))).toEqual({ x: 1 });
  });

  it('names the content type when it is not JSON', () => {
    const read = (type: string) => () => readJsonContent(withContent(Buffer.from('{}'), type));
    expect(read('text/plain')).toThrow('content_type: is "text/plain", not application/json');
    expect(read('')).toThrow('content_type: is empty, not application/json');
    expect(read('application/jsonx')).toThrow(EnvelopeError);
  });

  it('reports invalid JSON and invalid UTF-8 as INVALID content', () => {
    const inputs = [Buffer.from('{"a":'), Buffer.from(''), Buffer.from('{} trailing'), Buffer.from([0x7b, 0xff, 0x7d])];
    for (const bytes of inputs) {
      let caught: unknown;
      try {
        readJsonContent(withContent(bytes, 'application/json'));
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(EnvelopeError);
      expect((caught as EnvelopeError).code).toBe('INVALID');
      expect((caught as EnvelopeError).message).toMatch(/^content: is not valid (JSON|UTF-8)/);
    }
  });

  it('refuses values JSON cannot encode', () => {
    expect(() => jsonContent(undefined)).toThrow('content: a undefined cannot be encoded as JSON');
    expect(() => jsonContent(() => 1)).toThrow(/a function cannot be encoded/);
    expect(() => jsonContent({ n: 1n })).toThrow(/content: cannot be encoded as JSON/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => jsonContent(cyclic)).toThrow(EnvelopeError);
  });
});
