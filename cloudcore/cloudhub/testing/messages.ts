/** Messages as cloud modules and edge modules build them, for CloudHub tests. */
import { jsonContent, newMessage, type Message, type OperationName } from '../../../pkg/message';

export interface ObjectMessage {
  node: string;
  /** Edge-side resource, e.g. default/pod/p1. */
  resource: string;
  operation?: OperationName;
  resourceVersion?: string;
  group?: string;
  uid?: string;
  content?: unknown;
}

/** A downstream message as edgecontroller would send it: cloud-side resource, the object's resourceVersion. */
export function down(spec: ObjectMessage): Message {
  const [namespace, , name] = spec.resource.split('/');
  const content = spec.content ?? {
    metadata: { name, namespace, uid: spec.uid ?? `uid-${spec.resource}`, resourceVersion: spec.resourceVersion ?? '' },
  };
  return newMessage({
    source: 'edgecontroller',
    group: spec.group ?? 'resource',
    operation: spec.operation ?? 'update',
    resource: `node/${spec.node}/${spec.resource}`,
    ...(spec.resourceVersion === undefined ? {} : { resourceVersion: spec.resourceVersion }),
    ...jsonContent(content),
  });
}

/** An upstream message as an edge module would send it: edge-side resource. */
export function up(resource: string, content: unknown = {}, operation: OperationName = 'update', group = 'resource'): Message {
  return newMessage({ source: 'edged', group, operation, resource, ...jsonContent(content) });
}
