/**
 * Kubernetes protobuf request bodies (Content-Type application/vnd.kubernetes.protobuf), as client-go's typed clientsets
 * send them for built-in types (kubectl from 1.32 on), turned into the JSON object the same client would have sent as
 * JSON. Responses stay JSON: clients decode by the response's Content-Type.
 *
 * A body is the magic `k8s\0` and a runtime.Unknown envelope whose `raw` is the object's own protobuf encoding; the
 * envelope's typeMeta names the kind. The types are proto/k8s (Kubernetes 1.33), read through schema.generated.ts.
 */
import { Unknown } from '../../../gen/k8s/io/apimachinery/pkg/runtime/runtime';
import { StatusError } from '../status';
import type { KubeObject } from '../storage';
import { ProtobufDecodeError, SEND_JSON_ADVICE } from './errors';
import { isOptionsKind, protobufMessageOf } from './kinds';
import { kubernetesSchema } from './schema';
import { messageToJson, type DecodeContext } from './wire-json';

export { ProtobufDecodeError, isProtobufDecodeError, type ProtobufDecodeErrorCode } from './errors';
export { protobufKinds } from './kinds';

export const KUBERNETES_PROTOBUF = 'application/vnd.kubernetes.protobuf';

/** The Kubernetes release whose protobuf types proto/k8s declares. */
export const PROTOBUF_SCHEMA_VERSION = '1.33';

const MAGIC = [0x6b, 0x38, 0x73, 0x00]; // "k8s\0"

/** Whether a Content-Type header names Kubernetes protobuf (parameters and case ignored). */
export function isProtobufContentType(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase() === KUBERNETES_PROTOBUF;
}

export interface ExpectedKind {
  /** The group version the request addresses, e.g. `apps/v1` (for DeleteOptions any version is accepted). */
  apiVersion: string;
  kind: string;
}

/**
 * Decodes a protobuf request body into the object's Kubernetes JSON, with `kind` and `apiVersion` set. The body must
 * hold `expected`'s kind (an envelope that leaves apiVersion or kind empty takes them from `expected`, as the real
 * server does). Throws ProtobufDecodeError; its `httpStatus` is the answer (415: send JSON instead, 400: bad body).
 * Kinds without metadata (DeleteOptions) come back without `metadata`.
 */
export function decodeKubernetesProtobuf(body: Uint8Array, expected: ExpectedKind): KubeObject {
  const { apiVersion, kind, raw } = openEnvelope(body, expected);
  const messageName = protobufMessageOf(apiVersion, kind);
  if (!messageName) {
    throw new ProtobufDecodeError(
      'UnsupportedKind',
      `this server cannot read ${apiVersion}, Kind=${kind} as protobuf; ${SEND_JSON_ADVICE}`,
    );
  }
  const json = messageToJson(context(), messageName, raw, '') as Record<string, unknown>;
  return { kind, apiVersion, ...json } as KubeObject;
}

/** The status error the API server answers with: 415 UnsupportedMediaType or 400 BadRequest, with the message. */
export function protobufErrorToStatus(error: ProtobufDecodeError): StatusError {
  return new StatusError(error.httpStatus, error.httpStatus === 415 ? 'UnsupportedMediaType' : 'BadRequest', error.message);
}

function openEnvelope(body: Uint8Array, expected: ExpectedKind): { apiVersion: string; kind: string; raw: Uint8Array } {
  if (body.length < MAGIC.length || MAGIC.some((byte, i) => body[i] !== byte)) {
    throw new ProtobufDecodeError('NotProtobuf', `the body is not Kubernetes protobuf: it does not start with the bytes "k8s\\x00"`);
  }
  const envelope = decodeEnvelope(body);
  if (envelope.contentEncoding) {
    throw new ProtobufDecodeError('UnsupportedEncoding', `the protobuf envelope declares content encoding "${envelope.contentEncoding}", which this server does not decode; ${SEND_JSON_ADVICE}`);
  }
  if (envelope.contentType && !isProtobufContentType(envelope.contentType)) {
    throw new ProtobufDecodeError('UnsupportedEncoding', `the protobuf envelope holds content of type "${envelope.contentType}"; ${SEND_JSON_ADVICE}`);
  }
  const apiVersion = envelope.typeMeta?.apiVersion || expected.apiVersion;
  const kind = envelope.typeMeta?.kind || expected.kind;
  if (kind !== expected.kind || (apiVersion !== expected.apiVersion && !isOptionsKind(kind))) {
    throw new ProtobufDecodeError(
      'KindMismatch',
      `the body holds ${apiVersion}, Kind=${kind}, but this request takes ${expected.apiVersion}, Kind=${expected.kind}`,
    );
  }
  return { apiVersion, kind, raw: envelope.raw ?? new Uint8Array() };
}

/** The runtime.Unknown after the magic (which the caller has checked). */
function decodeEnvelope(body: Uint8Array): Unknown {
  try {
    return Unknown.decode(body.subarray(MAGIC.length));
  } catch (error) {
    throw new ProtobufDecodeError('Malformed', `the protobuf envelope is truncated or corrupt: ${(error as Error).message}`, {}, { cause: error });
  }
}

let decodeContext: DecodeContext | undefined;

function context(): DecodeContext {
  decodeContext ??= {
    schema: kubernetesSchema(),
    schemaVersion: PROTOBUF_SCHEMA_VERSION,
    // A RawExtension may hold a whole protobuf object; it names its own kind, which must be one we know.
    decodeEmbedded: (raw, where, depth) => {
      const envelope = decodeEnvelope(raw);
      const apiVersion = envelope.typeMeta?.apiVersion ?? '';
      const kind = envelope.typeMeta?.kind ?? '';
      const messageName = protobufMessageOf(apiVersion, kind);
      if (!messageName) {
        throw new ProtobufDecodeError('UnsupportedKind', `the object embedded at ${where} is ${apiVersion}, Kind=${kind}, which this server cannot read as protobuf; ${SEND_JSON_ADVICE}`);
      }
      const json = messageToJson(context(), messageName, envelope.raw ?? new Uint8Array(), where, depth) as Record<string, unknown>;
      return { kind, apiVersion, ...json };
    },
  };
  return decodeContext;
}
