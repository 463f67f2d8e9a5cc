/** Answers to synchronous requests. A request sent without sendSync has nobody waiting, so it gets no answer. */
import { JSON_CONTENT_TYPE, jsonContent, newErrorResponse, newResponse, type Message } from '../../pkg/message';
import type { ModuleContext } from '../../pkg/modules';

type Responder = Pick<ModuleContext, 'respond'>;

const OK = jsonContent('OK');

/** The acknowledgement: RESPONSE with content "OK", as KubeEdge's MetaManager sends. */
export function answerOk(ctx: Responder, request: Message): void {
  if (request.header?.sync) ctx.respond(newResponse(request, OK));
}

/** RESPONSE carrying JSON text as it is (a stored object, a list, or the cloud's answer). */
export function answerJson(ctx: Responder, request: Message, text: string | Uint8Array): void {
  if (!request.header?.sync) return;
  const content = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  ctx.respond(newResponse(request, { content, contentType: JSON_CONTENT_TYPE }));
}

/** ERROR carrying the error's message and code (MetaError codes: INVALID, NOT_FOUND, ...). */
export function answerError(ctx: Responder, request: Message, error: unknown): void {
  if (request.header?.sync) ctx.respond(newErrorResponse(request, error));
}
