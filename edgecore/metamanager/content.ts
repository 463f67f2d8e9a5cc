/** Reading Kubernetes objects out of message content, with errors that name the field and the fix. */
import { JSON_CONTENT_TYPE, type Message } from '../../pkg/message';
import { invalidField } from './errors';
import { CLUSTER_SCOPE, type ObjectResource } from './resource';

export interface JsonContent {
  /** The content as sent; stored as is. */
  readonly text: string;
  readonly value: unknown;
}

export interface KubeObject {
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly resourceVersion?: string };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The JSON content of `message`, or undefined when it has none. An empty content type is taken as JSON. */
export function readJson(message: Message): JsonContent | undefined {
  if (message.content.byteLength === 0) return undefined;
  const mediaType = message.contentType.split(';', 1)[0]!.trim().toLowerCase();
  if (mediaType !== '' && mediaType !== JSON_CONTENT_TYPE) {
    throw invalidField('content_type', `is ${JSON.stringify(message.contentType)}; send the object as ${JSON_CONTENT_TYPE}`);
  }
  let text: string;
  try {
    text = utf8.decode(message.content);
  } catch {
    throw invalidField('content', 'is not UTF-8 text, so not JSON; send the object as JSON');
  }
  try {
    return { text, value: JSON.parse(text) as unknown };
  } catch (error) {
    throw invalidField('content', `is not valid JSON (${(error as Error).message}); send the object as JSON`);
  }
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

/**
 * Checks that `value` is a Kubernetes object that belongs under `resource`: metadata.name present and equal to the
 * resource's name; metadata.namespace, when set, equal to its namespace (cluster-scoped objects carry none).
 */
export function checkObject(value: unknown, resource: ObjectResource, field = 'content'): KubeObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidField(field, `is a JSON ${kind(value)}, not a Kubernetes object; send the object itself`);
  }
  const metadata = (value as { metadata?: unknown }).metadata;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw invalidField(`${field}.metadata`, 'is missing; a Kubernetes object carries metadata with its name and resourceVersion');
  }
  const { name, namespace, resourceVersion } = metadata as Record<string, unknown>;
  if (typeof name !== 'string' || name === '') {
    throw invalidField(`${field}.metadata.name`, 'is missing; a Kubernetes object must carry its name');
  }
  if (name !== resource.name) {
    throw invalidField(
      `${field}.metadata.name`,
      `is ${JSON.stringify(name)} but route.resource names ${JSON.stringify(resource.name)}; they must agree`,
    );
  }
  if (namespace !== undefined && typeof namespace !== 'string') {
    throw invalidField(`${field}.metadata.namespace`, `is a JSON ${kind(namespace)}; it must be a namespace name`);
  }
  if (namespace && namespace !== resource.namespace) {
    const expected =
      resource.namespace === CLUSTER_SCOPE ? 'none (the resource is cluster-scoped)' : JSON.stringify(resource.namespace);
    throw invalidField(
      `${field}.metadata.namespace`,
      `is ${JSON.stringify(namespace)} but route.resource says ${expected}; they must agree`,
    );
  }
  if (resourceVersion !== undefined && typeof resourceVersion !== 'string') {
    throw invalidField(`${field}.metadata.resourceVersion`, `is a JSON ${kind(resourceVersion)}; Kubernetes sends it as a string`);
  }
  return value as KubeObject;
}
