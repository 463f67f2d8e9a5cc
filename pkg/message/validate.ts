/** Contract checks for envelopes and tunnel frames that come from outside the process. */
import { Operation, type Message } from '../../gen/kubeedge/message/v1/message';
import type { TunnelRequest, TunnelResponse } from '../../gen/kubeedge/tunnel/v1/tunnel';
import { invalid, type FieldProblem } from './errors';
import { isKnownOperation, operationName } from './operation';

/** Default limit for one encoded message or tunnel frame, and for a message's content: 12 MiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 12 * 1024 * 1024;

/** Ids are UUIDs (36 characters); the limit only stops abuse. */
export const MAX_ID_LENGTH = 256;

export interface ValidateOptions {
  /** Largest accepted `content`, in bytes. Default DEFAULT_MAX_MESSAGE_BYTES. */
  maxContentBytes?: number;
}

/** Operations that are not about a resource, so route.resource may be empty. */
const RESOURCE_OPTIONAL: ReadonlySet<Operation> = new Set([
  Operation.OPERATION_RESPONSE,
  Operation.OPERATION_ERROR,
  Operation.OPERATION_KEEPALIVE,
]);

/** Every contract problem of `message`, with paths prefixed by `prefix` (empty when valid). */
export function messageProblems(message: Message, options: ValidateOptions = {}, prefix = ''): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const add = (path: string, problem: string): void => void problems.push({ path: prefix + path, problem });
  const { header, route } = message;

  if (header === undefined) {
    add('header', 'is missing; every message needs a header with an id and a timestamp_ms');
  } else {
    if (header.id === '') add('header.id', 'is empty; every message needs a unique id');
    else if (header.id.length > MAX_ID_LENGTH) add('header.id', tooLong(header.id, 'use a UUID'));
    if (header.parentId.length > MAX_ID_LENGTH) {
      add('header.parent_id', tooLong(header.parentId, "use the request's id"));
    }
    if (!(Number.isSafeInteger(header.timestampMs) && header.timestampMs > 0)) {
      add('header.timestamp_ms', `is ${header.timestampMs}; set it to the creation time in Unix milliseconds`);
    }
  }

  if (route === undefined) {
    add('route', 'is missing; every message needs a route with an operation');
  } else if (route.operation === Operation.OPERATION_UNSPECIFIED) {
    add('route.operation', 'is OPERATION_UNSPECIFIED; set what the message asks for (insert, update, query, ...)');
  } else if (!isKnownOperation(route.operation)) {
    add(
      'route.operation',
      `${route.operation} is not an operation this build knows (is the peer newer?); ` +
        'send a known operation or upgrade this side',
    );
  } else {
    const name = operationName(route.operation);
    if (route.resource === '' && !RESOURCE_OPTIONAL.has(route.operation)) {
      add('route.resource', `is empty; a "${name}" message must say what it is about, e.g. "default/pod/nginx"`);
    }
    const answers = route.operation === Operation.OPERATION_RESPONSE || route.operation === Operation.OPERATION_ERROR;
    if (answers && header !== undefined && header.parentId === '') {
      add('header.parent_id', `is empty; a "${name}" message must carry the id of the request it answers`);
    }
  }

  const maxContentBytes = options.maxContentBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (message.content.length > maxContentBytes) {
    const size = message.content.length;
    add('content', `is ${size} bytes, over the limit of ${maxContentBytes}; send large objects in parts`);
  }
  return problems;
}

/** Returns `message` if it keeps the envelope's contract; otherwise throws INVALID naming each broken field. */
export function validateMessage(message: Message, options?: ValidateOptions): Message {
  const problems = messageProblems(message, options);
  if (problems.length > 0) throw invalid('message', problems);
  return message;
}

type Frame = TunnelRequest['frame'] | TunnelResponse['frame'];

/** Every contract problem of a tunnel frame; exactly one kind must be set and be valid. */
export function frameProblems(frame: Frame, options: ValidateOptions = {}): FieldProblem[] {
  if (frame === undefined) {
    return [
      {
        path: 'frame',
        problem: 'no frame kind is set (an empty frame, or a kind from a newer peer); send message, ack or keepalive',
      },
    ];
  }
  switch (frame.$case) {
    case 'message':
      return messageProblems(frame.value, options, 'message.');
    case 'ack':
      return frame.value.messageId === ''
        ? [{ path: 'ack.message_id', problem: 'is empty; an ack must name the header.id of the message it answers' }]
        : [];
    case 'keepalive':
      return Number.isSafeInteger(frame.value.sentAtMs) && frame.value.sentAtMs > 0
        ? []
        : [{ path: 'keepalive.sent_at_ms', problem: `is ${frame.value.sentAtMs}; set it to the sender's clock in ms` }];
    default:
      return unreachable(frame);
  }
}

export function validateTunnelRequest(request: TunnelRequest, options?: ValidateOptions): TunnelRequest {
  const problems = frameProblems(request.frame, options);
  if (problems.length > 0) throw invalid('tunnel request', problems);
  return request;
}

export function validateTunnelResponse(response: TunnelResponse, options?: ValidateOptions): TunnelResponse {
  const problems = frameProblems(response.frame, options);
  if (problems.length > 0) throw invalid('tunnel response', problems);
  return response;
}

function tooLong(id: string, fix: string): string {
  return `is ${id.length} characters, over the limit of ${MAX_ID_LENGTH}; ${fix}`;
}

function unreachable(value: never): never {
  throw new Error(`unhandled tunnel frame ${JSON.stringify(value)}`);
}
