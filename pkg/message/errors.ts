/** Errors for envelopes that arrive from outside. Callers branch on `code`, never on message text. */

export type EnvelopeErrorCode =
  /** The input is over the size limit; it was not decoded. */
  | 'TOO_LARGE'
  /** The bytes are not a protobuf encoding of the expected type (truncated, garbage, trailing bytes). */
  | 'UNDECODABLE'
  /** It decoded, but a field breaks the envelope's contract; `problems` names each field. */
  | 'INVALID';

/** One broken field: `path` in proto field names (e.g. `header.id`), `problem` says what is wrong and the fix. */
export interface FieldProblem {
  readonly path: string;
  readonly problem: string;
}

export class EnvelopeError extends Error {
  readonly problems: readonly FieldProblem[];

  constructor(
    readonly code: EnvelopeErrorCode,
    message: string,
    options?: { cause?: unknown; problems?: readonly FieldProblem[] },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EnvelopeError';
    this.problems = options?.problems ?? [];
  }
}

/** An INVALID error listing every problem, so a sender can fix them all at once. */
export function invalid(what: string, problems: readonly FieldProblem[]): EnvelopeError {
  const list = problems.map((p) => `${p.path}: ${p.problem}`).join('; ');
  return new EnvelopeError('INVALID', `invalid ${what}: ${list}`, { problems });
}
