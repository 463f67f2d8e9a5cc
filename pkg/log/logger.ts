import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

/** The log levels a user may choose, most verbose first. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type Logger = PinoLogger;

export class LogLevelError extends Error {
  override readonly name = 'LogLevelError';
  readonly code = 'LOG_LEVEL_INVALID';

  constructor(readonly level: string) {
    super(`unknown log level ${JSON.stringify(level)}; use one of ${LOG_LEVELS.join(', ')}`);
  }
}

export function isLogLevel(level: string): level is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(level);
}

export interface LoggerOptions {
  readonly level: string;
  /** The program, e.g. "cloudcore"; every line carries it. */
  readonly name: string;
  /** Where JSON lines go; stdout (written synchronously, so nothing is lost on exit) by default. */
  readonly destination?: DestinationStream;
}

/** A JSON-lines logger. Each call makes a new one: there is no process-wide logger. */
export function createLogger(options: LoggerOptions): Logger {
  if (!isLogLevel(options.level)) throw new LogLevelError(options.level);
  const destination = options.destination ?? pino.destination({ dest: 1, sync: true });
  return pino(
    {
      name: options.name,
      level: options.level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** The logger a module uses: every line names the module. */
export function moduleLogger(parent: Logger, module: string): Logger {
  return parent.child({ module });
}
