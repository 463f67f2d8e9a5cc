import { createLogger, LogLevelError, moduleLogger } from '.';

function memory(): { lines: () => Record<string, unknown>[]; write: (line: string) => void } {
  const chunks: string[] = [];
  return {
    write: (line) => void chunks.push(line),
    lines: () => chunks.join('').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  it('writes JSON lines with the program name, a text level and an ISO time', () => {
    const sink = memory();
    createLogger({ level: 'info', name: 'cloudcore', destination: sink }).info({ port: 1 }, 'started');
    const [line] = sink.lines();
    expect(line).toMatchObject({ name: 'cloudcore', level: 'info', msg: 'started', port: 1 });
    expect(typeof line?.['time']).toBe('string');
  });

  it('drops lines below the level', () => {
    const sink = memory();
    const logger = createLogger({ level: 'warn', name: 'edgecore', destination: sink });
    logger.info('hidden');
    logger.warn('shown');
    expect(sink.lines().map((l) => l['msg'])).toEqual(['shown']);
  });

  it('names the module on child loggers', () => {
    const sink = memory();
    moduleLogger(createLogger({ level: 'debug', name: 'edgecore', destination: sink }), 'edgeHub').debug('hi');
    expect(sink.lines()[0]).toMatchObject({ name: 'edgecore', module: 'edgeHub', level: 'debug' });
  });

  it('refuses an unknown level, listing the allowed ones', () => {
    expect(() => createLogger({ level: 'verbose', name: 'x', destination: memory() })).toThrow(LogLevelError);
    expect(() => createLogger({ level: 'verbose', name: 'x', destination: memory() })).toThrow(
      'unknown log level "verbose"; use one of trace, debug, info, warn, error',
    );
  });
});
