/**
 * Events from the edge (`insert <ns>/event/<name>`): created as sent; when one of that name exists (the edge's
 * recorder counts repeats under one name, as client-go's does), its count, message and lastTimestamp are updated.
 * An event that cannot be stored (its namespace is gone, the server finds it invalid) is dropped with an error log:
 * retrying cannot fix it.
 */
import type { Event } from '../../edgecore/edged/api';
import { isAlreadyExists, isNotFound, RESOURCES, splitKey, TerminalError, type Client } from '../../pkg/kube';
import { classifyWriteError } from './upstream-errors';

type EventObject = Event & { metadata: NonNullable<Event['metadata']> };

/** The coalescing writer's write for events: key = `<namespace>/<name>`. */
export function eventWrite(client: Client): (key: string, event: Event, signal: AbortSignal) => Promise<void> {
  const events = client.resource<EventObject>(RESOURCES.events);
  return async (key, event, signal) => {
    const { namespace = '', name } = splitKey(key);
    const { labels, annotations } = event.metadata ?? {};
    const body: EventObject = {
      ...event,
      apiVersion: 'v1',
      kind: 'Event',
      // Only what the edge may choose: uid, resourceVersion and the like belong to the server.
      metadata: { name, namespace, ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) },
    };
    try {
      try {
        await events.create(body, { namespace, signal });
        return;
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
      }
      const count = event.count ?? ((await events.get(name, { namespace, signal })).count ?? 1) + 1;
      const repeat: Partial<Event> = { count, message: event.message };
      if (event.lastTimestamp) repeat.lastTimestamp = event.lastTimestamp;
      await events.patch(name, repeat, { namespace, type: 'merge', signal });
    } catch (error) {
      if (isNotFound(error)) throw new TerminalError(`event ${key} cannot be stored: ${(error as Error).message}`, { cause: error });
      throw classifyWriteError(error);
    }
  };
}
