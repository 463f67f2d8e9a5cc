/**
 * Errors from parsing selectors. Callers branch on `code`. Messages are the real server's; from a `?labelSelector=`
 * or `?fieldSelector=` query it answers every one of them with 400 BadRequest and the message as is.
 */

export type SelectorErrorCode =
  /** A label selector string or structured LabelSelector that does not parse or validate. */
  | 'INVALID_LABEL_SELECTOR'
  /** A field selector string that does not parse (no operator, bad escape). */
  | 'INVALID_FIELD_SELECTOR'
  /** A field selector naming a field this resource cannot be selected by. */
  | 'UNSUPPORTED_FIELD'
  /** A node selector (node affinity) term that does not parse. */
  | 'INVALID_NODE_SELECTOR';

export class SelectorError extends Error {
  constructor(
    readonly code: SelectorErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SelectorError';
  }
}

/** utilerrors.NewAggregate(...).Error(): one message as is, several deduplicated in brackets. */
export function aggregate(messages: readonly string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}
