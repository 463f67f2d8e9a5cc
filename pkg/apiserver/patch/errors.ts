/**
 * Errors from applying a patch. Callers branch on `code`, never on message text. `status` is the HTTP code the real
 * API server answers the same input with, because one code can map to different statuses by patch type (a missing
 * merge key is a 500 for strategic merge, a bad array index a 422 for JSON patch). How to render each status:
 *
 * - 400: reason `BadRequest`, message = `message`.
 * - 413: reason `RequestEntityTooLarge`, message = `message`.
 * - 415: reason `UnsupportedMediaType`, message = `message`.
 * - 422: reason `Invalid`, message `the server rejected our request due to an error in our request`, and
 *   `details.causes: [{ message }]` (the server builds it with NewGenericServerResponse).
 * - 500: reason `""` (StatusReasonUnknown), message = `message`; kubectl prints `Error from server: <message>`.
 */

export type PatchErrorCode =
  /** The patch cannot be decoded, or a directive is malformed (`$retainKeys`, `$setElementOrder`, ...). */
  | 'MALFORMED'
  /** It decodes but cannot be applied to this object: a bad index, a missing merge key, an unknown `$patch`. */
  | 'INVALID_PATCH'
  /** A JSON patch `test` operation did not match. */
  | 'TEST_FAILED'
  /** A JSON patch `path` or `from` names a location that is not there. */
  | 'PATH_NOT_FOUND'
  /** Strategic merge patch for a type without a schema: custom resources. */
  | 'UNSUPPORTED'
  /** More JSON patch operations than the server accepts in one request. */
  | 'TOO_LARGE';

export type PatchHttpStatus = 400 | 413 | 415 | 422 | 500;

export class PatchError extends Error {
  constructor(
    readonly code: PatchErrorCode,
    message: string,
    readonly status: PatchHttpStatus,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PatchError';
  }
}

/** The message every 422 patch failure carries; the specific reason goes in `details.causes`. */
export const UNPROCESSABLE_MESSAGE = 'the server rejected our request due to an error in our request';

/** Patch types the server accepts for custom resources, in the order it lists them. */
export const CUSTOM_RESOURCE_PATCH_TYPES: readonly string[] = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/apply-patch+yaml',
];

export const malformed = (message: string): PatchError => new PatchError('MALFORMED', message, 400);

/** A JSON patch operation that failed: the server answers 422 with the library's text as the cause. */
export const jsonPatchFailed = (code: 'INVALID_PATCH' | 'TEST_FAILED' | 'PATH_NOT_FOUND', message: string): PatchError =>
  new PatchError(code, message, 422);

/** A strategic merge failure the server does not classify: it answers 500 with the bare message. */
export const cannotMerge = (message: string): PatchError => new PatchError('INVALID_PATCH', message, 500);

/** A strategic merge failure the server maps to 422 (lists of lists). */
export const unprocessable = (message: string): PatchError => new PatchError('INVALID_PATCH', message, 422);

/** What the server answers a strategic merge patch for a type it has no patch metadata for (custom resources). */
export const strategicMergeUnsupported = (accepted: readonly string[] = CUSTOM_RESOURCE_PATCH_TYPES): PatchError =>
  new PatchError(
    'UNSUPPORTED',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    415,
  );

export const tooManyOperations = (limit: number, got: number): PatchError =>
  new PatchError('TOO_LARGE', `The allowed maximum operations in a JSON patch is ${limit}, got ${got}`, 413);
