/**
 * Resource strings (kubeedge-facts 2.4). In the cloud a message is about `node/<node>/<namespace>/<type>[/<name>]`;
 * the edge sees `<namespace>/<type>[/<name>]`. CloudHub strips the prefix going down and adds it coming up.
 */
import { readJsonContent, type Message } from '../../pkg/message';

/** A copy of `message` about `resource` instead; header and content are shared, messages being immutable once sent. */
export function withResource(message: Message, resource: string): Message {
  return { ...message, route: { ...message.route!, resource } };
}

/**
 * What a message that needs an ack is about, so that messages about one object coalesce: the edge-side resource
 * (`<namespace>/<type>/<name>`) when it names an object, otherwise the object's uid from the content.
 */
export function deliveryKey(rest: string, message: Message): string {
  if (countSegments(rest) >= 3) return rest;
  const uid = uidOf(message);
  return uid === undefined ? rest : `uid:${uid}`;
}

/** metadata.uid of the Kubernetes object in the content, if the content is one. */
export function uidOf(message: Message): string | undefined {
  if (message.content.length === 0) return undefined;
  let value: unknown;
  try {
    value = readJsonContent(message);
  } catch {
    return undefined; // not a JSON object: it has no uid
  }
  const uid = (value as { metadata?: { uid?: unknown } } | null)?.metadata?.uid;
  return typeof uid === 'string' && uid !== '' ? uid : undefined;
}

function countSegments(path: string): number {
  if (path === '') return 0;
  let count = 1;
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) count++;
  return count;
}
