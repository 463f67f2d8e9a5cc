/** Mapping between the Operation enum and KubeEdge's operation strings ("insert", "unhold-upgrade", ...). */
import { Operation } from '../../gen/kubeedge/message/v1/message';
import { EnvelopeError } from './errors';

/** Operations that can appear on the wire (UNSPECIFIED and UNRECOGNIZED cannot). */
export type KnownOperation = Exclude<Operation, Operation.OPERATION_UNSPECIFIED | Operation.UNRECOGNIZED>;

// `satisfies` makes a new enum value in the proto a compile error here until it is named.
const NAMES = {
  [Operation.OPERATION_INSERT]: 'insert',
  [Operation.OPERATION_UPDATE]: 'update',
  [Operation.OPERATION_PATCH]: 'patch',
  [Operation.OPERATION_DELETE]: 'delete',
  [Operation.OPERATION_QUERY]: 'query',
  [Operation.OPERATION_RESPONSE]: 'response',
  [Operation.OPERATION_ERROR]: 'error',
  [Operation.OPERATION_UPLOAD]: 'upload',
  [Operation.OPERATION_KEEPALIVE]: 'keepalive',
  [Operation.OPERATION_UNHOLD_UPGRADE]: 'unhold-upgrade',
  [Operation.OPERATION_CONNECT]: 'connect',
  [Operation.OPERATION_SUBSCRIBE]: 'subscribe',
  [Operation.OPERATION_UNSUBSCRIBE]: 'unsubscribe',
  [Operation.OPERATION_MESSAGE]: 'message',
  [Operation.OPERATION_PUBLISH]: 'publish',
  [Operation.OPERATION_GET_RESULT]: 'get_result',
  [Operation.OPERATION_START]: 'start',
  [Operation.OPERATION_STOP]: 'stop',
  [Operation.OPERATION_GET]: 'get',
  [Operation.OPERATION_LIST]: 'list',
  [Operation.OPERATION_DETAIL]: 'detail',
  [Operation.OPERATION_DELTA]: 'delta',
  [Operation.OPERATION_DOCUMENT]: 'document',
  [Operation.OPERATION_UPDATED]: 'updated',
  [Operation.OPERATION_DELETED]: 'deleted',
  [Operation.OPERATION_CONNECTED]: 'connected',
  [Operation.OPERATION_DISCONNECTED]: 'disconnected',
} as const satisfies Record<KnownOperation, string>;

/** A KubeEdge operation string. */
export type OperationName = (typeof NAMES)[KnownOperation];

const BY_NAME: ReadonlyMap<string, KnownOperation> = new Map(
  Object.entries(NAMES).map(([op, name]) => [name, Number(op) as KnownOperation]),
);

/** Every KubeEdge operation string, in enum order. */
export const OPERATION_NAMES: readonly OperationName[] = [...BY_NAME.keys()] as OperationName[];

/** True for a value that names an operation (a decoded enum may hold any number a newer peer sent). */
export function isKnownOperation(value: number): value is KnownOperation {
  return Object.prototype.hasOwnProperty.call(NAMES, value);
}

/** KubeEdge's string for an operation. Throws for UNSPECIFIED and for numbers this build does not know. */
export function operationName(op: Operation): OperationName {
  if (!isKnownOperation(op)) {
    throw new EnvelopeError(
      'INVALID',
      `operation ${op} has no KubeEdge name; use an Operation enum value other than OPERATION_UNSPECIFIED`,
    );
  }
  return NAMES[op];
}

/** The enum value for a KubeEdge operation string; throws naming the bad value. */
export function parseOperation(name: string): KnownOperation {
  const op = BY_NAME.get(name);
  if (op === undefined) {
    throw new EnvelopeError(
      'INVALID',
      `operation ${JSON.stringify(name)} is not a KubeEdge operation; use one of: ${OPERATION_NAMES.join(', ')}`,
    );
  }
  return op;
}
