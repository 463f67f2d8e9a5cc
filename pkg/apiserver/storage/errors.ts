/**
 * The storage layer's one error class. Callers branch on `code`, never on message text; the HTTP layer maps codes to
 * Kubernetes Status (EXISTS→409 AlreadyExists, NOT_FOUND→404, CONFLICT→409 Conflict, GONE→410 Expired "too old
 * resource version", TOO_NEW→504 "Too large resource version", INVALID→400/422, OVERLOADED→429, others→500/503).
 */

export type StorageErrorCode =
  /** create: the key already holds an object. */
  | 'EXISTS'
  /** update/delete/guaranteedUpdate: no object under the key. */
  | 'NOT_FOUND'
  /** compare-and-swap failed: the stored revision differs from `expectedRevision`. */
  | 'CONFLICT'
  /** watch: the requested revision is older than the retained event history (compacted). */
  | 'GONE'
  /** watch: the requested revision is newer than the store's current revision. */
  | 'TOO_NEW'
  /** a key, prefix, object or option the store cannot accept. */
  | 'INVALID'
  /** the write queue is full; retry later. */
  | 'OVERLOADED'
  /** a watcher fell more than its buffer behind and was ended; re-watch from the last revision received. */
  | 'WATCH_OVERFLOW'
  /** the file is not a SQLite database, or SQLite reports it damaged. */
  | 'CORRUPT'
  /** the file is a SQLite database of another program, or of a newer schema than this build knows. */
  | 'INCOMPATIBLE'
  /** another process has the file open. */
  | 'LOCKED'
  /** any other SQLite or file-system failure (disk full, permissions, ...). */
  | 'IO'
  /** the store is closed. */
  | 'CLOSED';

export class StorageError extends Error {
  override readonly name = 'StorageError';

  constructor(
    readonly code: StorageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True when `error`, or an error in its `cause` chain, is a StorageError (with `code`, when given). */
export function isStorageError(error: unknown, code?: StorageErrorCode): error is StorageError {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof StorageError && (code === undefined || e.code === code)) return true;
  }
  return false;
}

export const exists = (key: string): StorageError => new StorageError('EXISTS', `${key} already exists`);

export const notFound = (key: string): StorageError => new StorageError('NOT_FOUND', `${key} not found`);

export const conflict = (key: string, expected: number, actual: number): StorageError =>
  new StorageError(
    'CONFLICT',
    `${key} was modified: expected revision ${expected}, stored revision is ${actual}; read it again and retry`,
  );

export const gone = (fromRevision: number, oldest: number): StorageError =>
  new StorageError(
    'GONE',
    `too old resource version: ${fromRevision} (oldest retained: ${oldest}); list again and watch from the list's revision`,
  );

export const tooNew = (fromRevision: number, current: number): StorageError =>
  new StorageError('TOO_NEW', `too large resource version: ${fromRevision}, current: ${current}`);

export const invalid = (message: string): StorageError => new StorageError('INVALID', message);

export const closed = (what: string): StorageError => new StorageError('CLOSED', `${what}: the store is closed`);

/**
 * better-sqlite3 reports the extended result code as `err.code` ("SQLITE_BUSY", "SQLITE_IOERR_SHORT_READ"); we
 * classify by the primary code in it ("SQLITE_IOERR"), never by the message text.
 */
function sqliteCode(error: unknown): { code: string; primary: string } | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  const primary = typeof code === 'string' ? /^SQLITE_[A-Z]+/.exec(code)?.[0] : undefined;
  return primary ? { code: code as string, primary } : undefined;
}

/** Turns a driver error into a StorageError that names the file and what to do; StorageErrors pass through. */
export function fromSqlite(error: unknown, file: string, doing: string): StorageError {
  if (error instanceof StorageError) return error;
  const code = sqliteCode(error);
  const detail = code?.code ?? (error instanceof Error ? error.message : String(error));
  switch (code?.primary) {
    case 'SQLITE_NOTADB':
    case 'SQLITE_CORRUPT':
      return new StorageError(
        'CORRUPT',
        `${file} is not a readable SQLite database (${detail}) while ${doing}; restore it from a backup, or move it away to start with an empty store`,
        { cause: error },
      );
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return new StorageError(
        'LOCKED',
        `${file} is in use by another process (${detail}) while ${doing}; only one API server may own a store file`,
        { cause: error },
      );
    case 'SQLITE_FULL':
      return new StorageError('IO', `${file}: the disk is full (${detail}) while ${doing}; free some space`, {
        cause: error,
      });
    default:
      return new StorageError('IO', `${file}: ${detail} while ${doing}`, { cause: error });
  }
}
