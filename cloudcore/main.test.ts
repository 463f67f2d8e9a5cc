import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The real process: main.ts run by node, with swc compiling the TypeScript sources on the fly.
const node = (...args: string[]) => [process.execPath, ['-r', join(__dirname, '../pkg/cli/testing/register-ts.js'), join(__dirname, 'main.ts'), ...args]] as const;

describe('cloudcore as a process', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cloudcore-main-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('checks its default config through a pipe: cloudcore --defaultconfig | cloudcore --config /dev/stdin --check', () => {
    const command = (...args: string[]) => node(...args).flat().map((word) => `'${word}'`).join(' ');
    const pipeline = `${command('--defaultconfig')} | ${command('--config', '/dev/stdin', '--check')}`;
    const checked = spawnSync('/bin/sh', ['-c', pipeline], { encoding: 'utf8' });
    expect([checked.status, checked.stdout, checked.stderr]).toEqual([0, 'config OK\n', '']);
    // Not every stdin is a pipe (here: a socket, which /dev/stdin cannot open); it is read as a stream.
    const printed = spawnSync(...node('--defaultconfig'), { encoding: 'utf8' });
    const fromSocket = spawnSync(...node('--config', '/dev/stdin', '--check'), { input: printed.stdout, encoding: 'utf8' });
    expect([fromSocket.status, fromSocket.stdout, fromSocket.stderr]).toEqual([0, 'config OK\n', '']);
  });

  it('starts the embedded control plane, stops everything cleanly on SIGTERM and exits 0', async () => {
    const path = join(dir, 'cloudcore.yaml');
    await writeFile(path, 'apiVersion: cloudcore.config.kubeedge.io/v1alpha1\nkind: CloudCore\nmonitorServer:\n  bindAddress: 127.0.0.1:0\n');
    const child = spawn(...node('--config', path, '--data-dir', join(dir, 'cp'), '--apiserver-port', '0'), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('"msg":"starting modules"')) resolve();
      });
      void exited.then((code) => reject(new Error(`exited early with ${code}: ${stdout}${stderr}`)));
    });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const messages = stdout.trim().split('\n').map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toContain('embedded control plane listening');
    // The modules (the controller manager first among them) stop before the control plane, its storage last.
    const order = ['shutting down', 'controller manager stopped', 'stopped', 'storage closed'].map((m) => messages.lastIndexOf(m));
    expect(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]!))).toBe(true);
    expect(messages[messages.length - 1]).toBe('storage closed');
    expect(stderr).toBe('');
  });
});
