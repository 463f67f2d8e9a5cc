/** Building envelopes. Every message gets a fresh UUID v4 id and the creation time in Unix milliseconds. */
import { randomUUID } from 'node:crypto';
import { Operation, type Message } from '../../gen/kubeedge/message/v1/message';
import { parseOperation, type OperationName } from './operation';

/** Content plus its media type, as `jsonContent()` returns it. */
export interface Payload {
  content: Uint8Array;
  /** Empty: opaque bytes. */
  contentType?: string;
}

export interface NewMessageInit {
  /** The module building the message (for logs; receivers never route on it). */
  source: string;
  group: string;
  /** The enum value or KubeEdge's string for it (`'insert'`, `'update'`, ...). */
  operation: Operation | OperationName;
  resource: string;
  destination?: string;
  content?: Uint8Array;
  contentType?: string;
  /** Kubernetes resourceVersion of the object in content. */
  resourceVersion?: string;
}

/** Where ids and time come from; tests inject fixed ones. */
export interface MessageDeps {
  nowMs?: () => number;
  newId?: () => string;
}

export const EMPTY_CONTENT: Buffer = Buffer.alloc(0);

export function newMessage(init: NewMessageInit, deps: MessageDeps = {}): Message {
  return {
    header: {
      id: (deps.newId ?? randomUUID)(),
      parentId: '',
      timestampMs: (deps.nowMs ?? Date.now)(),
      resourceVersion: init.resourceVersion ?? '',
      sync: false,
    },
    route: {
      source: init.source,
      destination: init.destination ?? '',
      group: init.group,
      operation: typeof init.operation === 'string' ? parseOperation(init.operation) : init.operation,
      resource: init.resource,
    },
    content: init.content === undefined ? EMPTY_CONTENT : asBuffer(init.content),
    contentType: init.contentType ?? '',
  };
}

/** The generated Message type holds a Buffer (env=node); wrap a Uint8Array without copying it. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
