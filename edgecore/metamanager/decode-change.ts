/** A change pushed by the cloud (insert/update/patch/delete of a Kubernetes object), checked field by field. */
import { Operation, type Message } from '../../pkg/message';
import { checkObject, readJson } from './content';
import { invalidField } from './errors';
import { parseObjectResource } from './resource';
import { parseResourceVersion } from './resource-version';
import type { Change } from './store';

export function isChangeOperation(operation: Operation): boolean {
  return (
    operation === Operation.OPERATION_INSERT ||
    operation === Operation.OPERATION_UPDATE ||
    operation === Operation.OPERATION_PATCH ||
    operation === Operation.OPERATION_DELETE
  );
}

/**
 * The store change a cloud message asks for. The version is header.resourceVersion (the cloud sets it to the object's
 * version), else the object's metadata.resourceVersion. A patch carries the whole patched object, as an update does.
 */
export function decodeChange(message: Message): Change {
  const route = message.route;
  const resource = parseObjectResource(route?.resource ?? '');
  const kind = route?.operation === Operation.OPERATION_DELETE ? 'delete' : 'upsert';
  const content = readJson(message);
  if (content === undefined && kind === 'upsert') {
    throw invalidField('content', 'is empty; an insert, update or patch must carry the whole object as JSON');
  }
  const object = content === undefined ? undefined : checkObject(content.value, resource);
  const headerVersion = message.header?.resourceVersion ?? '';
  const objectVersion = object?.metadata.resourceVersion;
  let resourceVersion: bigint;
  if (headerVersion !== '') {
    resourceVersion = parseResourceVersion(headerVersion, 'header.resourceVersion');
  } else if (objectVersion !== undefined && objectVersion !== '') {
    resourceVersion = parseResourceVersion(objectVersion, 'content.metadata.resourceVersion');
  } else {
    throw invalidField(
      'header.resourceVersion',
      "is missing (and so is content.metadata.resourceVersion); the cloud must send the object's resourceVersion",
    );
  }
  return { kind, resource, resourceVersion, json: content?.text ?? '' };
}
