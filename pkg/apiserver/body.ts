/** Request bodies: read with a size limit, decoded from JSON or YAML into one object. */
import type { IncomingMessage } from 'node:http';
import { parseDocument } from 'yaml';
import {
  decodeKubernetesProtobuf,
  isProtobufContentType,
  isProtobufDecodeError,
  protobufErrorToStatus,
  type ExpectedKind,
} from './protobuf';
import { badRequest, tooLarge, unsupportedMediaType } from './status';

/** The real API server refuses request bodies over 3 MiB. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export function readBody(req: IncomingMessage, limitBytes = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limitBytes) {
    req.resume(); // drain, so the connection can answer
    return Promise.reject(tooLarge(limitBytes));
  }
  // Event-based rather than `for await`: the async iterator costs a few microseconds per request on the create path.
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limitBytes) {
        cleanup();
        req.resume();
        // As leaving a `for await` loop early does: the request stream is destroyed.
        req.destroy();
        reject(tooLarge(limitBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const onClose = (): void => {
      cleanup();
      const error = new Error('Premature close') as Error & { code: string };
      error.code = 'ERR_STREAM_PREMATURE_CLOSE';
      reject(error);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** The media type without parameters, lower-cased. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * Decodes a JSON, YAML or (for built-in kinds, as client-go's typed clients send them) Kubernetes protobuf body into a
 * value; the caller checks its shape. `expected` names the kind a protobuf body must hold.
 */
export function decodeBody(body: Buffer, contentType: string | undefined, expected?: ExpectedKind): unknown {
  const type = mediaType(contentType);
  if (isProtobufContentType(type) && expected) {
    try {
      return decodeKubernetesProtobuf(body, expected);
    } catch (error) {
      throw isProtobufDecodeError(error) ? protobufErrorToStatus(error) : error;
    }
  }
  const text = body.toString('utf8');
  if (text.trim() === '') throw badRequest('the request body is empty; send a JSON or YAML object');
  if (type === 'application/yaml' || type === 'application/apply-patch+yaml') {
    const doc = parseDocument(text);
    if (doc.errors.length > 0) throw badRequest(`error converting YAML to JSON: ${doc.errors[0]!.message}`);
    return doc.toJS();
  }
  if (type === '' || type === 'application/json' || type.endsWith('+json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw badRequest(`the body of the request is not valid JSON: ${(error as Error).message}`);
    }
  }
  throw unsupportedMediaType(type);
}

/** A decoded body that must be one JSON object (not an array, string or null). */
export function expectObject(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest(`${what} must be a JSON object (got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value})`);
  }
  return value as Record<string, unknown>;
}
