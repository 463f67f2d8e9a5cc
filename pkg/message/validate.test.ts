import { Message, Operation } from '../../gen/kubeedge/message/v1/message';
import { EnvelopeError } from './errors';
import { newMessage } from './new-message';
import { newResponse } from './responses';
import {
  frameProblems,
  messageProblems,
  validateMessage,
  validateTunnelRequest,
  validateTunnelResponse,
} from './validate';

const good = (): Message =>
  newMessage({ source: 'edgehub', group: 'resource', operation: 'update', resource: 'default/pod/a' });

function problemsOf(mutate: (m: Message) => void): string[] {
  const m = good();
  mutate(m);
  return messageProblems(m).map((p) => `${p.path}: ${p.problem}`);
}

describe('validateMessage', () => {
  it('accepts a well-formed message', () => {
    expect(messageProblems(good())).toEqual([]);
  });

  it('names each missing or broken field and the fix', () => {
    expect(problemsOf((m) => (m.header!.id = ''))).toEqual(['header.id: is empty; every message needs a unique id']);
    expect(problemsOf((m) => (m.header!.timestampMs = 0))).toEqual([
      'header.timestamp_ms: is 0; set it to the creation time in Unix milliseconds',
    ]);
    expect(problemsOf((m) => (m.header!.timestampMs = -5))[0]).toMatch(/^header\.timestamp_ms: is -5/);
    expect(problemsOf((m) => (m.route!.operation = Operation.OPERATION_UNSPECIFIED))[0]).toMatch(
      /^route\.operation: is OPERATION_UNSPECIFIED/,
    );
    expect(problemsOf((m) => (m.route!.operation = 77 as Operation))[0]).toMatch(
      /^route\.operation: 77 is not an operation this build knows/,
    );
    expect(problemsOf((m) => (m.route!.resource = ''))).toEqual([
      'route.resource: is empty; a "update" message must say what it is about, e.g. "default/pod/nginx"',
    ]);
    expect(problemsOf((m) => (m.header!.id = 'x'.repeat(300)))[0]).toMatch(/^header\.id: is 300 characters, over/);
    expect(problemsOf((m) => (m.header!.parentId = 'x'.repeat(257)))[0]).toMatch(/^header\.parent_id: is 257/);
  });

  it('reports a missing header or route', () => {
    const m = good();
    delete m.header;
    delete m.route;
    expect(messageProblems(m).map((p) => p.path)).toEqual(['header', 'route']);
  });

  it('needs parent_id on RESPONSE and ERROR, and lets them and KEEPALIVE omit the resource', () => {
    for (const operation of [Operation.OPERATION_RESPONSE, Operation.OPERATION_ERROR]) {
      const problems = problemsOf((m) => {
        m.route!.operation = operation;
        m.route!.resource = '';
      });
      expect(problems).toEqual([expect.stringMatching(/^header\.parent_id: is empty; a "(response|error)" message/)]);
    }
    const keepalive = (m: Message): void => {
      m.route!.operation = Operation.OPERATION_KEEPALIVE;
      m.route!.resource = '';
    };
    expect(problemsOf(keepalive)).toEqual([]);
    expect(messageProblems(newResponse(good()))).toEqual([]);
  });

  it('limits the content size', () => {
    const m = good();
    m.content = Buffer.alloc(11);
    expect(messageProblems(m, { maxContentBytes: 10 })).toEqual([
      { path: 'content', problem: 'is 11 bytes, over the limit of 10; send large objects in parts' },
    ]);
    expect(messageProblems(m, { maxContentBytes: 11 })).toEqual([]);
  });

  it('throws one INVALID error that lists every problem', () => {
    const m = good();
    m.header!.id = '';
    m.route!.resource = '';
    let caught: EnvelopeError | undefined;
    try {
      validateMessage(m);
    } catch (error) {
      caught = error as EnvelopeError;
    }
    expect(caught).toBeInstanceOf(EnvelopeError);
    expect(caught!.code).toBe('INVALID');
    expect(caught!.problems.map((p) => p.path)).toEqual(['header.id', 'route.resource']);
    expect(caught!.message).toMatch(/^invalid message: header\.id: is empty; .*; route\.resource: is empty/);
  });
});

describe('tunnel frames', () => {
  it('rejects an empty frame', () => {
    expect(() => validateTunnelRequest({ frame: undefined })).toThrow(
      /^invalid tunnel request: frame: no frame kind is set/,
    );
    expect(() => validateTunnelResponse({})).toThrow(EnvelopeError);
  });

  it('prefixes message problems with the frame kind', () => {
    const m = good();
    m.header!.id = '';
    expect(frameProblems({ $case: 'message', value: m }).map((p) => p.path)).toEqual(['message.header.id']);
  });

  it('checks acks and keepalives', () => {
    expect(frameProblems({ $case: 'ack', value: { messageId: '', resourceVersion: '', error: '' } })).toEqual([
      { path: 'ack.message_id', problem: 'is empty; an ack must name the header.id of the message it answers' },
    ]);
    const nack = { messageId: 'm', resourceVersion: '7', error: 'disk full' };
    expect(frameProblems({ $case: 'ack', value: nack })).toEqual([]);
    expect(frameProblems({ $case: 'keepalive', value: { sentAtMs: 0 } })[0]!.path).toBe('keepalive.sent_at_ms');
    expect(frameProblems({ $case: 'keepalive', value: { sentAtMs: Date.now() } })).toEqual([]);
  });
});
