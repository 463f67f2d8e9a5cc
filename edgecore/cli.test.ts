import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryIO } from '../pkg/cli/testing/memory-io';
import { main } from './cli';

describe('edgecore command line', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'edgecore-cli-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('checks its own default file', async () => {
    const printed = memoryIO();
    expect(await main(['--defaultconfig'], printed)).toBe(0);
    expect(printed.out()).toContain('kind: EdgeCore');
    const checked = memoryIO(undefined, printed.out());
    expect(await main(['--config', '-', '--check'], checked)).toBe(0);
    expect(checked.out()).toBe('config OK\n');
  });

  it('refuses a cloudcore file, naming what it expects', async () => {
    const path = join(dir, 'cloudcore.yaml');
    await writeFile(path, 'apiVersion: cloudcore.config.kubeedge.io/v1alpha1\nkind: CloudCore\n');
    const io = memoryIO();
    expect(await main(['--config', path, '--check'], io)).toBe(1);
    expect(io.err()).toContain('kind: wrong kind (got "CloudCore"); this program reads kind: EdgeCore');
  });

  it('runs until asked to stop', async () => {
    const path = join(dir, 'run.yaml');
    // Every module off, so that nothing touches /var/lib/kubeedge or /etc/kubeedge on the test machine.
    await writeFile(
      path,
      'apiVersion: edgecore.config.kubeedge.io/v1alpha2\nkind: EdgeCore\nmonitorServer:\n  bindAddress: 127.0.0.1:0\n' +
        'modules:\n  edged:\n    enable: false\n  edgeHub:\n    enable: false\n  metaManager:\n    enable: false\n  eventBus:\n    enable: false\n  deviceTwin:\n    enable: false\n',
    );
    const stop = new AbortController();
    const io = memoryIO(stop.signal);
    const exit = main(['--config', path], io);
    await io.waitForLog((line) => line['msg'] === 'no modules enabled');
    stop.abort();
    expect(await exit).toBe(0);
    expect(io.logs().every((line) => line['name'] === 'edgecore')).toBe(true);
  });
});
