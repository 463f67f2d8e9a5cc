/**
 * Upstream sync requests waiting for the cloud's answer, matched by the answer's header.parent_id. Each is answered
 * exactly once: with the cloud's message, or with an ERROR response when the cloud refuses it, the stream drops or
 * the wait exceeds `timeoutMs` (the caller's own sendSync timeout applies as well; whichever is shorter wins).
 */
import { newErrorResponse, type Message } from '../../pkg/message';
import { EdgeHubError } from './errors';

interface Waiting {
  request: Message;
  timer: NodeJS.Timeout;
}

export class PendingQueries {
  private readonly waiting = new Map<string, Waiting>();

  constructor(
    private readonly timeoutMs: number,
    /** Delivers the answer to the module that asked (ModuleContext.respond). */
    private readonly respond: (answer: Message) => void,
  ) {}

  get size(): number {
    return this.waiting.size;
  }

  add(request: Message): void {
    const id = request.header!.id;
    const timer = setTimeout(() => {
      this.fail(id, new EdgeHubError('QUERY_FAILED', `cloudcore did not answer within ${this.timeoutMs} ms`));
    }, this.timeoutMs).unref();
    this.waiting.set(id, { request, timer });
  }

  /** Passes `answer` to its request's sender if one waits for it; false otherwise. */
  complete(answer: Message): boolean {
    const waiting = this.take(answer.header?.parentId ?? '');
    if (!waiting) return false;
    this.respond(answer);
    return true;
  }

  /** Answers the request `id` with an ERROR; false if nothing waits under that id. */
  fail(id: string, error: EdgeHubError): boolean {
    const waiting = this.take(id);
    if (!waiting) return false;
    this.respond(newErrorResponse(waiting.request, error));
    return true;
  }

  failAll(error: EdgeHubError): void {
    for (const id of [...this.waiting.keys()]) this.fail(id, error);
  }

  private take(id: string): Waiting | undefined {
    const waiting = id === '' ? undefined : this.waiting.get(id);
    if (!waiting) return undefined;
    clearTimeout(waiting.timer);
    this.waiting.delete(id);
    return waiting;
  }
}
