/**
 * Kubernetes `Status` errors. Every failure the API server returns is one of these, with the HTTP code, `reason` and
 * message text the real server uses, so that kubectl and client libraries print and classify them the same way.
 */

/** One cause of a failure. On the wire the cause's kind is `reason` (FieldValueRequired, FieldValueInvalid, ...). */
export interface StatusCause {
  reason?: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'RequestEntityTooLarge'
  | 'Expired'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout'
  /** The real server's StatusReasonUnknown, for errors it does not classify (kubectl prints no reason). */
  | '';

/** A failure answered as a Kubernetes Status object. Thrown by handlers, rendered once by the server. */
export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'StatusError';
  }

  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** Where an error names a resource (`pods`, `deployments.apps`); a ServedType is one. */
export interface Qualified {
  group: string;
  plural: string;
}

const qualified = (r: Qualified): string => (r.group ? `${r.plural}.${r.group}` : r.plural);

export const notFound = (r: Qualified, name: string): StatusError =>
  new StatusError(404, 'NotFound', `${qualified(r)} "${name}" not found`, {
    name,
    group: r.group,
    kind: r.plural,
  });

export const alreadyExists = (r: Qualified, name: string): StatusError =>
  new StatusError(409, 'AlreadyExists', `${qualified(r)} "${name}" already exists`, {
    name,
    group: r.group,
    kind: r.plural,
  });

export const conflict = (r: Qualified, name: string, why: string): StatusError =>
  new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(r)} "${name}": ${why}`, {
    name,
    group: r.group,
    kind: r.plural,
  });

export const staleResourceVersion = (r: Qualified, name: string): StatusError =>
  conflict(r, name, 'the object has been modified; please apply your changes to the latest version and try again');

/**
 * 422 with one cause per invalid field, as `kubectl` prints them: `<Kind> "<name>" is invalid: <field>: <message>`, or
 * a bracketed list for several (duplicates folded, as the real server's aggregate does).
 */
export function invalid(kind: string, group: string, name: string, causes: { type: string; field: string; message: string }[]): StatusError {
  const list = [...new Set(causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)))];
  const summary = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  return new StatusError(422, 'Invalid', `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${summary}`, {
    name,
    group,
    kind,
    causes: causes.map((c) => ({ reason: c.type, message: c.message, field: c.field })),
  });
}

export const badRequest = (message: string): StatusError => new StatusError(400, 'BadRequest', message);

export const gone = (message: string): StatusError => new StatusError(410, 'Expired', message);

export const methodNotAllowed = (message: string): StatusError => new StatusError(405, 'MethodNotAllowed', message);

export const unsupportedMediaType = (contentType: string): StatusError =>
  new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf, application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got ${contentType || 'none'})`);

export const tooLarge = (limitBytes: number): StatusError =>
  new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limitBytes}`);

export const unauthorized = (): StatusError => new StatusError(401, 'Unauthorized', 'Unauthorized');

export const forbidden = (user: string, verb: string, r: Qualified, namespace: string): StatusError =>
  new StatusError(
    403,
    'Forbidden',
    `${qualified(r)} is forbidden: User "${user}" cannot ${verb} resource "${r.plural}" in API group "${r.group}"${
      namespace ? ` in the namespace "${namespace}"` : ' at the cluster scope'
    }`,
  );

export const internalError = (message: string): StatusError =>
  new StatusError(500, 'InternalError', `Internal error occurred: ${message}`);

/** The message kubectl shows for a path the server does not serve. */
export const pathNotFound = (): StatusError =>
  new StatusError(404, 'NotFound', 'the server could not find the requested resource');
