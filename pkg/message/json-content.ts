/** JSON content: how modules carry Kubernetes objects and other structured payloads in `Message.content`. */
import type { Message } from '../../gen/kubeedge/message/v1/message';
import { EnvelopeError } from './errors';
import type { Payload } from './new-message';

export const JSON_CONTENT_TYPE = 'application/json';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Encodes a value as JSON content; spread the result into `newMessage()` or pass it to `newResponse()`. */
export function jsonContent(value: unknown): Payload & { content: Buffer; contentType: string } {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new EnvelopeError('INVALID', `content: cannot be encoded as JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  if (text === undefined) {
    throw new EnvelopeError(
      'INVALID',
      `content: a ${typeof value} cannot be encoded as JSON; pass an object, array, string, number, boolean or null`,
    );
  }
  return { content: Buffer.from(text, 'utf8'), contentType: JSON_CONTENT_TYPE };
}

/**
 * Decodes JSON content. Returns `unknown`: check its shape (e.g. with zod) before use.
 * Throws INVALID when content_type is not application/json (parameters such as charset are allowed) or the
 * content is not UTF-8 JSON.
 */
export function readJsonContent(message: Message): unknown {
  const mediaType = message.contentType.split(';', 1)[0]!.trim().toLowerCase();
  if (mediaType !== JSON_CONTENT_TYPE) {
    const actual = message.contentType === '' ? 'empty' : JSON.stringify(message.contentType);
    throw new EnvelopeError(
      'INVALID',
      `content_type: is ${actual}, not ${JSON_CONTENT_TYPE}; ` +
        'read this content as its own type, or have the sender use jsonContent()',
    );
  }
  let text: string;
  try {
    text = utf8.decode(message.content);
  } catch (error) {
    throw new EnvelopeError(
      'INVALID',
      'content: is not valid UTF-8, so it is not JSON; the sender must encode it with jsonContent()',
      { cause: error },
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new EnvelopeError(
      'INVALID',
      `content: is not valid JSON (${(error as Error).message}); the sender must encode it with jsonContent()`,
      { cause: error },
    );
  }
}
