/** Answers to a request: RESPONSE with content, or ERROR with a reason and an optional code. */
import { Operation, type Message } from '../../gen/kubeedge/message/v1/message';
import { EnvelopeError } from './errors';
import { jsonContent, readJsonContent } from './json-content';
import { newMessage, type MessageDeps, type Payload } from './new-message';

/** The content of an ERROR message. `code` is a stable identifier to branch on; `message` is for people. */
export interface ErrorContent {
  message: string;
  code?: string;
}

/**
 * A RESPONSE to `request`: parent_id is the request's id; source, group and resource are copied from it (as
 * KubeEdge does). The response is delivered by parent_id, not by route.
 */
export function newResponse(request: Message, payload?: Payload, deps?: MessageDeps): Message {
  return answer(request, Operation.OPERATION_RESPONSE, payload, deps);
}

/** An ERROR answer to `request`. Content is JSON `ErrorContent`; an error's string `code` is kept. */
export function newErrorResponse(request: Message, error: unknown, deps?: MessageDeps): Message {
  return answer(request, Operation.OPERATION_ERROR, jsonContent(errorContent(error)), deps);
}

/** The reason carried by an ERROR message; throws INVALID if the content is not an `ErrorContent`. */
export function readErrorContent(message: Message): ErrorContent {
  const value = readJsonContent(message);
  if (typeof value !== 'object' || value === null || typeof (value as ErrorContent).message !== 'string') {
    throw new EnvelopeError(
      'INVALID',
      'content: an error message must carry JSON {"message": string, "code"?: string}',
    );
  }
  const { message: text, code } = value as Record<string, unknown>;
  return typeof code === 'string' ? { message: text as string, code } : { message: text as string };
}

function answer(request: Message, operation: Operation, payload: Payload | undefined, deps?: MessageDeps): Message {
  const id = request.header?.id;
  if (!id) {
    throw new EnvelopeError(
      'INVALID',
      'header.id: the request has no id, so it cannot be answered; every message needs a unique id',
    );
  }
  const response = newMessage(
    {
      source: request.route?.source ?? '',
      group: request.route?.group ?? '',
      operation,
      resource: request.route?.resource ?? '',
      ...(payload === undefined ? {} : { content: payload.content, contentType: payload.contentType ?? '' }),
    },
    deps,
  );
  response.header!.parentId = id;
  return response;
}

function errorContent(error: unknown): ErrorContent {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? { message: error.message, code } : { message: error.message };
  }
  return { message: typeof error === 'string' ? error : String(error) };
}
