import { Message } from '../../gen/kubeedge/message/v1/message';
import { TunnelRequest, TunnelResponse } from '../../gen/kubeedge/tunnel/v1/tunnel';
import { decodeMessage, decodeTunnelRequest, decodeTunnelResponse } from './decode';
import { EnvelopeError, type EnvelopeErrorCode } from './errors';
import { jsonContent } from './json-content';
import { newMessage } from './new-message';
import { DEFAULT_MAX_MESSAGE_BYTES } from './validate';

const message = (): Message =>
  newMessage({
    source: 'edgecontroller',
    group: 'resource',
    operation: 'insert',
    resource: 'default/pod/nginx',
    resourceVersion: '123',
    ...jsonContent({ kind: 'Pod', metadata: { name: 'nginx' } }),
  });
const encoded = (m: Message = message()): Buffer => Buffer.from(Message.encode(m).finish());

function codeOf(run: () => unknown): EnvelopeErrorCode | 'OK' {
  try {
    run();
    return 'OK';
  } catch (error) {
    if (!(error instanceof EnvelopeError)) throw error;
    return error.code;
  }
}

/** mulberry32: a small seeded PRNG, so a failing random case can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('decodeMessage', () => {
  it('round-trips a valid message', () => {
    const m = message();
    expect(decodeMessage(encoded(m))).toEqual(m);
    expect(DEFAULT_MAX_MESSAGE_BYTES).toBe(12 * 1024 * 1024);
  });

  it('refuses oversized input before decoding it', () => {
    const bytes = encoded();
    expect(() => decodeMessage(bytes, { maxBytes: bytes.length - 1 })).toThrow(
      new RegExp(`^kubeedge\\.message\\.v1\\.Message: ${bytes.length} bytes is over the limit of ${bytes.length - 1}`),
    );
    expect(codeOf(() => decodeMessage(bytes, { maxBytes: bytes.length - 1 }))).toBe('TOO_LARGE');
    // Garbage that large is refused by size alone, never parsed.
    expect(codeOf(() => decodeMessage(Buffer.alloc(DEFAULT_MAX_MESSAGE_BYTES + 1, 0xff)))).toBe('TOO_LARGE');
  });

  it('reports truncations as EnvelopeErrors, except cuts at a field boundary', () => {
    const bytes = encoded();
    const codes = Array.from({ length: bytes.length }, (_, n) => codeOf(() => decodeMessage(bytes.subarray(0, n))));
    // A cut between fields is a valid shorter message (protobuf cannot tell); the transport's framing catches those.
    // Here those are the cuts before content and before content_type, which are optional.
    expect(codes.filter((c) => c === 'OK')).toHaveLength(2);
    expect(codes.filter((c) => c === 'UNDECODABLE').length).toBeGreaterThan(bytes.length / 2);
    expect(codeOf(() => decodeMessage(bytes.subarray(0, bytes.length - 3)))).toBe('UNDECODABLE');
  });

  it('names the type and the fix for undecodable bytes', () => {
    expect(() => decodeMessage(Buffer.from([0x0a, 0x7f, 0x01]))).toThrow(
      /^kubeedge\.message\.v1\.Message: cannot decode 3 bytes \(.+\); the peer sent truncated or non-protobuf data/,
    );
    // A zero tag, or trailing bytes after one, is not valid protobuf at top level.
    expect(codeOf(() => decodeMessage(Buffer.concat([encoded(), Buffer.from([0x00, 0x01])])))).toBe('UNDECODABLE');
    // An invalid wire type (7).
    expect(codeOf(() => decodeMessage(Buffer.from([0x0f, 0x00])))).toBe('UNDECODABLE');
    // header.timestamp_ms beyond 2^53 cannot be a JS number.
    const huge = Buffer.from([0x0a, 0x0b, 0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x00]);
    expect(codeOf(() => decodeMessage(huge.subarray(0, 12)))).toBe('UNDECODABLE');
    expect(codeOf(() => decodeMessage('not bytes' as unknown as Uint8Array))).toBe('UNDECODABLE');
    // Deeply nested groups overflow the skipper's recursion: still an EnvelopeError, not a crash.
    expect(codeOf(() => decodeMessage(Buffer.alloc(200_000, 0x0b)))).toBe('UNDECODABLE');
  });

  it('reports decodable but incomplete input as INVALID naming the field', () => {
    expect(() => decodeMessage(Buffer.alloc(0))).toThrow(/^invalid message: header: is missing; .*route: is missing/);
    // Field 1 (header) sent with the wrong wire type is skipped, so the header is missing.
    expect(() => decodeMessage(Buffer.from([0x08, 0x01]))).toThrow(/header: is missing/);
  });

  it('throws nothing but EnvelopeError for random and mutated input (seeded)', () => {
    const random = prng(20240601);
    const valid = encoded();
    const frame = Buffer.from(TunnelRequest.encode({ frame: { $case: 'message', value: message() } }).finish());
    const decoders = [decodeMessage, decodeTunnelRequest, decodeTunnelResponse];
    const seen = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      let input: Buffer;
      if (i % 3 === 0) {
        input = Buffer.from(Array.from({ length: Math.floor(random() * 200) }, () => Math.floor(random() * 256)));
      } else {
        input = Buffer.from(i % 3 === 1 ? valid : frame);
        for (let flips = 1 + Math.floor(random() * 4); flips > 0; flips--) {
          input[Math.floor(random() * input.length)] = Math.floor(random() * 256);
        }
        if (random() < 0.3) input = input.subarray(0, Math.floor(random() * input.length));
      }
      for (const decode of decoders) {
        try {
          decode(input, { maxBytes: 1024 });
          seen.add('OK');
        } catch (error) {
          if (!(error instanceof EnvelopeError)) {
            const hexInput = input.toString('hex');
            throw new Error(`case ${i}: ${decode.name} threw a non-EnvelopeError for ${hexInput}`, { cause: error });
          }
          seen.add(error.code);
        }
      }
    }
    expect(seen).toContain('UNDECODABLE');
    expect(seen).toContain('INVALID');
  });
});

describe('decodeTunnelRequest / decodeTunnelResponse', () => {
  it('round-trips each frame kind', () => {
    const frames: TunnelRequest[] = [
      { frame: { $case: 'message', value: message() } },
      { frame: { $case: 'ack', value: { messageId: 'm1', resourceVersion: '9', error: '' } } },
      { frame: { $case: 'keepalive', value: { sentAtMs: 1_700_000_000_000 } } },
    ];
    for (const frame of frames) {
      expect(decodeTunnelRequest(TunnelRequest.encode(frame).finish())).toEqual(frame);
      expect(decodeTunnelResponse(TunnelResponse.encode(frame).finish())).toEqual(frame);
    }
  });

  it('rejects an empty frame and a frame kind from a newer peer as INVALID', () => {
    expect(() => decodeTunnelRequest(Buffer.alloc(0))).toThrow(/^invalid tunnel request: frame: no frame kind is set/);
    // Field 9, length-delimited, empty: a kind this build does not know.
    expect(() => decodeTunnelResponse(Buffer.from([0x4a, 0x00]))).toThrow(/^invalid tunnel response: frame: no frame/);
  });

  it('validates the message inside a frame', () => {
    const m = message();
    m.header!.id = '';
    const bytes = TunnelRequest.encode({ frame: { $case: 'message', value: m } }).finish();
    expect(() => decodeTunnelRequest(bytes)).toThrow(/^invalid tunnel request: message\.header\.id: is empty/);
  });

  it('applies maxBytes to the frame and to the content', () => {
    const bytes = TunnelRequest.encode({ frame: { $case: 'message', value: message() } }).finish();
    expect(codeOf(() => decodeTunnelRequest(bytes, { maxBytes: 10 }))).toBe('TOO_LARGE');
  });
});
