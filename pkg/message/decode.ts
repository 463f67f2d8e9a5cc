/**
 * Decoding bytes that arrive from outside (a socket, a file, a queue): size first, then protobuf, then the
 * envelope's contract. Every failure is an EnvelopeError, whatever the input.
 */
import { BinaryReader } from '@bufbuild/protobuf/wire';
import { Message } from '../../gen/kubeedge/message/v1/message';
import { TunnelRequest, TunnelResponse } from '../../gen/kubeedge/tunnel/v1/tunnel';
import { EnvelopeError } from './errors';
import { DEFAULT_MAX_MESSAGE_BYTES, validateMessage, validateTunnelRequest, validateTunnelResponse } from './validate';

export interface DecodeOptions {
  /** Largest accepted input, in bytes; also the content limit. Default DEFAULT_MAX_MESSAGE_BYTES (12 MiB). */
  maxBytes?: number;
}

interface Decoder<T> {
  decode(input: BinaryReader): T;
}

export function decodeMessage(bytes: Uint8Array, options: DecodeOptions = {}): Message {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  return validateMessage(decodeBytes('kubeedge.message.v1.Message', Message, bytes, maxBytes), {
    maxContentBytes: maxBytes,
  });
}

export function decodeTunnelRequest(bytes: Uint8Array, options: DecodeOptions = {}): TunnelRequest {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  return validateTunnelRequest(decodeBytes('kubeedge.tunnel.v1.TunnelRequest', TunnelRequest, bytes, maxBytes), {
    maxContentBytes: maxBytes,
  });
}

export function decodeTunnelResponse(bytes: Uint8Array, options: DecodeOptions = {}): TunnelResponse {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  return validateTunnelResponse(decodeBytes('kubeedge.tunnel.v1.TunnelResponse', TunnelResponse, bytes, maxBytes), {
    maxContentBytes: maxBytes,
  });
}

function decodeBytes<T>(typeName: string, decoder: Decoder<T>, bytes: Uint8Array, maxBytes: number): T {
  if (!(bytes instanceof Uint8Array)) {
    throw new EnvelopeError('UNDECODABLE', `${typeName}: expected bytes (a Buffer or Uint8Array), got ${typeof bytes}`);
  }
  if (bytes.length > maxBytes) {
    throw new EnvelopeError(
      'TOO_LARGE',
      `${typeName}: ${bytes.length} bytes is over the limit of ${maxBytes}; ` +
        'send large objects in parts, or raise maxBytes on both sides',
    );
  }
  const reader = new BinaryReader(bytes);
  let value: T;
  try {
    value = decoder.decode(reader);
  } catch (error) {
    throw undecodable(typeName, bytes.length, (error as Error)?.message ?? String(error), error);
  }
  // The generated decoder stops quietly at a zero tag or an end-group tag; at top level both mean bad input.
  if (reader.pos !== bytes.length) {
    throw undecodable(typeName, bytes.length, `invalid tag at byte ${reader.pos}`);
  }
  return value;
}

function undecodable(typeName: string, length: number, reason: string, cause?: unknown): EnvelopeError {
  return new EnvelopeError(
    'UNDECODABLE',
    `${typeName}: cannot decode ${length} bytes (${reason}); the peer sent truncated or non-protobuf data, ` +
      'another message type, or an out-of-range value',
    cause === undefined ? undefined : { cause },
  );
}
