/**
 * MetaManager's one error class. Callers branch on `code`, never on message text; the code also travels in the
 * ERROR answer's content (pkg/message newErrorResponse keeps it), so edge modules can branch on it too.
 */

export type MetaErrorCode =
  /** A message or query the store cannot accept; the message names the field and the fix. */
  | 'INVALID'
  /** A query found nothing in the local store (and the cloud could not be asked, or did not answer). */
  | 'NOT_FOUND'
  /** database.dataSource is not a SQLite database, or SQLite reports it damaged. */
  | 'CORRUPT'
  /** database.dataSource is another program's database, or was written by a newer edgecore. */
  | 'INCOMPATIBLE'
  /** Any other SQLite or file-system failure (disk full, permissions, a folder where the file should be...). */
  | 'IO'
  /** The store is closed. */
  | 'CLOSED';

export class MetaError extends Error {
  override readonly name = 'MetaError';

  constructor(
    readonly code: MetaErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A bad field: `field` in the message's terms (route.resource, content.metadata.name, ...). */
export const invalidField = (field: string, problem: string): MetaError => new MetaError('INVALID', `${field}: ${problem}`);

/** node-sqlite3 puts the primary result code in `err.code` ("SQLITE_CORRUPT"); classify by it, never by text. */
function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/** Turns a driver error into a MetaError naming the config field, the file and what to do; MetaErrors pass through. */
export function fromSqlite(error: unknown, file: string, doing: string): MetaError {
  if (error instanceof MetaError) return error;
  const code = sqliteCode(error);
  const detail = code ?? (error instanceof Error ? error.message : String(error));
  const where = `database.dataSource ${file}`;
  switch (code) {
    case 'SQLITE_NOTADB':
    case 'SQLITE_CORRUPT':
      return new MetaError(
        'CORRUPT',
        `${where} is not a readable SQLite database (${detail}) while ${doing}; restore it from a backup, or move it ` +
          'away so that edgecore starts with an empty store',
        { cause: error },
      );
    case 'SQLITE_CANTOPEN':
      return new MetaError(
        'IO',
        `${where} cannot be opened (${detail}) while ${doing}; it must be a file (not a folder) in a folder edgecore ` +
          'can write to',
        { cause: error },
      );
    case 'SQLITE_READONLY':
    case 'SQLITE_PERM':
    case 'SQLITE_AUTH':
      return new MetaError(
        'IO',
        `${where} is not writable (${detail}) while ${doing}; give edgecore write access to it and its folder`,
        { cause: error },
      );
    case 'SQLITE_FULL':
      return new MetaError('IO', `${where}: the disk is full (${detail}) while ${doing}; free some space`, { cause: error });
    default:
      return new MetaError('IO', `${where}: ${detail} while ${doing}`, { cause: error });
  }
}
