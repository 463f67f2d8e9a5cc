/**
 * Reading what an edge report carries. Each reader checks only what edgecontroller relies on (the API server
 * validates the rest) and names the field and the expected shape when it is wrong.
 */
import type { Event, Lease, Node, NodeStatus, PodStatus } from '../../edgecore/edged/api';
import { readJsonContent, type Message } from '../../pkg/message';
import { UpstreamError } from './upstream-errors';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function invalid(field: string, problem: string): UpstreamError {
  return new UpstreamError('INVALID', `${field}: ${problem}`);
}

/** The JSON object in the content; `expected` describes it for the error. */
export function readObject(message: Message, expected: string): Json {
  let value: unknown;
  try {
    value = readJsonContent(message);
  } catch (error) {
    throw new UpstreamError('INVALID', `content: ${(error as Error).message}; expected ${expected}`, { cause: error });
  }
  if (!isObject(value)) throw invalid('content', `is not a JSON object; expected ${expected}`);
  return value;
}

function field(object: Json, name: string, path: string): Json {
  const value = object[name];
  if (!isObject(value)) throw invalid(`content.${path}`, 'is missing or not an object');
  return value;
}

function nonEmptyString(object: Json, name: string, path: string): string {
  const value = object[name];
  if (typeof value !== 'string' || value === '') throw invalid(`content.${path}`, 'is missing or not a non-empty string');
  return value;
}

/** `insert <ns>/node/<node>`: a Node named like the resource. */
export function readNode(message: Message, name: string): Node {
  const node = readObject(message, 'a Node');
  const metadata = field(node, 'metadata', 'metadata');
  const named = nonEmptyString(metadata, 'name', 'metadata.name');
  if (named !== name) throw invalid('content.metadata.name', `is ${JSON.stringify(named)}, but the resource names node ${JSON.stringify(name)}`);
  return node as unknown as Node;
}

/** `update <ns>/nodestatus/<node>`: `{ "status": NodeStatus }`. */
export function readNodeStatus(message: Message): NodeStatus {
  return field(readObject(message, '{"status": NodeStatus}'), 'status', 'status') as NodeStatus;
}

/** `update kube-node-lease/lease/<node>`: a Lease (only its spec is used). */
export function readLease(message: Message): Lease['spec'] {
  return field(readObject(message, 'a coordination.k8s.io/v1 Lease'), 'spec', 'spec') as Lease['spec'];
}

export interface PodStatusReport {
  readonly uid: string;
  readonly status: PodStatus;
}

/** `update <ns>/podstatus/<pod>`: `{ "metadata": { "uid", ... }, "status": PodStatus }`. */
export function readPodStatus(message: Message): PodStatusReport {
  const report = readObject(message, '{"metadata": {"uid"}, "status": PodStatus}');
  const uid = nonEmptyString(field(report, 'metadata', 'metadata'), 'uid', 'metadata.uid');
  return { uid, status: field(report, 'status', 'status') as PodStatus };
}

/** `delete <ns>/pod/<pod>`: `{ "metadata": { "uid" } }`; the uid is required so a replaced pod is never deleted. */
export function readPodUid(message: Message): string {
  const report = readObject(message, '{"metadata": {"uid"}}');
  return nonEmptyString(field(report, 'metadata', 'metadata'), 'uid', 'metadata.uid');
}

/** `insert <ns>/event/<name>`: a core/v1 Event about an involved object. */
export function readEvent(message: Message): Event {
  const event = readObject(message, 'a core/v1 Event');
  field(event, 'involvedObject', 'involvedObject');
  return event as unknown as Event;
}

/** The optional TokenRequest spec of a `serviceaccounttoken` query (empty content: the API server's defaults). */
export function readTokenRequestSpec(message: Message): Json {
  if (message.content.length === 0) return {};
  const request = readObject(message, 'an authentication.k8s.io/v1 TokenRequest, or no content');
  const spec = request['spec'];
  if (spec === undefined) return {};
  if (!isObject(spec)) throw invalid('content.spec', 'is not an object');
  return spec;
}
