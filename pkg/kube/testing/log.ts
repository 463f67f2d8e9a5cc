import { createLogger, type Logger } from '../../log';

/** Quiet unless KUBE_TEST_LOG=debug (or another level) is set. */
export function testLogger(): Logger {
  const level = process.env['KUBE_TEST_LOG'];
  if (level) return createLogger({ level, name: 'kube-test', destination: process.stderr });
  return createLogger({ level: 'error', name: 'kube-test', destination: { write: () => undefined } });
}
