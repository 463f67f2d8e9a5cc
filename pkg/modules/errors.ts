/** The module runtime's errors. Each has a stable `code` so callers branch on it, never on message text. */

export type ModuleErrorCode =
  | 'UNKNOWN_MODULE'
  | 'UNKNOWN_GROUP'
  | 'DUPLICATE_MODULE'
  | 'SYNC_TIMEOUT'
  | 'NOT_RUNNING'
  | 'STOPPED'
  | 'MODULE_CRASHED'
  | 'INVALID_MESSAGE';

export class ModuleError extends Error {
  constructor(
    readonly code: ModuleErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ModuleError';
  }
}

export const unknownModule = (name: string, known: readonly string[]): ModuleError =>
  new ModuleError(
    'UNKNOWN_MODULE',
    `no module named "${name}" is registered (registered: ${known.join(', ') || 'none'}); is it enabled in the config?`,
  );

export const unknownGroup = (group: string, known: readonly string[]): ModuleError =>
  new ModuleError(
    'UNKNOWN_GROUP',
    `no module is registered in group "${group}" (groups: ${known.join(', ') || 'none'}); is a module of that group enabled?`,
  );

export const syncTimeout = (destination: string, id: string, timeoutMs: number): ModuleError =>
  new ModuleError('SYNC_TIMEOUT', `no response from module "${destination}" to message ${id} within ${timeoutMs} ms`);

export const stopped = (what: string): ModuleError =>
  new ModuleError('STOPPED', `${what}: the module runtime is shutting down`);
