/** The message envelope shared by all modules and the cloud-edge tunnel: build, carry JSON, decode, validate. */
export { Operation, type Message } from '../../gen/kubeedge/message/v1/message';
export { EnvelopeError, type EnvelopeErrorCode, type FieldProblem } from './errors';
export { OPERATION_NAMES, isKnownOperation, operationName, parseOperation } from './operation';
export type { KnownOperation, OperationName } from './operation';
export { EMPTY_CONTENT, asBuffer, newMessage } from './new-message';
export type { MessageDeps, NewMessageInit, Payload } from './new-message';
export { newErrorResponse, newResponse, readErrorContent, type ErrorContent } from './responses';
export { JSON_CONTENT_TYPE, jsonContent, readJsonContent } from './json-content';
export {
  DEFAULT_MAX_MESSAGE_BYTES,
  MAX_ID_LENGTH,
  frameProblems,
  messageProblems,
  validateMessage,
  validateTunnelRequest,
  validateTunnelResponse,
  type ValidateOptions,
} from './validate';
export { decodeMessage, decodeTunnelRequest, decodeTunnelResponse, type DecodeOptions } from './decode';
export {
  CLUSTER_SCOPE,
  cloudResource,
  nodeResource,
  edgeResource,
  objectResource,
  parseEdgeResource,
  splitNodeResource,
  type EdgeResource,
} from './resource';
export { parseResourceVersion } from './resource-version';
