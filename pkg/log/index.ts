export {
  createLogger,
  isLogLevel,
  LOG_LEVELS,
  LogLevelError,
  moduleLogger,
  type Logger,
  type LoggerOptions,
  type LogLevel,
} from './logger';
