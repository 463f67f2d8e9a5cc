import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryIO } from '../pkg/cli/testing/memory-io';
import { main } from './cli';

const HEAD = 'apiVersion: cloudcore.config.kubeedge.io/v1alpha1\nkind: CloudCore\n';

describe('cloudcore command line', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cloudcore-cli-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('prints its version', async () => {
    const io = memoryIO();
    expect(await main(['--version'], io)).toBe(0);
    expect(io.out()).toMatch(/^cloudcore \d+\.\d+\.\d+ \(node v\d+/);
  });

  it('prints help', async () => {
    const io = memoryIO();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.out()).toContain('--defaultconfig');
  });

  it('checks its own default file: cloudcore --defaultconfig | cloudcore --config FILE --check', async () => {
    const printed = memoryIO();
    expect(await main(['--defaultconfig'], printed)).toBe(0);
    expect(printed.out()).toMatch(/^# Default cloudcore configuration/);
    const path = join(dir, 'default.yaml');
    await writeFile(path, printed.out());
    const checked = memoryIO();
    expect(await main(['--config', path, '--check'], checked)).toBe(0);
    expect([checked.out(), checked.err()]).toEqual(['config OK\n', '']);
  });

  it('prints every problem and exits 1 for a bad file', async () => {
    const path = join(dir, 'bad.yaml');
    await writeFile(path, `${HEAD}modules:\n  router:\n    enable: true\n  cloudHub:\n    nodeLimit: -3\n`);
    const io = memoryIO();
    expect(await main(['--config', path, '--check'], io)).toBe(1);
    expect(io.out()).toBe('');
    expect(io.err()).toBe(
      [
        `invalid config: ${path} (2 problems)`,
        `  ${path}:5: modules.router.enable: the router module is not implemented yet (tracked in issue #7); set enable: false`,
        `  ${path}:7: modules.cloudHub.nodeLimit: out of range (got -3); write a whole number of at least 1`,
        '',
      ].join('\n'),
    );
  });

  it('fails when an explicitly named file is missing', async () => {
    const io = memoryIO();
    expect(await main(['--config', join(dir, 'nope.yaml'), '--check'], io)).toBe(1);
    expect(io.err()).toContain('no such file');
  });

  it.each([
    [['--bogus'], "error: unknown option '--bogus'"],
    [['--config'], "error: option '--config <file>' argument missing"],
    [['--log-level', 'loud'], "argument 'loud' is invalid. Allowed choices are trace, debug, info, warn, error."],
    [['--check', '--defaultconfig'], "error: option '--defaultconfig' cannot be used with option '--check'"],
  ])('exits 2 with a hint for bad flags %p', async (argv, message) => {
    const io = memoryIO();
    expect(await main(argv, io)).toBe(2);
    expect(io.err()).toContain(message);
    expect(io.err()).toContain('(run "cloudcore --help" for usage)');
  });

  /** A config whose embedded control plane keeps its data in the test's folder, on a free port. */
  // CloudHub on free loopback ports, its TLS files (absent: kept in Secrets) under the test's folder.
  const embedded = (name: string): string =>
    `embeddedAPIServer:\n  dataDir: ${join(dir, name)}\n  port: 0\n` +
    'modules:\n  cloudHub:\n    tunnel: {address: 127.0.0.1, port: 0}\n    https: {address: 127.0.0.1, port: 0}\n' +
    `    tlsCAFile: ${join(dir, name, 'ca.crt')}\n    tlsCAKeyFile: ${join(dir, name, 'ca.key')}\n` +
    `    tlsCertFile: ${join(dir, name, 'server.crt')}\n    tlsPrivateKeyFile: ${join(dir, name, 'server.key')}\n`;

  it('runs until asked to stop: control plane and monitor server up, the controller manager and cloud modules running, exit 0', async () => {
    const path = join(dir, 'run.yaml');
    await writeFile(path, `${HEAD}monitorServer:\n  bindAddress: 127.0.0.1:0\n${embedded('run-cp')}`);
    const stop = new AbortController();
    const io = memoryIO(stop.signal);
    const exit = main(['--config', path, '--log-level', 'debug'], io);
    const listening = await io.waitForLog((line) => String(line['msg']).startsWith('monitor server listening'));
    const health = await fetch(`http://${String(listening['address'])}/healthz`);
    expect([health.status, await health.text()]).toEqual([200, 'ok\n']);
    const metrics = await (await fetch(`http://${String(listening['address'])}/metrics`)).text();
    expect(metrics).toContain('program="cloudcore"');
    expect(io.logs().find((line) => line['msg'] === 'starting modules')).toMatchObject({
      modules: ['controllermanager', 'tokenkeeper', 'bootstrap', 'cloudhub', 'synccontroller', 'edgecontroller', 'devicecontroller'],
    });
    stop.abort('test is done');
    expect(await exit).toBe(0);
    expect(io.logs().map((line) => line['msg'])).toEqual(expect.arrayContaining(['shutting down', 'stopped']));
  });

  it('exits 1 when the monitor port is taken', async () => {
    const path = join(dir, 'taken.yaml');
    const first = new AbortController();
    await writeFile(path, `${HEAD}monitorServer:\n  bindAddress: 127.0.0.1:0\n${embedded('first-cp')}`);
    const io1 = memoryIO(first.signal);
    const running = main(['--config', path], io1);
    const listening = await io1.waitForLog((line) => String(line['msg']).startsWith('monitor server listening'));
    await writeFile(path, `${HEAD}monitorServer:\n  bindAddress: ${String(listening['address'])}\n${embedded('second-cp')}`);
    const io2 = memoryIO();
    expect(await main(['--config', path], io2)).toBe(1);
    expect(io2.logs().at(-1)).toMatchObject({ level: 'error', msg: 'cloudcore failed' });
    first.abort();
    expect(await running).toBe(0);
  });
});
