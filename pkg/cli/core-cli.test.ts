import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { defaultConfig } from '../config';
import { HEAD, testSpec } from '../config/testing/test-spec';
import { runCoreCli, type CoreProgram } from '.';
import { memoryIO } from './testing/memory-io';

const spec = testSpec();

function program(runs: unknown[]): CoreProgram<(typeof spec)['schema']> {
  return {
    name: 'testcore',
    summary: 'A test program.',
    spec,
    defaultConfigPath: join(tmpdir(), 'no-such-dir-for-testcore', 'testcore.yaml'),
    run: ({ config }) => {
      runs.push(config);
      return Promise.resolve();
    },
  };
}

describe('runCoreCli', () => {
  it('runs with the defaults, and says so, when the default config path does not exist', async () => {
    const runs: unknown[] = [];
    const io = memoryIO();
    expect(await runCoreCli([], io, program(runs))).toBe(0);
    expect(runs).toEqual([defaultConfig(spec)]);
    expect(io.logs().map((line) => line['msg'])).toContain(
      `no config file at ${program([]).defaultConfigPath}; using the defaults (see testcore --defaultconfig)`,
    );
  });

  it('--check passes on defaults too, with a note on stderr', async () => {
    const io = memoryIO();
    expect(await runCoreCli(['--check'], io, program([]))).toBe(0);
    expect(io.out()).toBe('config OK\n');
    expect(io.err()).toContain('no config file at');
  });

  it('reads the config from standard input with --config -', async () => {
    const runs: unknown[] = [];
    const good = memoryIO(undefined, `${HEAD}server:\n  workers: 9\n`);
    expect(await runCoreCli(['--config', '-'], good, program(runs))).toBe(0);
    expect(runs).toEqual([expect.objectContaining({ server: expect.objectContaining({ workers: 9 }) })]);
    const bad = memoryIO(undefined, `${HEAD}server:\n  workers: nine\n`);
    expect(await runCoreCli(['--config', '-', '--check'], bad, program([]))).toBe(1);
    expect(bad.err()).toContain('-:4: server.workers: not a whole number (got "nine")');
  });

  it('logs and exits 1 when the program fails', async () => {
    const failing = { ...program([]), run: () => Promise.reject(new Error('cannot start')) };
    const io = memoryIO();
    expect(await runCoreCli(['--log-level', 'warn'], io, failing)).toBe(1);
    expect(io.logs()).toEqual([expect.objectContaining({ level: 'error', msg: 'testcore failed', err: expect.objectContaining({ message: 'cannot start' }) })]);
  });
});
