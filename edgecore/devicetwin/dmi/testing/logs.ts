/** A logger for tests that keeps every line, parsed, so a test can check what was logged and how often. */
import { createLogger, type Logger } from '../../../../pkg/log';

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

export function captureLogger(): { log: Logger; lines: LogLine[]; find(text: string): LogLine[] } {
  const lines: LogLine[] = [];
  const log = createLogger({
    level: 'debug',
    name: 'edgecore',
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) },
  });
  return { log, lines, find: (text) => lines.filter((l) => typeof l.msg === 'string' && l.msg.includes(text)) };
}
